"""How values and answers are written for the learner: the one place that renders, after reading and judging.

An answer goes read (``answer_reader``) → judge (``grading``) → render (here). Values (``render_value``,
``display_value``: ``7/3``, ``3.5``, ``37,752,832``, ``(1, 4096)``), a read answer in paper notation
(``render``: ``(i − k + 2·p)/s + 1``), and the "reads as" line with its value (``describe``,
``show_value``: ``= 34848``, ``≈ 1.41421``) are all written here, so one answer's texts never go back
and forth between the reader and the grader, and a number is written one way wherever a learner reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Protocol

from studycards.answer_nodes import BinOp, Call, Neg, Node, Num, Sym, Tup, Value

# --- values -----------------------------------------------------------------------------------------


def render_value(value: Any) -> str:
    """How a value reads in a prompt or answer: ints plain, fractions as decimals where exact, tuples as
    Python and torch write them (a one-element one with its comma, ``(5,)``)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "(" + ", ".join(render_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        if _terminates(value):  # terminates in decimal: show it as a decimal
            text = f"{float(value):.12f}".rstrip("0").rstrip(".")
            return text
        if value.denominator > 1000:  # an approximation (tanh, exp): a decimal reads better
            return f"{float(value):.6g}"
        return f"{value.numerator}/{value.denominator}"
    return str(value)


def _terminates(value: Fraction) -> bool:
    """Whether the fraction is a terminating decimal (3.5, 0.125): its denominator has no prime but 2 and 5."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


GROUP_FROM = 1000  # whole numbers from four digits on are grouped, as the torch line and count do


def is_unwieldy_fraction(value: Any) -> bool:
    """A fraction a reader cannot take in at a glance (2241/869): shown as a decimal, after "≈"."""
    if not isinstance(value, Fraction) or _terminates(value):  # a terminating decimal (3.5) is shown exactly
        return False
    return abs(value.numerator) >= 1000 or value.denominator >= 100


def display_value(value: Any) -> str:
    """A value as the learner reads it in prose: ``render_value``, with thousands grouped (37,752,832).

    This is the one place that decides how a number is written for the learner: answers, verdicts,
    filled-in placeholders and the torch line all go through it. Shapes keep torch's own ``(1, 4096)``,
    and a placeholder inside code (``Linear({n}, 10)``) is filled with ``render_value`` (see ``fill``).
    """
    if isinstance(value, Fraction) and value.denominator == 1:
        value = value.numerator
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= GROUP_FROM:
        text = f"{value:,}"
    elif is_unwieldy_fraction(value):  # 2241/869 says less than 2.57883; 4/3 and 10/9 stay as they are
        text = f"{float(value):.6g}"
    else:
        text = render_value(value)
    # Prose writes a minus sign, as its formulas do ("(i − k)/s", "c_t = −0.67"); code keeps Python's "-".
    return "−" + text[1:] if text.startswith("-") else text


# --- a read answer -----------------------------------------------------------------------------------

_PRECEDENCE = {"+": 10, "-": 10, "*": 20, "/": 20, "//": 20, "%": 20, "**": 40}
_SHOWN = {"+": " + ", "-": " − ", "*": "·", "/": "/", "//": " // ", "%": " % ", "**": "^"}


def render(node: Node) -> str:
    """A tree in paper notation, bracketed exactly where its structure needs it."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Sym):
        return node.shown or node.name
    if isinstance(node, Tup):  # a one-dimensional shape keeps its comma, as torch prints it: (5,)
        return "(" + ", ".join(render(item) for item in node.items) + ("," if len(node.items) == 1 else "") + ")"
    if isinstance(node, Call):
        return f"{node.name}(" + ", ".join(render(arg) for arg in node.args) + ")"
    if isinstance(node, Neg):
        return "−" + _bracketed(node.operand, 30, strict=False)
    precedence = _PRECEDENCE[node.op]
    if node.op == "**":
        left = _bracketed(node.left, precedence, strict=True)
        right = _bracketed(node.right, precedence, strict=False)
    else:
        left = _bracketed(node.left, precedence, strict=False)
        right = _bracketed(node.right, precedence, strict=True)
        if _is_negative(node.right) and not right.startswith("("):
            right = f"({right})"  # 0.5·(−0.5), never 0.5·−0.5
    return left + _SHOWN[node.op] + right


def _is_negative(node: Node) -> bool:
    return isinstance(node, Neg) or (isinstance(node, Num) and node.value < 0)


def _bracketed(node: Node, outer: int, strict: bool) -> str:
    inner = _precedence_of(node)
    text = render(node)
    return f"({text})" if inner < outer or (strict and inner == outer) else text


def _precedence_of(node: Node) -> int:
    if isinstance(node, BinOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Neg):
        return 30
    if isinstance(node, Num) and node.value < 0:
        return 30
    return 50


class ReadAnswer(Protocol):
    """What ``describe`` needs of a ``Reading`` (named structurally: the reader imports this module)."""

    names: frozenset[str]

    def render(self) -> str: ...

    def evaluate(self, env: Mapping[str, Any] | None = None, settle: bool = True) -> tuple[Value, bool]: ...


def describe(
    reading: ReadAnswer, env: Mapping[str, Any] | None = None, evaluated: tuple[Value, bool] | None = None
) -> str:
    """How an answer was read, with its value when it has one: ``11·11·3·48·2 = 34848``.

    ``evaluated`` is ``reading.evaluate(env)`` when the caller (the grader) has already computed it, so
    an answer is evaluated once. Raises ``UnreadableAnswer`` when the value cannot be computed (division
    by zero).
    """
    shown = reading.render()
    env = env or {}
    if not reading.names <= set(env):
        return shown
    value, exact = evaluated if evaluated is not None else reading.evaluate(env)
    if reading.names or not exact or shown.replace("−", "-") != render_value(value) or is_unwieldy_fraction(value):
        return f"{shown} {show_value(value, exact)}"
    return shown  # a number typed as is reads back as typed; only what is worked out is grouped


def show_value(value: Value, exact: bool = True) -> str:
    """``= 34,848`` for an exact value shown exactly, ``≈ 1.41421`` for anything rounded; written as every
    value the learner reads is (``display_value``), so "read as … = 884,736" sits beside "expected 885,120"."""
    text = render_exact(value) if exact else None
    if text is None or is_unwieldy_fraction(value):
        return f"≈ {display_value(value)}"
    return f"= {display_value(value)}"


def render_exact(value: Value) -> str | None:
    """``render_value`` when it shows the value exactly (``3.5``, ``7/3``), else None (it is rounded)."""
    if isinstance(value, tuple):
        parts = [render_exact(item) for item in value]
        return None if None in parts else render_value(tuple(value))  # every part reads exactly
    text = render_value(value)
    try:
        return text if Fraction(text) == value else None
    except (ValueError, ZeroDivisionError):
        return None


def describe_flops(flops: int) -> str:
    """``8,178,368,512 = 8.18 G (4.09 G multiply-adds)``: torch's figure and the one papers publish."""
    for scale, prefix in ((10**12, "T"), (10**9, "G"), (10**6, "M")):
        if flops >= scale:
            return f"{flops:,} = {flops / scale:.2f} {prefix} ({flops / 2 / scale:.2f} {prefix} multiply-adds)"
    return f"{flops:,} ({flops // 2:,} multiply-adds)"
