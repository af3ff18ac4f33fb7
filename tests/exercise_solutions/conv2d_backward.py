import numpy as np


def conv2d_backward(x, w, grad_out, stride=1, padding=0):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    p, s = padding, stride
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    for i in range(grad_out.shape[2]):
        for j in range(grad_out.shape[3]):
            window = xp[:, :, i * s : i * s + kh, j * s : j * s + kw]
            g = grad_out[:, :, i, j]  # (N, F)
            gw += np.einsum("nf,ncpq->fcpq", g, window)
            gxp[:, :, i * s : i * s + kh, j * s : j * s + kw] += np.einsum("nf,fcpq->ncpq", g, w)
    return gxp[:, :, p : p + h, p : p + wd], gw, grad_out.sum(axis=(0, 2, 3))
