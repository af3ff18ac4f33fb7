def dropout_forward(x, p, rng):
    mask = rng.binomial(1, 1 - p, size=x.shape).astype(x.dtype)
    return x * mask / x.dtype.type(1 - p), mask
