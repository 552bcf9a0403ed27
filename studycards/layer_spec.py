"""Layer specs (``Conv2d(c, o, k, stride=s)``, ``Sequential(...)``, ``resnet50``) into real torch modules.

A spec is read by the same whitelisted AST walk as every formula (``studycards.formula``): the only calls
allowed are the ``torch.nn`` layers, blocks and combinators named in ``studycards.layer_names``. Modules are
built under ``torch.device("meta")`` so even a 138M-parameter VGG costs no memory and no arithmetic.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import torch
from torch import nn

from studycards.errors import FormulaError, SpecError
from studycards.formula import Formula, parse_formula
from studycards.layer_names import ARCHITECTURE_NAMES, BLOCKS, SPEC_CALLS, TORCH_LAYERS
from studycards.truth_budget import check_deadline

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
        check_deadline()  # a spec may build many large blocks: a truth's deadline is checked between them
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
    return build_call(describe_layer(spec, values or {}))


@dataclass(frozen=True, eq=False)
class LayerCall:
    """A layer as torch is asked to build it: the constructor's name and its evaluated arguments.

    ``LSTM(x, h, num_layers=n, batch_first=bf == 1)`` with x=8, h=20, n=2, bf=1 and with x=8, h=20, n=2,
    bf=1, an unrelated N=4 are the same call, so the measurement keyed on it is made once. Two calls are
    equal only when every argument has the same type too (``bias=True`` is not ``bias=1``).
    """

    name: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]

    def _identity(self) -> tuple:
        return (self.name, _identity_of(self.args), _identity_of(self.kwargs))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LayerCall) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


def _identity_of(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_identity_of(item) for item in value)
    if isinstance(value, LayerCall):
        return value._identity()
    return (type(value).__name__, value)


def _recording(name: str) -> Callable[..., LayerCall]:
    # A class per layer name, so a formula misusing a layer says what torch would: "got a Sequential".
    named = type(name, (LayerCall,), {"__module__": __name__})

    def record(*args: Any, **kwargs: Any) -> LayerCall:
        return named(name, args, tuple(kwargs.items()))

    return record


_RECORDERS = {name: _recording(name) for name in SPEC_CALLS}


def describe_layer(spec: Formula | str, values: Mapping[str, Any]) -> LayerCall | str:
    """What torch will be asked to build for ``spec`` with ``values``: a ``LayerCall`` (a name stays a name).

    Formula errors (an unknown name, a division by zero) surface here; a constructor's refusal of its
    arguments surfaces when the call is built.
    """
    if isinstance(spec, str):
        return spec
    call = spec.evaluate(values, _RECORDERS)
    if not isinstance(call, LayerCall):
        raise FormulaError(f"{spec.text!r} is not a layer")
    return call


def build_call(call: LayerCall | str) -> nn.Module:
    """Build a described layer (or a named architecture) on the meta device."""
    from studycards.architectures import build_architecture

    with torch.device("meta"):
        if isinstance(call, str):
            return build_architecture(call)
        return _build(call)


def _build(value: Any) -> Any:
    if isinstance(value, LayerCall):
        functions = spec_functions()
        args = tuple(_build(arg) for arg in value.args)
        kwargs = {key: _build(arg) for key, arg in value.kwargs}
        return functions[value.name](*args, **kwargs)
    if isinstance(value, tuple):
        return tuple(_build(item) for item in value)
    return value


def typed_layer(spec: Formula | str, values: Mapping[str, Any]) -> str:
    """The layer ``spec`` builds, written as a learner would type it: ``LSTM(8, 20, batch_first=True)``.

    Every argument is evaluated with ``values`` (``bf == 1`` becomes ``True``, ``7 * 7 * 512`` becomes
    ``25088``), a conditional is replaced by the branch that was built, and a keyword argument equal to the
    constructor's default is left out, so the text shows what torch built rather than the deck's template.
    """
    if isinstance(spec, str):
        return spec
    return _typed(spec.tree, values)


def _typed(node: ast.expr, values: Mapping[str, Any]) -> str:
    if isinstance(node, ast.IfExp):
        return _typed(node.body if _evaluate(node.test, values) else node.orelse, values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SPEC_CALLS:
        name = node.func.id
        defaults = _keyword_defaults(name)
        parts = [_typed(arg, values) for arg in node.args]
        for keyword in node.keywords:
            value = _evaluate(keyword.value, values) if not _is_layer(keyword.value) else None
            if keyword.arg in defaults and value is not None and _same(value, defaults[keyword.arg]):
                continue
            parts.append(f"{keyword.arg}={_typed(keyword.value, values)}")
        return f"{name}({', '.join(parts)})"
    return python_literal(_evaluate(node, values))


def _is_layer(node: ast.expr) -> bool:
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", None) in SPEC_CALLS for n in ast.walk(node))


def _evaluate(node: ast.expr, values: Mapping[str, Any]) -> Any:
    from studycards.formula import BASE_FUNCTIONS

    formula = Formula(text=ast.unparse(node), tree=node, names=frozenset(), calls=frozenset())
    return formula.evaluate(values, BASE_FUNCTIONS)


def _same(value: Any, default: Any) -> bool:
    """``bias=True`` equals its default; ``bias=1`` is not the same text, so it stays."""
    if isinstance(value, bool) or isinstance(default, bool):
        return type(value) is type(default) and value == default
    if isinstance(value, int | float | Fraction) and isinstance(default, int | float):
        return value == default
    return type(value) is type(default) and value == default


_DEFAULTS: dict[str, dict[str, Any]] = {}


def _keyword_defaults(name: str) -> dict[str, Any]:
    """The constructor's keyword defaults (``bias=True``, ``bidirectional=False``), read once per layer."""
    if name not in _DEFAULTS:
        import inspect

        constructor = _constructors().get(name)
        if isinstance(constructor, type) and issubclass(constructor, nn.RNNBase):
            constructor = nn.RNNBase  # RNN, LSTM and GRU take *args, **kwargs; their base names the defaults
        try:
            signature = inspect.signature(constructor)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            _DEFAULTS[name] = {}
        else:
            _DEFAULTS[name] = {
                key: p.default for key, p in signature.parameters.items() if p.default is not inspect.Parameter.empty
            }
            if name == "RNN":
                _DEFAULTS[name]["nonlinearity"] = "tanh"
    return _DEFAULTS[name]


def python_literal(value: Any) -> str:
    """A value as Python code writes it: ``True``, ``'relu'``, ``0.5``, ``(3, 5)``, ``(7,)``."""
    if isinstance(value, bool | str):
        return repr(value)
    if isinstance(value, Fraction):
        return repr(float(value)) if value.denominator != 1 else str(value.numerator)
    if isinstance(value, tuple | list):
        items = [python_literal(v) for v in value]
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    return str(value)


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
