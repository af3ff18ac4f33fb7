def linear_backward(x, w, b, grad_out):
    return grad_out @ w, grad_out.T @ x, grad_out.sum(axis=0)
