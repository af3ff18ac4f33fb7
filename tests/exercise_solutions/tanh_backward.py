import numpy as np


def tanh_backward(x, grad_out):
    t = np.tanh(x)
    return grad_out * (1 - t * t)
