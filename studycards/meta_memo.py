"""torch's meta kernels, memoised: each distinct aten call is worked out by torch once per process.

On the ``meta`` device an op's result depends only on its inputs' shapes, strides and dtypes and on its
plain arguments, never on data. Yet torch computes many meta results in Python (batch norm, ``addmm``,
every elementwise op goes through ``torch._refs``), about a millisecond each, so a DenseNet or an LSTM
stepping through a sequence spends its time recomputing answers torch already gave. ``MetaMemo`` is a
``TorchDispatchMode`` that records what torch returned for a call and hands back a fresh meta tensor of
that very shape, stride and dtype when the same call comes again. Every answer is still torch's own: a
call seen for the first time (or one it cannot key, or a view, or an op that changes its input's shape)
runs torch as usual.
"""

from __future__ import annotations

import threading
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

MAX_ENTRIES = 50_000  # about a kilobyte each; when full, the older half is dropped
_PLAIN = (bool, int, float, str, torch.dtype, torch.device, torch.memory_format, torch.layout)
_PLAIN_TYPES = frozenset({bool, int, float, str, type(None), torch.dtype, torch.device, torch.memory_format})
_RETURNS_SELF = "self"
_Signature = tuple[tuple[int, ...], tuple[int, ...], torch.dtype]


class _Unkeyable(Exception):
    """An argument that is not a meta tensor or a plain value: the call runs unmemoised."""


class MetaMemo(TorchDispatchMode):
    """Memoises functional ops and shape-preserving in-place ops on meta tensors."""

    # Nothing here is ever compiled; this keeps torch from wrapping ``__torch_dispatch__`` for dynamo.
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False

    def __init__(self, results: dict[Any, Any] | None = None) -> None:
        super().__init__()
        self.results: dict[Any, Any] = {} if results is None else results
        self.kinds: dict[Any, str | None] = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        try:
            key = (func, _key(args), _key(tuple(sorted(kwargs.items()))))
        except _Unkeyable:
            return func(*args, **kwargs)
        known = self.results.get(key)
        if known is _RETURNS_SELF:
            return args[0]
        if known is not None:
            return _rebuild(known)
        kind = self.kinds.get(func, "?")
        if kind == "?":
            kind = self.kinds[func] = _kind(func)
        if kind is None:
            return func(*args, **kwargs)
        before = _signature(args[0]) if kind == "inplace" else None
        result = func(*args, **kwargs)
        if len(self.results) >= MAX_ENTRIES:
            for old in list(self.results)[: MAX_ENTRIES // 2]:  # dicts keep insertion order: oldest first
                self.results.pop(old, None)
        if kind == "inplace":
            if result is args[0] and _signature(result) == before:
                self.results[key] = _RETURNS_SELF
        elif isinstance(result, torch.Tensor):
            self.results[key] = _signature(result)
        elif isinstance(result, tuple | list) and result and all(isinstance(t, torch.Tensor) for t in result):
            self.results[key] = (type(result), [_signature(t) for t in result])
        return result


_RESULTS: dict[Any, Any] = {}
_THREAD = threading.local()


def meta_memo() -> MetaMemo:
    """The memo to enter (``with meta_memo():``) around a meta forward pass: one mode per thread (a mode
    keeps state while entered), all sharing the process's results."""
    memo = getattr(_THREAD, "memo", None)
    if memo is None:
        memo = _THREAD.memo = MetaMemo(_RESULTS)
    return memo


def _kind(func) -> str | None:
    """``functional`` (fresh outputs), ``inplace`` (writes and returns its first argument only) or None."""
    schema = func._schema
    aliased = [arg for arg in schema.arguments if arg.alias_info is not None]
    if not schema.is_mutable and not aliased and all(ret.alias_info is None for ret in schema.returns):
        return "functional"
    if (
        len(schema.returns) == 1
        and schema.returns[0].alias_info is not None
        and len(aliased) == 1
        and schema.arguments
        and aliased[0] is schema.arguments[0]
        and aliased[0].alias_info.is_write
    ):
        return "inplace"
    return None  # views, out= variants, ops writing several arguments: torch runs them every time


def _key(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return (kind, value)  # 1, 1.0 and True are equal but not the same argument
    if kind is tuple or kind is list:
        return (kind, *[_key(item) for item in value])
    if isinstance(value, torch.Tensor):
        if not value.is_meta:
            raise _Unkeyable
        return (value.shape, value.stride(), value.dtype, value.storage_offset())
    if isinstance(value, _PLAIN):
        return (kind, value)
    raise _Unkeyable


def _signature(tensor: torch.Tensor) -> _Signature:
    return tuple(tensor.shape), tuple(tensor.stride()), tensor.dtype


def _rebuild(known: Any) -> Any:
    if len(known) == 3:
        return torch.empty_strided(known[0], known[1], dtype=known[2], device="meta")
    kind, signatures = known
    return kind(torch.empty_strided(shape, stride, dtype=dtype, device="meta") for shape, stride, dtype in signatures)
