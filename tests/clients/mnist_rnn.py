"""Port of pytorch/examples `mnist_rnn/main.py` (an nn.LSTM reads an image row by row; BatchNorm1d,
Dropout2d, two linear layers; Adadelta with StepLR).

Origin: https://github.com/pytorch/examples/blob/main/mnist_rnn/main.py — BSD 3-Clause License,
Copyright (c) 2017, PyTorch contributors. Rewritten for minidl's tests; changes from the original:
  * the imports name minidl instead of torch (`import minidl as torch`, ...): the only change to the
    PyTorch code;
  * data: scikit-learn's 8×8 digits (offline) instead of torchvision's MNIST, so the LSTM reads 8
    rows of 8 pixels instead of 28 of 28;
  * settings passed to main() instead of argparse, with a fast mode for the tests.
"""

import minidl as torch  # was: import torch
import minidl.nn as nn  # was: import torch.nn as nn
import minidl.nn.functional as F  # was: import torch.nn.functional as F
import minidl.optim as optim  # was: import torch.optim as optim
from minidl.optim.lr_scheduler import StepLR  # was: from torch.optim.lr_scheduler import StepLR

try:
    from tests.clients._digits import digits
except ImportError:  # run as a script from this folder
    from _digits import digits

SIDE = 8  # image side: 28 for MNIST, 8 for the digits


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(input_size=SIDE, hidden_size=64, batch_first=True)
        self.batchnorm = nn.BatchNorm1d(64)
        self.dropout1 = nn.Dropout2d(0.25)
        self.dropout2 = nn.Dropout2d(0.5)
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, input):
        input = input.reshape(-1, SIDE, SIDE)  # (N, 1, H, W) -> (N, rows, pixels per row)
        output, hidden = self.rnn(input)
        output = output[:, -1, :]  # the last step's output
        output = self.batchnorm(output)
        output = self.dropout1(output)
        output = F.relu(self.fc1(output))
        output = self.dropout2(output)
        return F.log_softmax(self.fc2(output), dim=1)


def main(fast: bool = True) -> dict:
    epochs, batch_size = (3, 128) if fast else (14, 64)
    torch.manual_seed(1)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x_train, y_train, x_test, y_test = digits()
    train_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x_train), torch.tensor(y_train)),
        batch_size=batch_size,
        shuffle=True,
    )
    test_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x_test), torch.tensor(y_test)),
        batch_size=1000,
        shuffle=True,
    )

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=0.1 if not fast else 1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    losses = []
    for _epoch in range(1, epochs + 1):
        model.train()
        for _batch_idx, (data, target) in enumerate(train_loader):
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for data, target in test_loader:
                data, target = data.to(device), target.to(device)
                output = model(data)
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        test_loss /= len(test_loader.dataset)
        print(
            f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100.0 * correct / len(test_loader.dataset):.0f}%)"
        )
        scheduler.step()
    return {"losses": losses, "accuracy": correct / len(test_loader.dataset), "chance": 0.1}


if __name__ == "__main__":
    main(fast=False)
