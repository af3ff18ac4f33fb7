"""Figures of a training run: learning curves (`plot_history`) and the LR range test
(`plot_lr_range`). Both return a matplotlib Figure; matplotlib is imported only here, when a
plot is asked for, so training never needs it.
"""

from __future__ import annotations

import numpy as np

# quantities for which smaller is better; anything else (accuracy, auc, f1...) is maximised
_LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "mean_squared", "mean_absolute")


def _minimised(name: str) -> bool:
    return any(word in name for word in _LOWER_IS_BETTER)


def plot_history(history, metrics=("loss", "accuracy"), figsize=None):
    """One panel per metric: the training curve and, when recorded, the validation curve
    ("val_" + name) against the epoch (1-based), with the best epoch marked — the validation
    minimum of a loss or error, the maximum of other metrics (on the training curve when there
    is no validation). Metrics absent from the History are skipped. Returns the Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    record = getattr(history, "history", history)  # a History or its dict
    epochs = getattr(history, "epoch", None)
    shown = [m for m in metrics if m in record]
    if not shown:
        raise ValueError(
            f"plot_history: none of {list(metrics)} is in the history; it has {list(record)}"
        )
    fig, axes = plt.subplots(1, len(shown), figsize=figsize or (5 * len(shown), 3.6), squeeze=False)
    for ax, name in zip(axes[0], shown):
        train = np.asarray(record[name], dtype=float)
        x = np.asarray(epochs if epochs else range(len(train))) + 1
        ax.plot(x, train, marker="o", ms=3, label=f"training {name}")
        curve, label = train, "training"
        if f"val_{name}" in record:
            val = np.asarray(record[f"val_{name}"], dtype=float)
            ax.plot(x[: len(val)], val, marker="o", ms=3, label=f"validation {name}")
            curve, label = val, "validation"
        pick = np.nanargmin if _minimised(name) else np.nanargmax
        best = int(pick(curve))
        ax.axvline(x[best], color="grey", ls="--", lw=1)
        ax.scatter([x[best]], [curve[best]], s=60, color="red", zorder=3,
                   label=f"best {label}: epoch {x[best]} ({curve[best]:.4g})")  # fmt: skip
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(name)
        ax.set_title(name)
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_lr_range(result, figsize=(6, 4)):
    """Smoothed loss against the learning rate (log scale) from `lr_range_test`, with the
    suggested rate and lr_min marked. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    ax.plot(result.lrs, result.losses, label="smoothed loss")
    ax.set_xscale("log")
    i = int(np.argmin(np.abs(np.asarray(result.lrs) - result.suggested_lr)))
    ax.scatter([result.lrs[i]], [result.losses[i]], color="red", zorder=3,
               label=f"suggested lr {result.suggested_lr:.2e} (steepest descent)")  # fmt: skip
    ax.axvline(result.lr_min, color="grey", ls="--", lw=1, label=f"lr_min {result.lr_min:.2e}")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("smoothed training loss")
    ax.set_title("learning-rate range test")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
