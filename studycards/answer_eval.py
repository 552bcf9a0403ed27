"""Step 3 of reading an answer: a validated tree's value, computed exactly and within bounds, or its sympy form.

Arithmetic runs over ``int``/``Fraction`` with the size of every number checked before each power and
after each step, so no answer can ask for unbounded work; tanh, σ, exp and log are exact where the
value is rational, else floats kept to 20 decimals. ``to_sympy`` builds a sympy expression directly
from the tree: sympy only ever sees validated trees whose constant parts were already computed within
bounds, never the typed text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from studycards.answer_nodes import (
    FUNCTION_DIGITS,
    MAX_EXP_ARGUMENT,
    MAX_EXPONENT,
    MAX_INT_BITS,
    TRANSCENDENTAL,
    BinOp,
    Call,
    Neg,
    Node,
    Num,
    Number,
    Sym,
    Tup,
    UnreadableAnswer,
    Value,
)
from studycards.formula import exceeds_bits
from studycards.formula import whole as _normal


def evaluate(tree: Node, env: Mapping[str, Any], settle: bool = True) -> tuple[Value, bool]:
    """The value of a validated tree and whether it is exact.

    Arithmetic is exact. A square root that is not rational is approximated to 20 decimals; with
    ``settle``, if the approximations only went through ``+ - * / **``, sympy's exact algebra settles
    the result (``sqrt(8)*sqrt(2)`` is 4, exactly). If one went through ``floor``, ``//``, ``min``...
    the result stays an approximation: sympy would have to evaluate digits of an irrational number,
    which is exactly the kind of unbounded work an answer must not be able to ask for. Callers that
    evaluate at many points pass ``settle=False`` and compare approximations with a tiny tolerance.
    """
    evaluator = Evaluator(env)
    value = evaluator.visit(tree)
    if not evaluator.approximations:
        return value, True
    if settle and not evaluator.rounded and not evaluator.used_function:
        exact = _exact_by_sympy(tree, env)
        if exact is not None:
            return exact, True
    return value, False


_ROUNDING = frozenset({"floor", "ceil", "min", "max", "abs", "//", "%"})
_INVERSES = {"exp": "log", "log": "exp"}


class Evaluator:
    """Exact arithmetic over ``int``/``Fraction`` with every size checked.

    ``approximations`` counts irrational square roots; ``rounded`` notes one that fed ``floor``, ``//``
    and the like (comparisons of approximations), where sympy is not asked to settle it.
    """

    def __init__(self, env: Mapping[str, Any]) -> None:
        self.env = env
        self.approximations = 0
        self.rounded = False
        self.used_function = False  # an approximated tanh/σ/exp/log: never handed to sympy to settle

    def visit(self, node: Node) -> Any:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Sym):
            try:
                value = self.env[node.name]
            except KeyError:
                raise UnreadableAnswer(f"{node.name!r} has no value here") from None
            if isinstance(value, bool) or not isinstance(value, int | Fraction):
                if isinstance(value, float) and math.isfinite(value):
                    return _normal(Fraction(repr(value)))
                raise UnreadableAnswer(f"{node.name!r} is not a number here")
            return value
        if isinstance(node, BinOp):
            before = self.approximations
            left, right = self.visit(node.left), self.visit(node.right)
            if node.op in _ROUNDING and self.approximations > before:
                self.rounded = True
            return checked(_normal(self.binop(node.op, left, right)))
        if isinstance(node, Neg):
            return -self.visit(node.operand)
        if isinstance(node, Call):
            inverse = _INVERSES.get(node.name)
            if inverse is not None and isinstance(node.args[0], Call) and node.args[0].name == inverse:
                return self.inverse_of(node.name, node.args[0].args[0])
            before = self.approximations
            args = [self.visit(arg) for arg in node.args]
            if node.name in _ROUNDING and self.approximations > before:
                self.rounded = True
            return checked(_normal(self.call(node.name, args)))
        return tuple(self.visit(item) for item in node.items)

    def binop(self, op: str, left: Number, right: Number) -> Number:
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "**":
            return self.power(left, right)
        if right == 0:
            raise UnreadableAnswer("division by zero")
        if op == "/":
            return Fraction(left) / Fraction(right)
        if op == "//":
            return Fraction(left) // Fraction(right)
        return Fraction(left) % Fraction(right)

    def power(self, base: Number, exponent: Number) -> Number:
        if not isinstance(exponent, int):
            if exponent == Fraction(1, 2):
                return self.call("sqrt", [base])
            raise UnreadableAnswer("only whole-number powers (or ** 0.5) are allowed")
        if abs(exponent) > MAX_EXPONENT:
            raise UnreadableAnswer(f"the exponent {_short(exponent)} is larger than {MAX_EXPONENT}")
        if base == 0 and exponent < 0:
            raise UnreadableAnswer("division by zero")
        if base in (0, 1) or exponent in (0, 1):
            return base if exponent == 1 else (1 if exponent == 0 or base == 1 else 0)
        fraction = Fraction(base)
        bits = max(abs(fraction.numerator).bit_length(), fraction.denominator.bit_length())
        if bits > 1 and (bits - 1) * abs(exponent) > MAX_INT_BITS:
            raise UnreadableAnswer("a number in the answer grows too large")
        return fraction**exponent

    def call(self, name: str, args: list[Any]) -> Number:
        if name in ("min", "max"):
            return (min if name == "min" else max)(args)
        (x,) = args
        if name in TRANSCENDENTAL:
            return self.transcendental(name, x)
        if name == "floor":
            return math.floor(x)
        if name == "ceil":
            return math.ceil(x)
        if name == "abs":
            return abs(x)
        if x < 0:
            raise UnreadableAnswer("square root of a negative number")
        fraction = Fraction(x)
        top, bottom = math.isqrt(fraction.numerator), math.isqrt(fraction.denominator)
        if top * top == fraction.numerator and bottom * bottom == fraction.denominator:
            return Fraction(top, bottom)
        self.approximations += 1
        return Fraction(math.isqrt(fraction.numerator * 10**40 // fraction.denominator), 10**20)


    def inverse_of(self, name: str, inner: Node) -> Number:
        """``exp(log(x))`` and ``log(exp(x))`` are x, exactly (log still needs a positive x)."""
        x = self.visit(inner)
        if name == "exp" and x <= 0:
            raise UnreadableAnswer(f"log of {'zero' if x == 0 else 'a negative number'} is undefined")
        return x

    def transcendental(self, name: str, x: Number) -> Number:
        """tanh, σ, exp and log: exact where the value is rational, else a float kept to 20 decimals.

        The argument is checked before any work: exp beyond ±300 and log of 0 or less are refused, so
        ``exp(exp(exp(99)))`` stops at the second exp, in microseconds.
        """
        if x == 0 and name != "log":
            return {"tanh": 0, "sigmoid": Fraction(1, 2), "exp": 1}[name]
        if name == "log":
            if x <= 0:
                raise UnreadableAnswer(f"log of {'zero' if x == 0 else 'a negative number'} is undefined")
            if x == 1:
                return 0
        if name == "exp" and abs(x) > MAX_EXP_ARGUMENT:
            raise UnreadableAnswer(
                f"exp({_short_value(x)}) is out of range: its argument must be between "
                f"-{MAX_EXP_ARGUMENT} and {MAX_EXP_ARGUMENT}"
            )
        value = float(x)
        if name == "tanh":
            result = math.tanh(value)
        elif name == "exp":
            result = math.exp(value)
        elif name == "log":
            result = math.log(x) if isinstance(x, int) else math.log(x.numerator) - math.log(x.denominator)
        elif value >= 0:
            result = 1 / (1 + math.exp(-value))
        else:
            result = math.exp(value) / (1 + math.exp(value))
        self.approximations += 1
        self.used_function = True
        scale = 10**FUNCTION_DIGITS
        return Fraction(round(Fraction(result) * scale), scale)


def _short_value(value: Number) -> str:
    try:
        return _short(value) if isinstance(value, int) else f"{float(value):.6g}"
    except OverflowError:
        return "a huge number"


def checked(value: Any) -> Any:
    """``value`` itself, unless a numerator or denominator has grown past the bound: then refuse it."""
    if exceeds_bits(value, MAX_INT_BITS):
        raise UnreadableAnswer("a number in the answer grows too large")
    return value


def _short(value: Number) -> str:
    text = str(value)
    return text if len(text) <= 12 else f"{text[:6]}…({len(text)} digits)"


def _exact_by_sympy(tree: Node, env: Mapping[str, Any]) -> Value | None:
    """Settle square roots exactly (``sqrt(8)*sqrt(2)`` = 4): a Fraction if rational, else None."""
    import sympy

    value = to_sympy(tree, env)
    items = value if isinstance(value, sympy.Tuple) else (value,)
    if not all(item.is_Rational for item in items):
        return None
    numbers = tuple(_normal(Fraction(int(item.p), int(item.q))) for item in items)
    return numbers if isinstance(value, sympy.Tuple) else numbers[0]


def to_sympy(tree: Node, env: Mapping[str, Any] | None = None) -> Any:
    """A sympy object for a validated tree: names become real symbols, or values from ``env``.

    Subtrees without names were already computed within bounds while reading, and exact evaluation
    bounded every value ``env`` can produce, so sympy only combines small numbers and symbols.
    """
    import sympy

    def build(node: Node) -> Any:
        if isinstance(node, Num):
            value = Fraction(node.value)
            return sympy.Rational(value.numerator, value.denominator)
        if isinstance(node, Sym):
            if env is not None and node.name in env:
                value = Fraction(env[node.name])
                return sympy.Rational(value.numerator, value.denominator)
            return sympy.Symbol(node.name, real=True)
        if isinstance(node, Neg):
            return -build(node.operand)
        if isinstance(node, Tup):
            return sympy.Tuple(*(build(item) for item in node.items))
        if isinstance(node, Call):
            args = [build(arg) for arg in node.args]
            function = {
                "floor": sympy.floor, "ceil": sympy.ceiling, "sqrt": sympy.sqrt, "abs": sympy.Abs,
                "min": sympy.Min, "max": sympy.Max,
                # Unevaluated: sympy's own simplification of nested exp/tanh can run for minutes.
                "tanh": lambda x: sympy.tanh(x, evaluate=False), "exp": lambda x: sympy.exp(x, evaluate=False),
                "log": lambda x: sympy.log(x, evaluate=False),
                "sigmoid": lambda x: sympy.Pow(1 + sympy.exp(-x, evaluate=False), -1, evaluate=False),
            }[node.name]  # fmt: skip
            return function(*args)
        left, right = build(node.left), build(node.right)
        if node.op in ("/", "//", "%") and right == 0:
            raise UnreadableAnswer("division by zero")
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if node.op == "/":
            return left / right
        if node.op == "//":
            return sympy.floor(left / right)
        if node.op == "%":
            return sympy.Mod(left, right)
        return sympy.Pow(left, right)

    return build(tree)
