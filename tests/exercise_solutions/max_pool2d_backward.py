import numpy as np


def max_pool2d_backward(x, grad_out, kernel_size, stride):
    k, s = kernel_size, stride
    gx = np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(grad_out.shape[2]):
                for j in range(grad_out.shape[3]):
                    window = x[n, c, i * s : i * s + k, j * s : j * s + k]
                    p, q = np.unravel_index(np.argmax(window), window.shape)  # the first max
                    gx[n, c, i * s + p, j * s + q] += grad_out[n, c, i, j]
    return gx
