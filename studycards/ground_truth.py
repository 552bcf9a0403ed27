"""The torch ground-truth counter: parameter counts and output shapes read off real ``torch.nn`` modules.

Modules are built and run on the ``meta`` device: tensors there have shapes but no storage, so a forward
pass through VGG-16 propagates shapes without allocating or multiplying anything. This is what proves
every number a deck asks (``truth_of``) and what ``studycards count`` prints (``count``).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from fractions import Fraction
from typing import Any

import torch
from torch import nn

from studycards.errors import FormulaError, SpecError
from studycards.flops import FlopTally
from studycards.formula import Formula, render_value
from studycards.layer_count import LayerCount, Shape
from studycards.layer_spec import LayerCall, build_call, describe_layer, parse_spec, typed_layer
from studycards.layer_tree import tree_rows
from studycards.meta_memo import meta_memo
from studycards.readings import Count, TruthResult
from studycards.short_sequence import shorten_sequences
from studycards.torch_errors import about_the_input, check_arguments, explain, one_line, shape_text, shapes_of
from studycards.truth_budget import TruthTooCostly, check_deadline, deadline_hook

MAX_DIMS = 8


def count(spec: str, input: Sequence[int] | str | None = None) -> Count:  # noqa: A002 - the API's word
    """Count the parameters of ``spec`` (a layer spec with numbers, or an architecture name) and, given an
    input shape (or for a named architecture, its default 1×3×224×224), its output shape."""
    from studycards.architectures import DEFAULT_INPUT

    parsed = parse_spec(spec)
    if isinstance(parsed, Formula) and parsed.names:
        raise SpecError(f"cannot read layer spec: unknown name {sorted(parsed.names)[0]!r} (use numbers)")
    shape = _parse_input(input) if input is not None else None
    if shape is None and isinstance(parsed, str):
        shape = tuple(DEFAULT_INPUT)
    try:
        result = measure(parsed, {}, shape, True)
    except FormulaError as error:
        raise SpecError(one_line(f"cannot build {_lead(spec.strip())}: {error}")) from None
    if result.error is not None:
        if result.error.startswith("takes "):
            raise SpecError(one_line(f"{_lead(result.spec)} {result.error}"))
        seen = f" on input {_lead(shape_text(shape))}" if about_the_input(result.error) else ""
        raise SpecError(one_line(f"{_lead(result.spec)}{seen}: {result.error}"))
    return result


def _lead(spec: str) -> str:
    """A spec at the head of an error: long ones are cut so that the problem after them stays visible."""
    spec = " ".join(spec.split())
    return spec if len(spec) <= 80 else spec[:70].rstrip(", ") + "…"


def measure(spec: Formula | str, values: Mapping[str, Any], input_shape: Any, flops: bool = False) -> Count:
    """Build ``spec`` with ``values`` and run it on ``input_shape`` (None: parameters only), counting
    FLOPs too when ``flops`` (the counter slows the pass, so only truths that read FLOPs ask for it).

    Cached on what torch is given (the layer with its arguments evaluated, and the input shape), so
    checking 500 seeds of a card builds each distinct layer once, whatever else the seeds vary.
    """
    measured = _measure.__wrapped__ if _PLAIN else _measure
    result = measured(describe_layer(spec, values), _freeze(input_shape), flops)
    names = spec.names if isinstance(spec, Formula) else frozenset()
    return replace(result, spec=_typed_layer(spec, tuple(sorted((k, v) for k, v in values.items() if k in names))))


_PLAIN = False


@contextlib.contextmanager
def plain_torch() -> Iterator[None]:
    """Measure the plain way inside the block: no cache, no memo of meta kernels, every step of a
    recurrent layer run. Benchmarks and tests compare the fast path with this naive pass."""
    global _PLAIN
    _PLAIN = True
    try:
        yield
    finally:
        _PLAIN = False


_REUSED = threading.local()
REUSED_MODULES = 64  # the layers a card built last; a card's seeds mostly draw a few layers many inputs


@contextlib.contextmanager
def reusing_modules() -> Iterator[None]:
    """Inside the block (in this thread), a layer torch built is kept and measured again on each new input,
    instead of being built anew. ``check`` reuses one card's layers across its seeds; outside it every
    measurement builds its own layer, so a truth's deadline still covers building it."""
    outer = getattr(_REUSED, "modules", None)
    _REUSED.modules = OrderedDict() if outer is None else outer
    try:
        yield
    finally:
        _REUSED.modules = outer


def _built(call: LayerCall | str) -> nn.Module:
    """``call`` built on meta in eval mode, kept for reuse inside ``reusing_modules``: a forward pass on
    meta in eval mode changes nothing in a module, and every hook a measurement adds is removed after it."""
    kept = None if _PLAIN else getattr(_REUSED, "modules", None)
    if kept is None:
        return build_call(call).eval()
    module = kept.get(call)
    if module is None:
        module = kept[call] = build_call(call).eval()
        if len(kept) > REUSED_MODULES:
            kept.popitem(last=False)
    else:
        kept.move_to_end(call)
    return module


def _speedups() -> contextlib.AbstractContextManager:
    return contextlib.nullcontext() if _PLAIN else meta_memo()


@functools.lru_cache(maxsize=4096)
def _typed_layer(spec: Formula | str, bound: tuple) -> str:
    return typed_layer(spec, dict(bound))


def _freeze(shape: Any) -> Any:
    if shape is None:
        return None
    if isinstance(shape, tuple | list):
        return tuple(_freeze(s) for s in shape)
    return shape


@functools.lru_cache(maxsize=4096)
def _measure(call: LayerCall | str, input_shape: Any, count_flops: bool = False) -> Count:
    with warnings.catch_warnings():  # torch's warnings (Linear(0, 0): "zero-element tensors") are not ours
        warnings.simplefilter("ignore")
        return _measure_quietly(call, input_shape, count_flops)


def _measure_quietly(call: LayerCall | str, input_shape: Any, count_flops: bool) -> Count:
    # Eval mode: batch norm would refuse a batch of one 1×1 map in training mode, and dropout is moot.
    with _speedups():  # initialising weights on meta runs torch's Python kernels too
        module = _built(call)
    params = sum(p.numel() for p in module.parameters())
    buffers = sum(b.numel() for b in module.buffers())
    sizes = _buffer_sizes(module)
    text = ""  # the caller writes the layer as its deck spelled it
    named = _leaves(module)
    leaves = [(name or type(m).__name__, m) for name, m in named]
    recorded: dict[str, Shape | None] = {}
    raw_names = [name for name, _ in named]
    if input_shape is None:
        tree = tree_rows(module, _rows(leaves, recorded), raw_names)
        return Count(text, params, None, (), _not_groups(tree), buffers=buffers, tree=tree, buffer_sizes=sizes)
    shapes = _input_shapes(input_shape)
    hooks = [leaf.register_forward_hook(_recorder(recorded, name)) for name, leaf in leaves]
    running: list[tuple[str, nn.Module, tuple[Shape, ...]]] = []
    hooks += [leaf.register_forward_pre_hook(_starter(running, raw)) for raw, leaf in named]
    hooks += [leaf.register_forward_hook(_finisher(running)) for _, leaf in named]
    hooks += [leaf.register_forward_pre_hook(deadline_hook) for _, leaf in named]
    tally = FlopTally(module)
    # Registered last, so the layer table and error messages see the sequence as given.
    hooks += [] if _PLAIN else shorten_sequences(module, tally.stretch)
    error = check_arguments(module)
    outputs: tuple[Shape | None, ...] = ()
    try:
        if error is None:
            dtype = torch.long if isinstance(_first_leaf(module), nn.Embedding) else torch.float32
            tensors = [torch.empty(shape, device="meta", dtype=dtype) for shape in shapes]
            # The memo outside the FLOP counter: the counter still sees every op, the memo answers it.
            with _speedups(), tally.counting(count_flops), torch.no_grad():
                result = module(*tensors)
            outputs = tuple(_flatten_shapes(result))
    except TruthTooCostly:  # out of time: not torch's answer, and never cached as one
        raise
    except Exception as failure:  # torch rejects the input: that refusal is itself a fact to report
        error = one_line(explain(failure, running[-1] if running else None))
    finally:
        for hook in hooks:
            hook.remove()
    single = shapes[0] if len(shapes) == 1 else tuple(shapes)
    tree = tree_rows(module, _rows(leaves, recorded, tally.own(raw_names)), raw_names)
    return Count(text, params, single, outputs, _not_groups(tree), error, tally.total, buffers, tree, sizes)


def _buffer_sizes(module: nn.Module) -> tuple[tuple[str, int], ...]:
    """Elements per buffer name as torch names them (``running_mean``), summed over sublayers, so that a
    torch line can show where a buffer count comes from."""
    sizes: dict[str, int] = {}
    for name, buffer in module.named_buffers():
        short = name.rsplit(".", 1)[-1]
        sizes[short] = sizes.get(short, 0) + buffer.numel()
    return tuple(sizes.items())


def _not_groups(tree: tuple[LayerCount, ...]) -> tuple[LayerCount, ...]:
    """The rows that hold parameters or compute (every row but the containers), in tree order."""
    return tuple(row for row in tree if not row.group)


def _rows(
    leaves: list[tuple[str, nn.Module]], recorded: dict[str, Shape | None], flops: list[int | None] | None = None
) -> tuple[LayerCount, ...]:
    shares = flops or [None] * len(leaves)
    return tuple(
        LayerCount(name, type(m).__name__, _own_params(m), recorded.get(name), share)
        for (name, m), share in zip(leaves, shares)
    )


def _input_shapes(shape: Any) -> list[Shape]:
    """One shape ``(1, 3, 8, 8)`` or several ``((1, 5, 8), (1, 7, 8), (1, 7, 8))`` for several inputs."""
    if isinstance(shape, tuple) and shape and all(isinstance(s, tuple) for s in shape):
        shapes = [tuple(s) for s in shape]
    else:
        shapes = [tuple(shape)]
    for one in shapes:
        if not one or len(one) > MAX_DIMS or not all(isinstance(d, int) and 0 <= d <= 2**40 for d in one):
            raise FormulaError(f"input shape {render_value(one)} must be 1 to {MAX_DIMS} whole sizes ≥ 0")
    return shapes


def _parse_input(text: Sequence[int] | str) -> Shape | tuple[Shape, ...]:
    """``1,3,224,224`` is one input; ``2,5,16;2,7,16;2,7,16`` several (attention's query, key, value)."""
    if isinstance(text, str):
        shapes = tuple(_parse_one_shape(part, text) for part in text.split(";"))
        return shapes[0] if len(shapes) == 1 else shapes
    return _parse_one_shape(",".join(str(d) for d in text), str(text))


def _parse_one_shape(part: str, whole: str) -> Shape:
    pieces = [p.strip() for p in part.strip().strip("()[]").split(",") if p.strip()]
    try:
        dims = tuple(int(p) for p in pieces)
    except ValueError:
        raise SpecError(
            f"input shape {_quoted(whole)} must be whole numbers separated by commas, e.g. 1,3,224,224"
            " (several inputs separated by ';')"
        ) from None
    if not dims or len(dims) > MAX_DIMS or any(d < 0 or d > 2**40 for d in dims):
        raise SpecError(f"input shape {_quoted(whole)} must be 1 to {MAX_DIMS} whole sizes ≥ 0")
    return dims


def _quoted(text: str) -> str:
    """The user's --input in an error, cut short: 1,000 shapes are not echoed back."""
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _leaves(module: nn.Module) -> list[tuple[str, nn.Module]]:
    """The rows of a layer table: leaf modules, and any module holding parameters of its own
    (attention keeps its input projection on itself), so the rows always add up to the total."""
    return [
        (name, m)
        for name, m in module.named_modules()
        if not any(True for _ in m.children()) or _own_params(m) > 0
    ]


def _first_leaf(module: nn.Module) -> nn.Module:
    return next(m for _, m in module.named_modules() if not any(True for _ in m.children()))


def _own_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters(recurse=False))


def _starter(running: list, name: str):
    """Notes the layer now running and what it was given, so a refusal can name it."""

    def hook(module: nn.Module, inputs: Any) -> None:
        running.append((name, module, shapes_of(inputs)))

    return hook


def _finisher(running: list):
    def hook(_module: nn.Module, _inputs: Any, _output: Any) -> None:
        if running:
            running.pop()

    return hook


def _recorder(recorded: dict[str, Shape | None], name: str):
    def hook(_module: nn.Module, _inputs: Any, output: Any) -> None:
        shapes = list(_flatten_shapes(output))
        recorded[name] = shapes[0] if shapes else None

    return hook


def _flatten_shapes(result: Any):
    if isinstance(result, torch.Tensor):
        yield tuple(result.shape)
    elif isinstance(result, tuple | list):
        for item in result:
            yield from _flatten_shapes(item)
    elif result is None:
        yield None


# --- proving a generated question ------------------------------------------------------------------


def truth_of(question) -> TruthResult | None:
    """Check ``question`` against torch; None when its card has no torch truth (some choice cards).

    Bounded: a truth that would take more than a truth's memory or time fails with ``TruthTooCostly``
    naming the deck file, card and field (``studycards.truth_budget``), like any other deck error.
    """
    from studycards.truth_budget import truth_deadline

    card = question.card
    if card.truth is None:
        return None
    try:
        with truth_deadline():
            return _truth_of(question)
    except FormulaError as error:  # named like every deck error: file, card, then the field (``_field``)
        where = str(card.path) if card.path is not None else f"deck {card.deck_id!r}"
        raise type(error)(f"{where}: card {card.id!r}: {error}") from None


@contextmanager
def _field(name: str) -> Iterator[None]:
    """Name the truth field a deck error came from: ``field 'truth.read': ...``."""
    try:
        yield
    except FormulaError as error:
        if str(error).startswith("field '"):
            raise
        raise type(error)(f"field {name!r}: {error}") from None


def _truth_of(question) -> TruthResult:
    card = question.card
    truth = card.truth
    # `answer` may appear in a truth's layers and inputs too: "Conv2d(c, c, k, padding=answer)".
    values = {**question.values, "answer": question.answer}
    env: dict[str, Any] = dict(values)
    counts: dict[str, Count] = {}
    formula = truth.read if truth.read is not None else truth.holds
    wants_flops = "flops" in formula.names | formula.calls  # type: ignore[union-attr]
    for name, spec in truth.layers.items():
        check_deadline()
        input_formula = truth.inputs.get(name)
        with _field("truth.input" if len(truth.layers) == 1 else f"truth.inputs.{name}"):
            input_shape = input_formula.evaluate(values) if input_formula is not None else None
        with _field("truth.layer" if len(truth.layers) == 1 else f"truth.layers.{name}"):
            result = measure(spec, values, input_shape, wants_flops)
        counts[name] = result
        env[name] = result
    if len(counts) == 1:
        only = next(iter(counts.values()))
        env["params"] = only.params
        if only.output_shape is not None:
            env["shape"] = only.output_shape
        if only.flops is not None:
            env["flops"] = only.flops
    from studycards.torch_line import Trace, truth_lines
    from studycards.truth_functions import TRUTH_FUNCTIONS

    trace = Trace(env, counts)
    functions = {
        name: trace.wrap(name, f) if name in TRUTH_FUNCTIONS else trace.measurement(name, f)
        for name, f in truth_functions().items()
    }
    if truth.read is not None:
        with _field("truth.read"):
            value = truth.read.evaluate(trace, functions)
        agrees = answers_agree(question.answer, value, card.tolerance)
    else:
        with _field("truth.holds"):
            value = truth.holds.evaluate(trace, functions)  # type: ignore[union-attr]
        agrees = bool(value)
    return TruthResult(agrees=agrees, value=value, lines=truth_lines(truth, counts, trace, value, truth_functions()))


def torch_line(question: Any) -> str | None:
    """The torch line(s) shown for ``question`` (one per line), or None when its card has no torch truth."""
    result = truth_of(question)
    return None if result is None else "\n".join(result.lines)


def truth_functions() -> dict[str, Any]:
    """The functions a truth formula may call: measurements of its layers and CPU computations."""
    from studycards.truth_functions import TRUTH_FUNCTIONS

    return {
        "params": _params_of, "shape": _shape_of, "fails": _fails, "flops": _flops_of, "buffers": _buffers_of,
        **TRUTH_FUNCTIONS,
    }  # fmt: skip


def answers_agree(answer: Any, value: Any, tolerance: Any = None) -> bool:
    """Exact equality (within a card's tolerance for numbers), element by element for shapes."""
    if isinstance(answer, str) or isinstance(value, str):
        fold = lambda v: "".join(render_value(v).split()).casefold()  # noqa: E731
        return fold(answer) == fold(value)
    if isinstance(answer, tuple) or isinstance(value, tuple):
        return (
            isinstance(answer, tuple)
            and isinstance(value, tuple)
            and len(answer) == len(value)
            and all(answers_agree(a, v, tolerance) for a, v in zip(answer, value))
        )
    if isinstance(answer, bool) or isinstance(value, bool):
        return answer == value
    if tolerance:
        return abs(Fraction(answer) - Fraction(value)) <= Fraction(tolerance)
    return answer == value


def _as_count(value: Any, what: str) -> Count:
    if not isinstance(value, Count):
        raise FormulaError(f"{what}() takes the name of a truth layer")
    return value


def _params_of(layer: Any) -> int:
    return _as_count(layer, "params").params


def _shape_of(layer: Any, index: int = 0) -> Shape:
    result = _as_count(layer, "shape")
    if result.error is not None:
        raise FormulaError(f"torch refused the input: {result.error}")
    if not result.outputs:
        raise FormulaError("this truth layer has no input, so no output shape")
    if not 0 <= index < len(result.outputs) or result.outputs[index] is None:
        raise FormulaError(f"output {index} does not exist ({len(result.outputs)} outputs)")
    return result.outputs[index]  # type: ignore[return-value]


def _flops_of(layer: Any) -> int:
    result = _as_count(layer, "flops")
    if result.flops is None:
        raise FormulaError("this truth layer has no input, so no FLOPs" if result.error is None else result.error)
    return result.flops


def _buffers_of(layer: Any) -> int:
    return _as_count(layer, "buffers").buffers


def _fails(layer: Any) -> bool:
    return _as_count(layer, "fails").error is not None
