"""Ensembles: several models' predictions averaged into one (minidl's; PyTorch has no Ensemble).

    ens = Ensemble([model_a, model_b, model_c], mode="probs")
    ens.eval()                       # switches every member (Dropout, BatchNorm) too
    log_p = ens(x)                   # log of the averaged probabilities: argmax and
                                     # F.cross_entropy / F.nll_loss work on it unchanged

Why it helps: members trained from different seeds make partly independent errors; averaging
keeps what they agree on. For squared error the ensemble's error is the members' average error
minus their spread ("ambiguity decomposition", Krogh & Vedelsby 1995), so it is never worse
than the average member.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from minidl.autograd import Tensor
from minidl.nn.container import ModuleList
from minidl.nn.module import Module
from minidl.ops.activation import log_softmax
from minidl.ops.shape import stack
from minidl.random import manual_seed

_MODES = ("probs", "logits")


class Ensemble(Module):
    """Average of the members' outputs along the class axis `dim`:

    mode="probs":  log( (1/M) Σ_m softmax(f_m(x)) )   — averaged probabilities, returned as
                   log-probabilities (log-sum-exp of the members' log-softmaxes, no underflow);
                   softmax of the result is the averaged probability, and since those sum to 1,
                   cross_entropy on it equals nll_loss on it.
    mode="logits": (1/M) Σ_m f_m(x)                    — averaged logits (a geometric mean of
                   the probabilities, renormalised); for regression outputs this is the mean.

    The members are registered (a ModuleList), so `parameters()`, `state_dict()`, `train()` and
    `eval()` reach all of them: call `eval()` before predicting."""

    def __init__(self, models: Iterable[Module], mode: str = "probs", dim: int = 1):
        super().__init__()
        models = list(models)
        if not models or not all(isinstance(m, Module) for m in models):
            raise TypeError("Ensemble: argument `models` must be a non-empty list of nn.Modules")
        if mode not in _MODES:
            raise ValueError(
                f"Ensemble: argument `mode` must be one of {_MODES}; received {mode!r}"
            )
        self.members = ModuleList(models)
        self.mode, self.dim = mode, dim

    def __len__(self) -> int:
        return len(self.members)

    def forward(self, x) -> Tensor:
        outputs = [m(x) for m in self.members]
        if self.mode == "logits":
            total = outputs[0]
            for out in outputs[1:]:
                total = total + out
            return total / len(outputs)
        # log mean_m p_m = logsumexp_m(log p_m) − log M, over a new leading axis of members
        logp = stack([log_softmax(out, dim=self.dim) for out in outputs], 0)  # (M, N, C)
        return logp.logsumexp(dim=0) - math.log(len(outputs))

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}, members={len(self.members)}"


def seed_ensemble(
    build: Callable[[], Module],
    train: Callable[[Module], object],
    seeds: Iterable[int],
    mode: str = "probs",
) -> Ensemble:
    """Build and train one member per seed — `md.manual_seed(seed); m = build(); train(m)` — and
    return their Ensemble (in eval mode). The seed fixes the member's initialisation and whatever
    randomness `train` draws from the default generator (shuffling, dropout)."""
    members = []
    for seed in seeds:
        manual_seed(seed)
        member = build()
        train(member)
        members.append(member)
    return Ensemble(members, mode=mode).eval()
