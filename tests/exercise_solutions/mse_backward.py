def mse_backward(pred, target):
    return 2 * (pred - target) / pred.size
