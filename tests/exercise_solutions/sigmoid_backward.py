import numpy as np


def sigmoid_backward(x, grad_out):
    s = 1.0 / (1.0 + np.exp(-x))
    return grad_out * s * (1 - s)
