"""Recurrent layers measured on a short sequence, with the real length carried through to the output.

On the meta device torch runs ``nn.RNN``/``nn.LSTM``/``nn.GRU`` step by step, a few milliseconds a step a
layer, so a 5,000-step input took a minute. What torch returns does not depend on the length beyond the
length itself: ``output`` has the input's sequence dimension (dim 1 with ``batch_first``, else dim 0, and
dim 0 for an unbatched 2-D input) and ``h_n``/``c_n`` none at all, while the parameters never see the
input. So a recurrent layer given more than ``SHORT`` steps runs on its first ``SHORT`` steps, and
``output`` gets the real length back in that dimension. torch still checks the input (its feature size,
its number of dimensions, the hidden state) and still builds every other number; if its output does not
carry the short length where expected, the full sequence runs after all.
Its FLOPs are all per step (each step multiplies by the same weights), so a FLOP counter is told how many
steps ran and how many were asked (``on_shortened``) and scales them. ``tests/test_short_sequence.py``
compares shapes, errors and FLOPs with full runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

SHORT = 2


Shortened = Callable[[nn.Module, int, int], None]


def shorten_sequences(module: nn.Module, on_shortened: Shortened | None = None) -> list[RemovableHandle]:
    """Hook every recurrent layer in ``module`` to run on a short sequence; remove the handles after.

    Register these after other hooks: pre-hooks that run before them see the sequence as given, and the
    forward hook goes first, so every other forward hook sees the output at its full length.
    ``on_shortened(layer, steps, ran)`` is told each time a layer ran ``ran`` of its ``steps`` steps.
    """
    handles: list[RemovableHandle] = []
    for layer in module.modules():
        if isinstance(layer, nn.RNNBase):
            pending: dict[str, Any] = {}
            handles.append(layer.register_forward_pre_hook(_shorten(pending)))
            handles.append(layer.register_forward_hook(_lengthen(pending, on_shortened), prepend=True))
    return handles


def _sequence_dim(layer: nn.RNNBase, sequence: torch.Tensor) -> int:
    return 1 if sequence.dim() == 3 and layer.batch_first else 0


def _shorten(pending: dict[str, Any]):
    def hook(layer: nn.RNNBase, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        pending.clear()
        sequence = args[0] if args else None
        if not isinstance(sequence, torch.Tensor) or sequence.dim() not in (2, 3):
            return None  # torch's own error, from the input as given
        dim = _sequence_dim(layer, sequence)
        if sequence.shape[dim] <= SHORT:
            return None
        pending.update(dim=dim, args=args)
        return (sequence.narrow(dim, 0, SHORT), *args[1:])

    return hook


def _lengthen(pending: dict[str, Any], on_shortened: Shortened | None):
    def hook(layer: nn.RNNBase, _args: tuple[Any, ...], result: Any) -> Any:
        if not pending:
            return None
        dim, args = pending.pop("dim"), pending.pop("args")
        output = result[0] if isinstance(result, tuple) else None
        if not isinstance(output, torch.Tensor) or output.dim() <= dim or output.shape[dim] != SHORT:
            return layer.forward(*args)  # not the layout expected: let torch run every step
        shape = list(output.shape)
        shape[dim] = args[0].shape[dim]
        if on_shortened is not None:
            on_shortened(layer, shape[dim], SHORT)
        return (output.new_empty(shape), *result[1:])

    return hook
