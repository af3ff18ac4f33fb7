"""Port of pytorch/tutorials "Learning PyTorch with Examples": PyTorch: Tensors and autograd
(a cubic fitted to sin(x) with autograd and hand-written gradient descent).

Origin: https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_autograd/polynomial_autograd.py
— BSD 3-Clause License, Copyright (c) 2017-2022, PyTorch contributors.
Rewritten for minidl's tests; the imports name minidl instead of torch (`import minidl as torch`)
and are the only change to the PyTorch code; the iteration count is a parameter (fast mode for tests).
"""

import math

import minidl as torch  # was: import torch


def main(fast: bool = True) -> dict:
    dtype = torch.float
    device = (
        torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    )
    torch.set_default_device(device)
    torch.manual_seed(0)

    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)

    a = torch.randn((), dtype=dtype, requires_grad=True)
    b = torch.randn((), dtype=dtype, requires_grad=True)
    c = torch.randn((), dtype=dtype, requires_grad=True)
    d = torch.randn((), dtype=dtype, requires_grad=True)

    learning_rate = 1e-6
    losses = []
    for t in range(500 if fast else 2000):
        y_pred = a + b * x + c * x**2 + d * x**3
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
    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
    return {"losses": losses}


if __name__ == "__main__":
    main(fast=False)
