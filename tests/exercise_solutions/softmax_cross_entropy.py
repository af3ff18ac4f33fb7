import numpy as np


def softmax_cross_entropy(logits, targets):
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), targets].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), targets] -= 1
    return loss, grad / n
