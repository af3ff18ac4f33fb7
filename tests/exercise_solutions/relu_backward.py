def relu_backward(x, grad_out):
    return grad_out * (x > 0)
