def step_lr(epoch, base_lr, step_size, gamma):
    return base_lr * gamma ** (epoch // step_size)
