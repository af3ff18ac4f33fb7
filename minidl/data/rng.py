"""Find and checkpoint the random generators inside a data pipeline.

A loader's randomness lives in several numpy Generators: the shuffling sampler's (`loader.generator`),
and each random transform's (`RandomCrop(..., generator=0).generator`) inside a TransformDataset.
`generators(loader)` finds them all, in a fixed order, so a trainer can save their states and restore
them for a bit-identical resume::

    states = get_rng_state(loader)        # [g.bit_generator.state for each generator], plain data
    md.save({"data_rng": states, ...}, path)
    set_rng_state(loader, md.load(path)["data_rng"])

Parts built with `generator=None` draw from minidl's default generator instead; save
`md.random.default_generator().bit_generator.state` for those. The search follows attributes, lists,
tuples and dicts; a Generator captured only inside a function's closure (a `Lambda`) is not found.
"""

from __future__ import annotations

import types

import numpy as np

from minidl.autograd import Tensor

_LEAVES = (np.ndarray, Tensor, str, bytes, int, float, complex, bool, type(None))
_OPAQUE = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)


def generators(obj) -> list[np.random.Generator]:
    """Every numpy Generator reachable from `obj` through attributes, lists, tuples and dicts, each
    once, in a deterministic order (depth first, attributes in definition order)."""
    found: list[np.random.Generator] = []
    seen: set[int] = set()
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, _LEAVES + _OPAQUE):
            continue
        seen.add(id(item))
        if isinstance(item, np.random.Generator):
            found.append(item)
            continue
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, (list, tuple)):
            children = list(item)
        elif hasattr(item, "__dict__"):
            children = list(vars(item).values())
        else:
            continue
        stack.extend(reversed(children))  # reversed: pop() then visits them in order
    return found


def get_rng_state(obj) -> list[dict]:
    """The `bit_generator.state` of each generator in `generators(obj)` (dicts of ints and str)."""
    return [g.bit_generator.state for g in generators(obj)]


def set_rng_state(obj, states: list[dict]) -> None:
    """Restore what `get_rng_state` returned into the same pipeline (built the same way)."""
    gens = generators(obj)
    if not isinstance(states, (list, tuple)) or len(states) != len(gens):
        raise ValueError(
            f"set_rng_state: expected {len(gens)} generator states (one per generator found in "
            f"the pipeline); received {len(states) if isinstance(states, (list, tuple)) else states!r}"
        )
    for g, state in zip(gens, states):
        g.bit_generator.state = state
