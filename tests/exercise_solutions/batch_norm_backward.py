import numpy as np


def batch_norm_backward(x, gamma, grad_out, eps=1e-5):
    # the chain rule step by step, through the variance and the mean (not the compact formula)
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc**2).mean(axis=0)
    std = np.sqrt(var + eps)
    x_hat = xc / std
    grad_gamma = (grad_out * x_hat).sum(axis=0)
    grad_beta = grad_out.sum(axis=0)
    dx_hat = grad_out * gamma
    dvar = (dx_hat * xc).sum(axis=0) * -0.5 * std**-3
    dmu = -(dx_hat / std).sum(axis=0) + dvar * (-2 * xc).mean(axis=0)
    grad_x = dx_hat / std + dvar * 2 * xc / n + dmu / n
    return grad_x, grad_gamma, grad_beta
