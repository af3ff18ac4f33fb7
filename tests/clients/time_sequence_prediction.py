"""Port of pytorch/examples `time_sequence_prediction/` (two stacked nn.LSTMCell layers learn sine
waves, trained in float64 with LBFGS, then predict the future).

Origin: https://github.com/pytorch/examples/tree/main/time_sequence_prediction (train.py and
generate_sine_wave.py) — BSD 3-Clause License, Copyright (c) 2017, PyTorch contributors.
Rewritten for minidl's tests; the imports name minidl instead of torch (`import minidl as torch`)
and are the only change to the PyTorch code; the iteration count is a parameter (fast mode for tests).
Data: the sine waves of generate_sine_wave.py are generated here (smaller in fast mode) instead of
being read from traindata.pt; no plots.
"""

import numpy as np

import minidl as torch  # was: import torch
import minidl.nn as nn  # was: import torch.nn as nn
import minidl.optim as optim  # was: import torch.optim as optim


class Sequence(nn.Module):
    def __init__(self, hidden=51):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)

        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for _i in range(future):  # if we should predict the future
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        return torch.cat(outputs, dim=1)


def sine_waves(n, length, period=20, seed=2):
    """generate_sine_wave.py: n shifted sine waves of `length` samples (float64)."""
    rng = np.random.RandomState(seed)
    x = np.empty((n, length), "int64")
    x[:] = np.array(range(length)) + rng.randint(-4 * period, 4 * period, n).reshape(n, 1)
    return np.sin(x / 1.0 / period).astype("float64")


def main(fast: bool = True) -> dict:
    steps, n, length, hidden, future = (3, 8, 60, 24, 20) if fast else (15, 100, 1000, 51, 1000)
    np.random.seed(0)
    torch.manual_seed(0)
    data = sine_waves(n, length)
    input = torch.from_numpy(data[3:, :-1])
    target = torch.from_numpy(data[3:, 1:])
    test_input = torch.from_numpy(data[:3, :-1])
    test_target = torch.from_numpy(data[:3, 1:])
    seq = Sequence(hidden)
    seq.double()
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    losses, test_losses = [], []
    for i in range(steps):
        print("STEP: ", i)

        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            print("loss:", loss.item())
            losses.append(loss.item())
            loss.backward()
            return loss

        optimizer.step(closure)
        with torch.no_grad():
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :-future], test_target)
            print("test loss:", loss.item())
            test_losses.append(loss.item())
            y = pred.detach().numpy()
    return {"losses": losses, "test_losses": test_losses, "prediction": y}


if __name__ == "__main__":
    main(fast=False)
