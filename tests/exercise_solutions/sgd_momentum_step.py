def sgd_momentum_step(param, grad, buf, lr, momentum, nesterov=False):
    buf = momentum * buf + grad
    step = grad + momentum * buf if nesterov else buf
    return param - lr * step, buf
