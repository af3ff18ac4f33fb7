"""Port of pytorch/examples `regression/main.py` (a linear layer learns a random degree-4 polynomial
from batches of random x, with a hand-written gradient step, until the smooth-L1 loss < 1e-3).

Origin: https://github.com/pytorch/examples/blob/main/regression/main.py — BSD 3-Clause License,
Copyright (c) 2017, PyTorch contributors. Rewritten for minidl's tests; changes from the original:
  * the imports name minidl instead of torch;
  * one line differs, the one listed in the README's "Differences from PyTorch": minidl's `.data`
    is the NumPy array, which has no `add_`, so `param.data.add_(-0.1 * param.grad)` is written
    `param.data += -0.1 * param.grad` (the same update);
  * a cap on the number of batches (fast mode for the tests).
"""

from itertools import count

import minidl as torch  # was: import torch
import minidl.nn.functional as F  # was: import torch.nn.functional as F

POLY_DEGREE = 4


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x**i for i in range(1, POLY_DEGREE + 1)], 1)


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = "y = "
    for i, w in enumerate(W):
        result += f"{w:+.2f} x^{i + 1} "
    result += f"{b[0]:+.2f}"
    return result


def main(fast: bool = True) -> dict:
    torch.manual_seed(0)
    W_target = torch.randn(POLY_DEGREE, 1) * 5
    b_target = torch.randn(1) * 5

    def f(x):
        """Approximated function."""
        return x.mm(W_target) + b_target.item()

    def get_batch(batch_size=32):
        """Builds a batch i.e. (x, f(x)) pair."""
        random = torch.randn(batch_size)
        x = make_features(random)
        y = f(x)
        return x, y

    fc = torch.nn.Linear(W_target.size(0), 1)
    losses = []
    for batch_idx in count(1):
        batch_x, batch_y = get_batch()
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        losses.append(loss)
        output.backward()
        for param in fc.parameters():
            param.data += -0.1 * param.grad  # was: param.data.add_(-0.1 * param.grad)
        if loss < 1e-3 or (fast and batch_idx >= 300):
            break

    print(f"Loss: {loss:.6f} after {batch_idx} batches")
    print("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
    print("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))
    return {"losses": losses, "weight": fc.weight.data.ravel(), "target": W_target.data.ravel()}


if __name__ == "__main__":
    main(fast=False)
