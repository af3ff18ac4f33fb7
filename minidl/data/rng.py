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
_MAX_DEPTH, _MAX_ITEMS = 8, 1000  # a list of 60,000 samples holds no generator worth the walk


def named_generators(obj, prefix: str = "", seen: set | None = None, depth: int = 0) -> dict:
    """path -> Generator for every numpy Generator reachable from `obj` through attributes, dicts,
    lists and tuples, each once at the first path met, depth first in definition order (so the
    order is fixed). `seen` (ids) may be shared between calls over several roots."""
    found: dict[str, np.random.Generator] = {}
    seen = set() if seen is None else seen
    if depth > _MAX_DEPTH or id(obj) in seen or isinstance(obj, _LEAVES + _OPAQUE):
        return found
    seen.add(id(obj))
    if isinstance(obj, np.random.Generator):
        return {prefix: obj}
    if isinstance(obj, dict):
        items = list(obj.items())
    elif isinstance(obj, (list, tuple)):
        items = list(enumerate(obj))
    elif hasattr(obj, "__dict__"):
        items = list(vars(obj).items())
    else:
        return found
    for key, value in items if len(items) <= _MAX_ITEMS else ():
        found.update(named_generators(value, f"{prefix}.{key}", seen, depth + 1))
    return found


def generators(obj) -> list[np.random.Generator]:
    """Every numpy Generator reachable from `obj` (see `named_generators`), in a fixed order."""
    return list(named_generators(obj).values())


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
