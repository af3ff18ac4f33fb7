"""Port of pytorch/tutorials "Learning PyTorch with Examples": PyTorch: Defining New autograd
Functions (y = a + b·P3(c + d·x) with the Legendre polynomial P3 as a custom autograd Function).

Origin: https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_autograd/polynomial_custom_function.py
— BSD 3-Clause License, Copyright (c) 2017-2022, PyTorch contributors.
Rewritten for minidl's tests; the imports name minidl instead of torch (`import minidl as torch`)
and are the only change to the PyTorch code; the iteration count is a parameter (fast mode for tests).
minidl's Function.forward/backward receive NumPy arrays; this Function's arithmetic reads the same.
"""

import math

import minidl as torch  # was: import torch


class LegendrePolynomial3(torch.autograd.Function):
    """P3(x) = (5x³ − 3x)/2;  P3'(x) = 3(5x² − 1)/2."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


def main(fast: bool = True) -> dict:
    dtype = torch.float
    device = torch.device("cpu")

    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

    learning_rate = 5e-6
    losses = []
    for t in range(500 if fast else 2000):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
    return {"losses": losses}


if __name__ == "__main__":
    main(fast=False)
