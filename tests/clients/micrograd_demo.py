"""Port of micrograd's demo (karpathy/micrograd, demo.ipynb): a 2-16-16-1 ReLU MLP separates
scikit-learn's two moons with an SVM max-margin loss plus L2 regularisation, trained by plain SGD
with a decaying learning rate, written with the PyTorch API (micrograd's own tests compare it with
PyTorch the same way).

Origin: https://github.com/karpathy/micrograd (demo.ipynb) — MIT License, Copyright (c) 2020 Andrej
Karpathy. Rewritten for minidl's tests in PyTorch's API; `import minidl as torch` is the only
change from the PyTorch version. Data: sklearn.datasets.make_moons (generated, offline).
"""

import numpy as np
from sklearn.datasets import make_moons

import minidl as torch  # was: import torch


def main(fast: bool = True) -> dict:
    torch.manual_seed(1337)
    np.random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1  # labels -1 and 1 for the max-margin loss
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)

    model = torch.nn.Sequential(
        torch.nn.Linear(2, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 1),
    )
    print(model)
    print("number of parameters", sum(p.numel() for p in model.parameters()))

    def loss_fn():
        scores = model(X).squeeze(1)
        losses = (1 + -y * scores).relu()  # SVM max-margin loss
        data_loss = losses.mean()
        alpha = 1e-4
        reg_loss = alpha * sum((p * p).sum() for p in model.parameters())
        total = data_loss + reg_loss
        accuracy = ((y > 0) == (scores > 0)).float().mean()
        return total, accuracy.item()

    steps = 60 if fast else 100
    losses, accuracies = [], []
    for k in range(steps):
        total_loss, acc = loss_fn()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        with torch.no_grad():
            for p in model.parameters():
                p -= learning_rate * p.grad
        losses.append(total_loss.item())
        accuracies.append(acc)
        if k % 10 == 0:
            print(f"step {k} loss {total_loss.item():.4f}, accuracy {acc * 100:.1f}%")
    return {"losses": losses, "accuracy": accuracies[-1], "chance": 0.5}


if __name__ == "__main__":
    main(fast=False)
