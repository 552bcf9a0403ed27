"""Bytes, proved by torch: ``element_size() × numel()`` of meta tensors, and what Adam keeps per parameter.

Memory questions (a layer's weights in bf16, an activation in fp32, a KV cache, Adam's state) are
answered by asking torch for tensors of the right shape and dtype on the ``meta`` device, where a
tensor has a size in bytes but no storage: a 7-billion-element tensor costs nothing to describe.
Each function is callable from a card's truth formula and listed in
``studycards.layer_names.COMPUTE_FUNCTIONS``.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import torch

from studycards.errors import FormulaError

# The dtypes a deck may name, as torch spells them; the short names are the ones papers use.
DTYPES = {
    "float32": torch.float32, "fp32": torch.float32, "float16": torch.float16, "fp16": torch.float16,
    "bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "int8": torch.int8, "uint8": torch.uint8,
    "float64": torch.float64, "int64": torch.int64,
}  # fmt: skip
MAX_ELEMENTS = 2**50


def _dtype(name: Any) -> torch.dtype:
    if not isinstance(name, str) or name not in DTYPES:
        raise FormulaError(f"dtype must be one of {', '.join(sorted(DTYPES))}, got {name!r}")
    return DTYPES[name]


def _shape(shape: Any) -> tuple[int, ...]:
    if not isinstance(shape, tuple):
        shape = (shape,)
    if not 1 <= len(shape) <= 8 or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
        raise FormulaError(f"a shape must be 1 to 8 whole sizes ≥ 0, got {shape!r}")
    if math.prod(shape) > MAX_ELEMENTS:
        raise FormulaError(f"shape {shape} has more than 2**50 elements")
    return shape


@functools.lru_cache(maxsize=1024)
def nbytes(shape: Any, dtype: Any) -> int:
    """Bytes of a tensor of ``shape`` in ``dtype``: torch's ``element_size() × numel()`` on meta."""
    tensor = torch.empty(_shape(shape), dtype=_dtype(dtype), device="meta")
    return tensor.element_size() * tensor.numel()


@functools.lru_cache(maxsize=256)
def adam_state_bytes(numel: Any) -> int:
    """Bytes of the per-parameter state ``torch.optim.Adam`` creates for ``numel`` fp32 parameters.

    One real optimizer step on a meta parameter with a meta gradient: Adam allocates its state
    (``exp_avg`` and ``exp_avg_sq``, each the parameter's shape, and a scalar ``step`` on the CPU) and
    the bytes of the state tensors shaped like the parameter are summed.
    """
    (size,) = _shape(numel)
    parameter = torch.nn.Parameter(torch.empty(size, device="meta"))
    parameter.grad = torch.empty(size, device="meta")
    optimizer = torch.optim.Adam([parameter], foreach=False)
    optimizer.step()
    state = optimizer.state[parameter].values()
    return sum(t.element_size() * t.numel() for t in state if t.shape == parameter.shape)
