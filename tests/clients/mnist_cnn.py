"""Port of pytorch/examples `mnist/main.py` (a small CNN trained with Adadelta and StepLR).

Origin: https://github.com/pytorch/examples/blob/main/mnist/main.py — BSD 3-Clause License,
Copyright (c) 2017, PyTorch contributors. Rewritten for minidl's tests; changes from the original:
  * the imports name minidl instead of torch (`import minidl as torch`, `import minidl.nn as nn`,
    ...): the only change to the PyTorch code;
  * data: scikit-learn's 8×8 digits (offline) instead of torchvision's MNIST download, so the first
    linear layer has 64·2·2 inputs instead of 64·12·12;
  * settings passed to main() instead of argparse, with a fast mode for the tests.
"""

import minidl as torch  # was: import torch
import minidl.nn as nn
import minidl.nn.functional as F
import minidl.optim as optim
from minidl.optim.lr_scheduler import StepLR

try:
    from tests.clients._digits import digits
except ImportError:  # run as a script from this folder
    from _digits import digits


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(256, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))  # (N, 32, 6, 6)
        x = F.relu(self.conv2(x))  # (N, 64, 4, 4)
        x = F.max_pool2d(x, 2)  # (N, 64, 2, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def train(model, device, train_loader, optimizer, epoch, log_interval=10):
    model.train()
    losses = []
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if batch_idx % log_interval == 0:
            print(
                f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)} ({100.0 * batch_idx / len(train_loader):.0f}%)]\tLoss: {loss.item():.6f}"
            )
    return losses


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    accuracy = correct / len(test_loader.dataset)
    print(
        f"\nTest set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100.0 * accuracy:.0f}%)\n"
    )
    return test_loss, accuracy


def main(fast: bool = True) -> dict:
    epochs, batch_size = (2, 64) if fast else (14, 64)
    use_accel = torch.accelerator.is_available()
    torch.manual_seed(1)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

    x_train, y_train, x_test, y_test = digits()
    dataset1 = torch.utils.data.TensorDataset(torch.tensor(x_train), torch.tensor(y_train))
    dataset2 = torch.utils.data.TensorDataset(torch.tensor(x_test), torch.tensor(y_test))
    train_loader = torch.utils.data.DataLoader(dataset1, batch_size=batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(dataset2, batch_size=1000)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    losses, accuracy = [], 0.0
    for epoch in range(1, epochs + 1):
        losses += train(model, device, train_loader, optimizer, epoch)
        _, accuracy = test(model, device, test_loader)
        scheduler.step()
    return {"losses": losses, "accuracy": accuracy, "chance": 0.1}


if __name__ == "__main__":
    main(fast=False)
