"""`pad_sequence` (PyTorch's `nn.utils.rnn.pad_sequence`): variable-length sequences stacked into
one padded batch, the usual way to feed an RNN sequences of different lengths in minidl (which
has no PackedSequence: run the padded batch and read each sequence's output at its length − 1)."""

from __future__ import annotations

from minidl.autograd import Tensor
from minidl.ops.shape import pad, stack

__all__ = ["pad_sequence"]


def pad_sequence(
    sequences,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack tensors of shapes (L_i, *) into (L_max, N, *) — (N, L_max, *) with batch_first —
    filling with `padding_value` after each sequence ("right") or before it ("left").
    Differentiable with respect to every sequence."""
    seqs = list(sequences)
    if not seqs or not all(isinstance(s, Tensor) for s in seqs):
        raise TypeError("pad_sequence: expected a non-empty list of Tensors")
    if padding_side not in ("right", "left"):
        raise ValueError(
            f"pad_sequence: padding_side must be 'right' or 'left'; received {padding_side!r}"
        )
    trailing = seqs[0].shape[1:]
    if any(s.ndim == 0 or s.shape[1:] != trailing for s in seqs):
        shapes = [tuple(s.shape) for s in seqs]
        raise ValueError(
            f"pad_sequence: every sequence must be (L_i, *) with the same trailing shape; "
            f"received {shapes}"
        )
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        extra = longest - s.shape[0]
        # F.pad's pairs run from the last dimension back: (0, 0) for each trailing one
        widths = [0, 0] * len(trailing) + ([0, extra] if padding_side == "right" else [extra, 0])
        padded.append(pad(s, widths, value=padding_value) if extra else s)
    return stack(padded, 0 if batch_first else 1)
