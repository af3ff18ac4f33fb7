import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        return [g * g.dtype.type(coef) for g in grads], total
    return [g.copy() for g in grads], total
