"""Layer specs (``Conv2d(c, o, k, stride=s)``, ``Sequential(...)``, ``resnet50``) into real torch modules.

A spec is read by the same whitelisted AST walk as every formula (``studycards.formula``): the only calls
allowed are the ``torch.nn`` layers, blocks and combinators named in ``studycards.layer_names``. Modules are
built under ``torch.device("meta")`` so even a 138M-parameter VGG costs no memory and no arithmetic.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import torch
from torch import nn

from studycards.errors import FormulaError, SpecError
from studycards.formula import Formula, parse_formula
from studycards.layer_names import ARCHITECTURE_NAMES, BLOCKS, SPEC_CALLS, TORCH_LAYERS

# A layer count makes building slow (one Python object per layer), so it is bounded, whether it is given
# as num_layers=... or positionally (the index of that positional argument, per constructor).
MAX_LAYERS = 100
LAYER_COUNT_POSITION = {
    "RNN": 2, "LSTM": 2, "GRU": 2, "DenseBlock": 0, "TransformerEncoder": 1, "TransformerDecoder": 1,
}  # fmt: skip
FORBIDDEN_KWARGS = {"device", "dtype", "factory_kwargs"}


class Concat(nn.Module):
    """Parallel branches on the same input, joined along the channel dimension (as in an inception block)."""

    def __init__(self, *branches: nn.Module) -> None:
        super().__init__()
        if not branches:
            raise ValueError("Concat needs at least one branch")
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class Residual(nn.Module):
    """``body(x) + shortcut(x)``; the shortcut is the identity unless a projection is given."""

    def __init__(self, body: nn.Module, shortcut: nn.Module | None = None) -> None:
        super().__init__()
        self.body = body
        self.shortcut = shortcut if shortcut is not None else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + self.shortcut(x)


class MatMul(nn.Module):
    """``a @ b`` of its two inputs (``torch.matmul``): a batch of matrix products with no parameters."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.matmul(a, b)


def _constructors() -> dict[str, Callable[..., nn.Module]]:
    from studycards import architectures

    table: dict[str, Callable[..., nn.Module]] = {name: getattr(nn, name) for name in TORCH_LAYERS}
    table["Concat"] = Concat
    table["Residual"] = Residual
    table["MatMul"] = MatMul
    for name in BLOCKS:
        table[name] = architectures.BLOCKS[name]
    return table


def _torch_arg(value: Any) -> Any:
    """Exact values as torch wants them: a fraction becomes a float, tuples element by element."""
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, tuple):
        return tuple(_torch_arg(v) for v in value)
    return value


def _guarded(name: str, constructor: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    def build(*args: Any, **kwargs: Any) -> nn.Module:
        bad = FORBIDDEN_KWARGS & set(kwargs)
        if bad:
            raise FormulaError(f"{name}: argument {sorted(bad)[0]!r} is not allowed (layers are built on meta)")
        position = LAYER_COUNT_POSITION.get(name)
        count = args[position] if position is not None and len(args) > position else kwargs.get("num_layers")
        if isinstance(count, int) and count > MAX_LAYERS:
            raise FormulaError(f"{name}: num_layers={count} is more than {MAX_LAYERS}")
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > 2**48:
                raise FormulaError(f"{name}: {value} is too large for a layer size")
        try:
            with warnings.catch_warnings():  # advice for training runs (nested tensors, dropout) is noise here
                warnings.simplefilter("ignore")
                return constructor(*(_torch_arg(a) for a in args), **{k: _torch_arg(v) for k, v in kwargs.items()})
        except FormulaError:
            raise
        except Exception as error:  # torch's own argument checks: TypeError, ValueError, RuntimeError...
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise FormulaError(f"{name}(...): {message}") from None

    return build


_GUARDED: dict[str, Callable[..., nn.Module]] | None = None


def spec_functions() -> dict[str, Callable[..., nn.Module]]:
    """The callable names of a layer spec, each checking its arguments before torch sees them."""
    global _GUARDED
    if _GUARDED is None:
        _GUARDED = {name: _guarded(name, ctor) for name, ctor in _constructors().items()}
    return _GUARDED


def parse_spec(text: str) -> Formula | str:
    """Read a spec: an architecture name stays a name, anything else becomes a whitelisted formula."""
    stripped = text.strip()
    if stripped in ARCHITECTURE_NAMES:
        return stripped
    try:
        formula = parse_formula(stripped, extra_functions=SPEC_CALLS, allow_strings=True)
    except FormulaError as error:
        raise SpecError(_spec_message(stripped, str(error))) from None
    if isinstance(formula.tree, ast.Name) or not formula.calls:
        raise SpecError(_spec_message(stripped, "not a layer or architecture name"))
    return formula


def build_module(spec: Formula | str, values: Mapping[str, Any] | None = None) -> nn.Module:
    """Build the module a spec describes, on the meta device, with ``values`` bound to its names."""
    from studycards.architectures import build_architecture

    with torch.device("meta"):
        if isinstance(spec, str):
            return build_architecture(spec)
        module = spec.evaluate(values or {}, spec_functions())
    if not isinstance(module, nn.Module):
        raise FormulaError(f"{spec.text!r} is not a layer")
    return module


def filled_text(spec: Formula | str, values: Mapping[str, Any]) -> str:
    """The spec with its names replaced by their values: ``Conv2d(3, 8, 5, stride=2)``."""
    if isinstance(spec, str):
        return spec
    from studycards.formula import render_value

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id not in values:
                return node
            value = values[node.id]
            if isinstance(value, bool | str | int):  # written as Python writes them: True, 'relu', 8
                return ast.Constant(value)
            return ast.Name(id=render_value(value), ctx=ast.Load())

    tree = Substitute().visit(ast.parse(spec.text, mode="eval"))
    return ast.unparse(tree)


def _spec_message(spec: str, reason: str) -> str:
    shown = spec if len(spec) <= 60 else spec[:57] + "..."
    hint = ""
    if reason.startswith("not a layer") or "is not allowed" in reason:
        import difflib

        word = spec.split("(")[0].strip()
        close = difflib.get_close_matches(word, sorted(SPEC_CALLS | ARCHITECTURE_NAMES), n=1)
        if close:
            hint = f" (did you mean {close[0]!r}?)"
    return f"cannot read layer spec {shown!r}: {reason}{hint}"
