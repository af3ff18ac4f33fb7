"""Port of pytorch/tutorials "Learning PyTorch with Examples": PyTorch: optim (the nn cubic, with
torch.optim doing the updates).

Origin: https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_nn/polynomial_optim.py
— BSD 3-Clause License, Copyright (c) 2017-2022, PyTorch contributors.
Rewritten for minidl's tests; the imports name minidl instead of torch (`import minidl as torch`)
and are the only change to the PyTorch code; the iteration count is a parameter (fast mode for tests).
The tutorial has shipped with RMSprop (lr 1e-3) and with SGD (lr 1e-6); both are run here.
"""

import math

import minidl as torch  # was: import torch


def main(fast: bool = True, optimizer_name: str = "RMSprop") -> dict:
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)

    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction="sum")

    if optimizer_name == "RMSprop":
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    losses = []
    for t in range(500 if fast else 2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        if t % 100 == 99:
            print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    linear_layer = model[0]
    print(
        f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
        f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
    )
    return {"losses": losses}


if __name__ == "__main__":
    main(fast=False)
