"""Keras's optimizer names with Keras's default hyperparameters, on minidl's (PyTorch's) update
rules: `Trainer(model, loss, "adam")` builds `Adam(model.parameters(), lr=1e-3, eps=1e-7)`.

    name       minidl class   Keras defaults (PyTorch's differ where marked *)
    "sgd"      SGD            lr 0.01*
    "adam"     Adam           lr 0.001, betas (0.9, 0.999), eps 1e-7*
    "adamw"    AdamW          lr 0.001, weight_decay 0.004*, eps 1e-7*
    "rmsprop"  RMSprop        lr 0.001*, alpha (Keras's rho) 0.9*, eps 1e-7*
    "adagrad"  Adagrad        lr 0.001*, initial_accumulator_value 0.1*, eps 1e-7*
    "adadelta" Adadelta       lr 0.001*, rho 0.95*, eps 1e-7*
    "nadam"    NAdam          lr 0.001*, betas (0.9, 0.999), eps 1e-7*

The update formulas are PyTorch's, which differ from Keras's in small ways (where ε enters
Adam's bias correction; NAdam's momentum schedule), so numbers agree closely, not exactly.
"""

from __future__ import annotations

from minidl import optim

OPTIMIZERS = {
    "sgd": (optim.SGD, {"lr": 0.01}),
    "adam": (optim.Adam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7}),
    "adamw": (optim.AdamW, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 0.004}),
    "rmsprop": (optim.RMSprop, {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7}),
    "adagrad": (optim.Adagrad, {"lr": 1e-3, "initial_accumulator_value": 0.1, "eps": 1e-7}),
    "adadelta": (optim.Adadelta, {"lr": 1e-3, "rho": 0.95, "eps": 1e-7}),
    "nadam": (optim.NAdam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7}),
}


def resolve_optimizer(optimizer, model):
    """An optimizer over `model`'s parameters from a Keras name, or `optimizer` itself."""
    if isinstance(optimizer, str):
        entry = OPTIMIZERS.get(optimizer.lower())
        if entry is None:
            raise ValueError(
                f"Trainer: unknown optimizer {optimizer!r}; expected one of {sorted(OPTIMIZERS)} "
                "or a minidl.optim optimizer"
            )
        cls, defaults = entry
        return cls(model.parameters(), **defaults)
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(
            f"Trainer: argument `optimizer` must be a minidl.optim optimizer or a name; received "
            f"{type(optimizer).__name__}"
        )
    return optimizer
