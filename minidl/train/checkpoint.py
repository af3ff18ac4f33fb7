"""Trainer checkpoints: everything a run needs to continue as if it had never stopped.

A checkpoint is one `md.save` file (safetensors: tensors by dotted name, the rest as JSON in the
metadata, checksummed, written atomically — see `minidl/serialization.py`) holding the tree

    {"format": "minidl.train.checkpoint", "version": 1,
     "epoch":      the next epoch to run (epochs done, counting from 0),
     "model":      model.state_dict(),              parameters and buffers
     "optimizer":  optimizer.state_dict(),          moments, step counts, hyperparameters
     "scheduler":  scheduler.state_dict() or None,
     "history":    {"history": {key: [...]}, "epoch": [...]},   the History so far
     "callbacks":  [{"class": "EarlyStopping", "state": {...}}, ...]   callbacks with state
     "rng":        {"default": state, "trainer.generator": state, "model.3.generator": state,
                    "data.train.generator": state, ...}}

Random generators. Every `numpy.random.Generator` the run can draw from is found and saved by
its `bit_generator.state` (numbers, no pickle): minidl's default generator (`md.manual_seed`'s;
shuffling without a generator, Dropout without one, a DataLoader without one), the Trainer's
shuffling generator, every generator attribute in the model tree (Dropout(generator=...)), and
every generator reachable from the training and validation loaders (loader, sampler, data set,
transforms). They are found by walking attributes, and named by the attribute path.

Resume. `load_checkpoint` restores model, optimizer and scheduler at once; History, callbacks'
state, the generators and the epoch to start from are applied when the next `fit` starts (after
`on_train_begin`, which would otherwise reset the callbacks), so

    trainer.fit(x, y, epochs=2); trainer.save_checkpoint("ckpt.safetensors")
    # ... a new process, the same code up to here ...
    trainer.load_checkpoint("ckpt.safetensors"); trainer.fit(x, y, epochs=4)

gives bit for bit the weights and History of `fit(x, y, epochs=4)`. This holds for checkpoints
written at epoch boundaries (ModelCheckpoint's default `save_freq="epoch"`); a checkpoint written
mid-epoch resumes at the start of its epoch with mid-epoch weights.
"""

from __future__ import annotations

import os

import numpy as np

from minidl.data.rng import named_generators
from minidl.random import default_generator

FORMAT = "minidl.train.checkpoint"
VERSION = 1


def _all_generators(trainer) -> dict[str, np.random.Generator]:
    found = {"default": default_generator()}
    seen = {id(found["default"])}
    if trainer.generator is not None:
        found.update(named_generators(trainer.generator, "trainer.generator", seen))
    found.update(named_generators(trainer.model, "model", seen))
    for name, source in trainer._data_sources.items():
        found.update(named_generators(source, f"data.{name}", seen))
    return found


def _stateful(callbacks) -> list:
    from minidl.train.history import History

    return [cb for cb in callbacks if hasattr(cb, "state_dict") and not isinstance(cb, History)]


def checkpoint_tree(trainer, callbacks=()) -> dict:
    """The tree saved by `Trainer.save_checkpoint` (see the module docstring)."""
    history = trainer.history.state_dict() if trainer.history is not None else None
    return {
        "format": FORMAT,
        "version": VERSION,
        "epoch": trainer._next_epoch,
        "model": trainer.model.state_dict(),
        "optimizer": trainer.optimizer.state_dict(),
        "scheduler": None if trainer.scheduler is None else trainer.scheduler.state_dict(),
        "history": history,
        "callbacks": [
            {"class": type(cb).__name__, "state": cb.state_dict()} for cb in _stateful(callbacks)
        ],
        "rng": {p: g.bit_generator.state for p, g in _all_generators(trainer).items()},
    }


def save_checkpoint(trainer, path, callbacks=()) -> None:
    """Write `checkpoint_tree(trainer, callbacks)` to `path` with md.save (atomic)."""
    from minidl.serialization import save

    save(checkpoint_tree(trainer, callbacks), path)


def load_checkpoint(trainer, path) -> None:
    """Read and check `path`; restore model, optimizer, scheduler; keep the rest for `fit`."""
    from minidl.serialization import load

    name = os.fspath(path)
    tree = load(name)
    if not isinstance(tree, dict) or tree.get("format") != FORMAT:
        keys = sorted(tree) if isinstance(tree, dict) else type(tree).__name__
        raise ValueError(
            f"load_checkpoint: '{name}' is not a Trainer checkpoint (its top-level keys are "
            f"{keys}); for weights alone use model.load_state_dict(md.load(path))"
        )
    if tree.get("version") != VERSION:
        raise ValueError(
            f"load_checkpoint: '{name}' is checkpoint version {tree.get('version')!r}; this "
            f"minidl reads version {VERSION}"
        )
    if (tree["scheduler"] is None) != (trainer.scheduler is None):
        raise ValueError(
            f"load_checkpoint: '{name}' was saved "
            f"{'without' if tree['scheduler'] is None else 'with'} a scheduler; this Trainer "
            f"has {'one' if trainer.scheduler is not None else 'none'}"
        )
    trainer.model.load_state_dict(tree["model"])
    trainer.optimizer.load_state_dict(tree["optimizer"])
    if trainer.scheduler is not None:
        trainer.scheduler.load_state_dict(tree["scheduler"])
    trainer._next_epoch = int(tree["epoch"])
    trainer._resume = {key: tree[key] for key in ("epoch", "history", "callbacks", "rng")}
    trainer._resume["path"] = name


def apply_fit_state(trainer, callback_list, state: dict) -> int:
    """At the start of a resumed fit: History, callback states, generators; returns the epoch."""
    where = f"fit (resuming from '{state['path']}')"
    if state["history"] is not None:
        trainer.history.load_state_dict(state["history"])
    saved, current = state["callbacks"], _stateful(callback_list)
    if [s["class"] for s in saved] != [type(cb).__name__ for cb in current]:
        raise ValueError(
            f"{where}: the checkpoint holds the state of callbacks "
            f"{[s['class'] for s in saved]}; this fit has {[type(cb).__name__ for cb in current]}"
            " (pass the same callbacks, in the same order)"
        )
    for cb, s in zip(current, saved):
        cb.load_state_dict(s["state"])
    generators = _all_generators(trainer)
    missing = sorted(set(state["rng"]) - set(generators))
    if missing:
        raise ValueError(
            f"{where}: the checkpoint has random generators at {missing}, which this run "
            f"lacks (it has {sorted(generators)}); build the model and data the same way"
        )
    for path, rng_state in state["rng"].items():
        generators[path].bit_generator.state = rng_state
    return int(state["epoch"])
