"""The torch line: the evidence torch gives for one question, written for the learner.

Each line names the exact layer torch built (``LSTM(8, 20, num_layers=3, batch_first=True)``, never the
deck's template), the input it saw and what it returned; values computed on the CPU (an LSTM step, a
softmax) get a line of their own. Only what the card's truth actually read for this question is shown,
and when that is more than one thing (several layers, several outputs), a last ``answer:`` line says
which of them gives the answer and how. ``ground_truth.truth_of`` writes these lines into each truth's
result (``TruthResult.lines``, also ``ground_truth.torch_line(question)``), so the TUI, ``show --truth``
and the text lint of ``check`` all read the same lines; this module only writes them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import Any

from studycards.errors import StudycardsError
from studycards.formula import BASE_FUNCTIONS, Formula, display_value, render_value
from studycards.rendering import is_unwieldy_fraction

# What torch calls the outputs of a layer that returns several (its documentation's names).
OUTPUT_NAMES: dict[str, tuple[str, ...]] = {
    "LSTM": ("output", "h_n", "c_n"),
    "GRU": ("output", "h_n"),
    "RNN": ("output", "h_n"),
    "MultiheadAttention": ("output", "weights"),
    "LSTMCell": ("h_1", "c_1"),
}

_OPS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "·", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "^"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.FloorDiv: 2, ast.Mod: 2, ast.Pow: 3}
_COMPARE = {ast.NotEq: "≠", ast.Lt: "<", ast.LtE: "≤", ast.Gt: ">", ast.GtE: "≥"}


_BREAKS = re.compile(r"(?<=\), )|(?= on \()|(?= → )|(?= \(\d[\d,]* parameters?)|(?= \([a-z_]+ \d)")


def wrap_torch_line(line: str, width: int) -> list[str]:
    """``line`` in lines of at most ``width``, broken only between layers (``ReLU(), | MaxPool2d(...``)
    or before `` on``/`` →``, continued two spaces in: a terminal's word wrap would split ``Conv2d(384,
    384, 3, ...)`` inside its arguments. A single piece longer than ``width`` is left for the terminal."""
    if len(line) <= width:
        return [line]
    lines: list[str] = []
    current = ""
    for piece in _BREAKS.split(line):
        if current and len(current.rstrip()) + len(piece.rstrip()) > width:
            lines.append(current.rstrip())
            current = "  " + piece.lstrip()
        else:
            current += piece
    lines.append(current.rstrip())
    return lines


class Trace(dict):
    """The names a truth formula is evaluated with, noting which layers it read for this question (a
    conditional reads only its taken branch) and every CPU computation with its arguments and result."""

    def __init__(self, env: Mapping[str, Any], layers: Mapping[str, Any]) -> None:
        super().__init__(env)
        self.layers = layers
        self.used: dict[str, None] = {}
        self.read: dict[str, set[str]] = {}  # per layer, the measurements read (``params``, ``buffers``)
        self.computed: list[tuple[str, tuple[Any, ...], dict[str, Any], Any]] = []

    def __getitem__(self, name: str) -> Any:
        if name in self.layers:
            self.used[name] = None
        elif name in ("params", "shape", "flops") and len(self.layers) == 1:
            self.used.update(dict.fromkeys(self.layers))
            self.read.setdefault(next(iter(self.layers)), set()).add(name)
        return super().__getitem__(name)

    def measurement(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` (``buffers``, ``params``), noting which layer it measured: its line then shows that."""

        def call(*args: Any, **kwargs: Any) -> Any:
            for layer, result in self.layers.items():
                if args and args[0] is result:
                    self.read.setdefault(layer, set()).add(name)
            return function(*args, **kwargs)

        return call

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            entry = (name, args, kwargs, result)
            if entry not in self.computed:
                self.computed.append(entry)
            return result

        return call


def number(value: Any) -> str:
    """A number as the learner reads it: thousands separators (37,752,832); shapes as torch prints them."""
    return display_value(value)  # the one rendering of numbers, shared with answers and verdicts


def shape_text(shape: Any) -> str:
    """A shape as torch prints its sizes: ``(1, 8, 18, 18)``, a single size as ``(4,)``."""
    if shape is None:
        return "nothing"
    if isinstance(shape, tuple) and len(shape) == 1:
        return f"({render_value(shape[0])},)"
    return render_value(tuple(shape))


def truth_lines(
    truth: Any, counts: Mapping[str, Any], trace: Trace, value: Any, functions: Mapping[str, Callable[..., Any]]
) -> tuple[str, ...]:
    """The torch line for one question: a line per layer (and computation) the truth read, then the answer's
    derivation when the evidence holds more than one thing. ``functions`` are the ones the truth formula
    could call (``ground_truth.truth_functions()``), to work out the branch it took."""
    used = [name for name in counts if name in trace.used]
    if not used and not trace.computed:
        used = list(counts)
    label = len(used) > 1
    lines = [_layer_line(name, counts[name], label, trace.read.get(name, set())) for name in used]
    lines += [_computed_line(*entry) for entry in trace.computed]
    several_outputs = any(len(counts[name].outputs) > 1 for name in used)
    if len(lines) > 1 or several_outputs:
        try:
            derivation = _derivation(truth, counts, dict(trace), value, functions)
        except StudycardsError:  # a part the truth never evaluated (after a false ``and``) may not evaluate
            derivation = ""
        if derivation:
            lines.append(derivation)
    return tuple(lines)


def _layer_line(name: str, result: Any, label: bool, read: set[str]) -> str:
    """One layer's line. Its parameter count is shown unless the truth read only its buffers (then the
    line shows those, which are what the question asks about)."""
    from studycards.layer_names import ARCHITECTURE_NAMES

    head = f"torch ({name}): " if label and result.spec not in ARCHITECTURE_NAMES else "torch: "
    only_buffers = "buffers" in read and not read & {"params", "flops"}
    if result.input_shape is None:
        if only_buffers:
            return f"{head}{result.spec} {_buffers(result)}"
        extra = f" and {_buffers(result).removeprefix('keeps ')}" if "buffers" in read else ""
        return f"{head}{result.spec} has {parameters(result.params)}{extra}"
    seen = render_value(result.input_shape)
    if result.error is not None:
        return f"{head}{result.spec} on {seen} fails: {result.error}"
    facts = [] if only_buffers else [parameters(result.params)]
    facts += [f"{number(result.flops)} FLOPs"] if getattr(result, "flops", None) is not None else []
    facts += [_buffers(result).removeprefix("keeps ")] if "buffers" in read else []
    if _is_matmul(result):  # not a module a learner would build: written as torch code writes it, a @ b
        left, right = result.input_shape
        facts = [fact for fact in facts if "parameter" not in fact]  # a product has no parameters to speak of
        return f"{head}{render_value(left)} @ {render_value(right)} → {_outputs(result)} ({', '.join(facts)})"
    return f"{head}{result.spec} on {seen} → {_outputs(result)} ({', '.join(facts)})"


def _is_matmul(result: Any) -> bool:
    shapes = result.input_shape
    return result.spec.replace(" ", "") == "MatMul()" and isinstance(shapes, tuple) and len(shapes) == 2


def _buffers(result: Any) -> str:
    """``keeps 33 numbers in its buffers (running_mean 16, running_var 16, num_batches_tracked 1)``."""
    total = result.buffers
    if total == 0:
        return "keeps no buffers"
    text = f"keeps {number(total)} number{'' if total == 1 else 's'} in its buffers"
    sizes = getattr(result, "buffer_sizes", ())
    if len(sizes) > 1:
        text += " (" + ", ".join(f"{name} {number(size)}" for name, size in sizes) + ")"
    return text


def _label(name: str, result: Any) -> str:
    """How a truth layer is named to the learner: a whole network by its name, others by the deck's."""
    from studycards.layer_names import ARCHITECTURE_NAMES

    return result.spec if result.spec in ARCHITECTURE_NAMES else name


def _output_name(result: Any, index: int) -> str:
    names = OUTPUT_NAMES.get(result.spec.split("(")[0], ())
    return names[index] if index < len(names) else f"output {index}"


def _outputs(result: Any) -> str:
    shown = [(i, s) for i, s in enumerate(result.outputs) if s is not None]
    if len(result.outputs) == 1:
        return shape_text(result.outputs[0])
    return ", ".join(f"{_output_name(result, i)} {shape_text(s)}" for i, s in shown)


def _sums(ones: int) -> str:
    return "1 sum, equal to 1" if ones == 1 else f"{number(ones)} sums, each 1"


def parameters(count: int) -> str:
    """``608 parameters``, ``1 parameter``."""
    return f"{number(count)} parameter{'' if count == 1 else 's'}"


def _computed_line(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> str:
    """A CPU computation written as the torch call it made."""
    from studycards.truth_functions import describe_call

    described = describe_call(name, args, kwargs, result)
    if described is not None:
        return described
    shown = [render_value(a) for a in args]
    if name in ("lstm_step", "lstm_preact_step"):
        gates = "i f g o" if name == "lstm_step" else "zi zf zg zo"
        what = "gates" if name == "lstm_step" else "gate pre-activations"
        values = [display_value(a) for a in args]  # values in a sentence, written as the solution writes them
        pairs = ", ".join(f"{g} = {v}" for g, v in zip(gates.split(), values))
        return (
            f"torch: LSTMCell(1, 1) with {what} {pairs} and c_prev = {values[4]}"
            f" → h_t = {display_value(result[0])}, c_t = {display_value(result[1])}"
        )
    if name == "softmax_sums":
        ones, layout = result
        dim = render_value(args[1] if len(args) > 1 else kwargs.get("dim"))
        return (
            f"torch: softmax over dim={dim} of a {shown[0]} tensor, then .sum(dim={dim}):"
            f" {_sums(ones)}, shape {shape_text(layout)}"
        )
    if name == "attention_weights":
        layer = f"MultiheadAttention({shown[0]}, {shown[1]}, batch_first=True)"
        options = []
        mask = kwargs.get("attn_mask", args[5] if len(args) > 5 else ())
        if mask != ():
            options.append(f"attn_mask of shape {shape_text(mask)}")
        if not kwargs.get("average", args[6] if len(args) > 6 else True):
            options.append("average_attn_weights=False")
        extra = f" with {' and '.join(options)}" if options else ""
        outcome = f"weights {shape_text(result)}" if result != () else "refused"
        return f"torch: {layer} on ({', '.join(shown[2:5])}){extra} → {outcome}"
    if name == "attention_scale":
        return (
            f"torch: MultiheadAttention({shown[0]}, {shown[1]}) divides its scores by {display_value(result)}"
            " (measured on one query and two keys)"
        )
    call = ", ".join(shown + [f"{k}={render_value(v)}" for k, v in kwargs.items()])
    return f"torch: {name}({call}) → {display_value(result)}"


def _derivation(
    truth: Any, counts: Mapping[str, Any], env: Mapping[str, Any], value: Any, functions: Mapping[str, Any]
) -> str:
    """How the answer follows from the evidence: ``answer: 294,912 − 135,168 = 159,744``, ``answer: h_n
    (6, 4, 64)``; for a check that holds without naming the answer, ``so: 707 + 1,414 + 1,414 = 3,535``."""
    renderer = _Render(counts, env, functions)
    if truth.read is not None:
        text = renderer.named(truth.read.tree)
        result = number(value) if not isinstance(value, tuple) else shape_text(value)
        if text == result:  # a bare number says nothing the lines above do not
            return ""
        if text.endswith(result) or "(" in text[-1:]:
            return f"answer: {text}"
        return f"answer: {text} {'≈' if is_unwieldy_fraction(value) else '='} {result}"
    parts, checks = [], []
    for conjunct in _conjuncts(truth.holds.tree):
        side = _answer_side(conjunct)
        if side is not None and not _calls_compute(side):
            text = renderer.named(side)
            if isinstance(renderer.resolve(side), ast.BinOp):
                result = renderer.evaluate(side)
                text = f"{text} {'≈' if is_unwieldy_fraction(result) else '='} {number(result)}"
            parts.append(text)
        elif _is_sum_check(conjunct):
            checks.append(renderer.text(conjunct))
    if parts:
        return "answer: " + ", ".join(dict.fromkeys(parts))
    return "so: " + ", ".join(checks) if checks else ""


def _is_sum_check(node: ast.expr) -> bool:
    """``params(a) + params(b) == total``: arithmetic on measurements compared with a number."""
    return (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.Eq)
        and isinstance(node.left, ast.BinOp)
        and not _calls_compute(node)
    )


def _conjuncts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [part for value in node.values for part in _conjuncts(value)]
    return [node]


def _answer_side(node: ast.expr) -> ast.expr | None:
    """In ``X == answer`` (or ``answer == X``), the X that torch measured."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq)):
        return None
    left, right = node.left, node.comparators[0]
    if isinstance(right, ast.Name) and right.id == "answer":
        return left
    if isinstance(left, ast.Name) and left.id == "answer":
        return right
    return None


def _calls_compute(node: ast.expr) -> bool:
    from studycards.layer_names import COMPUTE_FUNCTIONS

    return any(isinstance(n, ast.Call) and getattr(n.func, "id", "") in COMPUTE_FUNCTIONS for n in ast.walk(node))


class _Render:
    """Writes a truth formula with torch's measurements in place of its calls."""

    def __init__(self, counts: Mapping[str, Any], env: Mapping[str, Any], functions: Mapping[str, Any]) -> None:
        self.counts = counts
        self.env = env
        self.functions = {**BASE_FUNCTIONS, **functions}

    def evaluate(self, node: ast.expr) -> Any:
        formula = Formula(text=ast.unparse(node), tree=node, names=frozenset(), calls=frozenset())
        return formula.evaluate(self.env, self.functions)

    def resolve(self, node: ast.expr) -> ast.expr:
        """The branch a conditional takes for this question."""
        while isinstance(node, ast.IfExp):
            node = node.body if self.evaluate(node.test) else node.orelse
        return node

    def named(self, node: ast.expr) -> str:
        """Like ``text``, but a lone parameter count says whose it is: ``37,748,736 parameters (fc6)``."""
        node = self.resolve(node)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "params" and node.args:
            layer = node.args[0]
            if isinstance(layer, ast.Name) and layer.id in self.counts:
                result = self.counts[layer.id]
                return f"{parameters(result.params)} ({_label(layer.id, result)})"
        return self.text(node)

    def text(self, node: ast.expr) -> str:
        if isinstance(node, ast.IfExp):
            return self.text(node.body if self.evaluate(node.test) else node.orelse)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            layer = node.args[0]
            if node.func.id in ("params", "shape") and isinstance(layer, ast.Name) and layer.id in self.counts:
                return self._fact(node.func.id, self.counts[layer.id], node.args[1:])
        if isinstance(node, ast.Name) and node.id in ("params", "shape") and len(self.counts) == 1:
            return self._fact(node.id, next(iter(self.counts.values())), [])
        if isinstance(node, ast.BinOp):
            left, right = self._operand(node.left, node, False), self._operand(node.right, node, True)
            return f"{left} {_OPS[type(node.op)]} {right}"
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            op = node.ops[0]
            symbol = ("=" if self.evaluate(node) else "≠") if isinstance(op, ast.Eq) else _COMPARE.get(type(op), "?")
            return f"{self.text(node.left)} {symbol} {self.text(node.comparators[0])}"
        if isinstance(node, ast.Tuple):
            return "(" + ", ".join(self.text(element) for element in node.elts) + ")"
        return number(self.evaluate(node))

    def _operand(self, node: ast.expr, parent: ast.BinOp, right: bool) -> str:
        text = self.text(node)
        if isinstance(node, ast.BinOp):
            inner, outer = _PRECEDENCE[type(node.op)], _PRECEDENCE[type(parent.op)]
            if inner < outer or (right and inner == outer and not isinstance(parent.op, ast.Add | ast.Mult)):
                return f"({text})"
        return text

    def _fact(self, what: str, result: Any, rest: list[ast.expr]) -> str:
        if what == "params":
            return number(result.params)
        index = self.evaluate(rest[0]) if rest else 0
        shape = result.outputs[index] if 0 <= index < len(result.outputs) else None
        if len(result.outputs) > 1:
            return f"{_output_name(result, index)} {shape_text(shape)}"
        return shape_text(shape)
