"""`NopPruner`: never prunes (the default when a study is created without a pruner)."""

from __future__ import annotations

from typing import Any

from minidl.search.pruners._base import BasePruner


class NopPruner(BasePruner):
    """A pruner that lets every trial run to the end: `should_prune()` is always False."""

    def prune(self, study: Any, trial: Any) -> bool:
        return False
