"""Old import path, kept so existing imports work: the normalisation arithmetic now lives beside
its layers in `minidl.nn.normalization` (use that, or `minidl.nn.functional`)."""

from minidl.nn.normalization import Normalize, batch_norm, group_norm, layer_norm

__all__ = ["Normalize", "batch_norm", "layer_norm", "group_norm"]
