"""Formulas in decks, read by walking Python's ``ast`` against a whitelist and never ``eval``-ed.

A deck is a file anyone may share, so its formulas (answers, constraints, derived values, truth reads)
may only use numbers, the card's names, ``+ - * / // % **``, comparisons, ``and``/``or``/``not``,
``a if c else b``, tuples, constant subscripts (``shape[2]``) and a few named functions. Arithmetic is
exact: ``/`` gives a ``Fraction``, and a whole ``Fraction`` comes back as an ``int``. Powers and integer
sizes are bounded so that no formula can eat the machine.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from studycards.errors import FormulaError
from studycards.rendering import GROUP_FROM as GROUP_FROM  # values are written by rendering; kept importable here
from studycards.rendering import display_value as display_value
from studycards.rendering import render_value

Number = int | Fraction
MAX_TEXT = 2000
MAX_NODES = 400
MAX_EXPONENT = 256
MAX_INT_BITS = 4096


def _floor(x: Number) -> int:
    return math.floor(x)


def _ceil(x: Number) -> int:
    return math.ceil(x)


MAX_ROUND_DIGITS = 12


def rounded(x: Number, digits: int = 0) -> Number:
    """``x`` rounded to ``digits`` decimals, halves away from zero as people round by hand (2.45 → 2.5).

    Exact on Fractions, so ``round(1000*p, 1)`` of a share is the figure a person would write after "about".
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= MAX_ROUND_DIGITS:
        raise FormulaError(f"round(x, digits) takes 0 to {MAX_ROUND_DIGITS} whole digits")
    if isinstance(x, bool) or not isinstance(x, int | Fraction):
        raise FormulaError("round(x, digits) needs a number")
    scale = 10**digits
    scaled = abs(Fraction(x)) * scale
    units = math.floor(scaled + Fraction(1, 2))
    return whole(Fraction(units if x >= 0 else -units, scale))


def _sqrt(x: Number) -> Number:
    """Exact square root where there is one (``sqrt(d/h)`` for a perfect square), else a close Fraction."""
    if x < 0:
        raise FormulaError("square root of a negative number")
    frac = Fraction(x)
    num, den = math.isqrt(frac.numerator), math.isqrt(frac.denominator)
    if num * num == frac.numerator and den * den == frac.denominator:
        return whole(Fraction(num, den))
    return Fraction(math.sqrt(frac)).limit_denominator(10**12)


def _approx(function: Callable[[float], float]) -> Callable[[Number], Fraction]:
    """Transcendental functions (tanh, exp) give a close Fraction; cards using them set a tolerance."""

    def call(x: Number) -> Fraction:
        try:
            return Fraction(function(float(x))).limit_denominator(10**12)
        except (OverflowError, ValueError) as error:
            raise FormulaError(f"{function.__name__}({render_value(x)}) is out of range") from error

    call.__name__ = function.__name__
    return call


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


BASE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "tanh": _approx(math.tanh),
    "sigmoid": _approx(_sigmoid),
    "exp": _approx(math.exp),
    "log": _approx(math.log),
    "floor": _floor,
    "ceil": _ceil,
    "min": min,
    "max": max,
    "abs": abs,
    "sqrt": _sqrt,
}

_BINOPS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


def whole(value: Any) -> Any:
    """A whole Fraction becomes an int, so ``6/2`` reads as ``3`` everywhere."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def exceeds_bits(value: Any, max_bits: int) -> bool:
    """Whether an int, or a Fraction's numerator or denominator, is longer than ``max_bits``."""
    if isinstance(value, int):
        return value.bit_length() > max_bits
    if isinstance(value, Fraction):
        return value.numerator.bit_length() > max_bits or value.denominator.bit_length() > max_bits
    return False


def _check_size(value: Any) -> Any:
    if exceeds_bits(value, MAX_INT_BITS):
        raise FormulaError("a number in the formula grows too large")
    return value


def to_number(value: Any) -> Number:
    """A TOML value (int or float) as an exact number: floats through their decimal text, so 0.1 is 1/10."""
    if isinstance(value, bool):
        raise FormulaError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FormulaError(f"expected a finite number, got {value!r}")
        return whole(Fraction(repr(value)))
    if isinstance(value, Fraction):
        return whole(value)
    raise FormulaError(f"expected a number, got {value!r}")


@dataclass(frozen=True)
class Formula:
    """A parsed, whitelisted formula. ``names`` are the free names it reads; ``calls`` the functions."""

    text: str
    tree: ast.expr = field(repr=False, compare=False)
    names: frozenset[str]
    calls: frozenset[str]

    def evaluate(
        self,
        env: Mapping[str, Any],
        functions: Mapping[str, Callable[..., Any]] | None = None,
    ) -> Any:
        """The formula's value with ``env`` bound; ``functions`` add to (or replace) the base ones."""
        return _compiled(self.tree)(env, functions or {})


def parse_formula(
    text: str,
    *,
    extra_functions: frozenset[str] | set[str] = frozenset(),
    allow_strings: bool = False,
) -> Formula:
    """Read ``text`` into a ``Formula`` or raise ``FormulaError`` saying what is not allowed.

    ``extra_functions`` names calls allowed beyond the base ones (for example ``params`` in a truth
    read, or layer names in a layer spec). ``allow_strings`` admits string constants (``padding="same"``).
    """
    if not isinstance(text, str):
        raise FormulaError(f"expected a formula as text, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise FormulaError(f"formula is longer than {MAX_TEXT} characters")
    if "\x00" in text:
        raise FormulaError("formula contains a NUL character")
    # A formula may be wrapped over several lines in a TOML file; it is one expression, never statements.
    text = " ".join(text.split())
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as error:
        raise FormulaError(f"cannot read {text.strip()!r}: {error.msg}") from None
    allowed_calls = set(BASE_FUNCTIONS) | set(extra_functions)
    names: set[str] = set()
    calls: set[str] = set()
    for count, node in enumerate(ast.walk(tree), start=1):
        if count > MAX_NODES:
            raise FormulaError(f"formula has more than {MAX_NODES} parts")
        _validate_node(node, allowed_calls, allow_strings, names, calls)
    return Formula(text=text.strip(), tree=tree, names=frozenset(names - calls), calls=frozenset(calls))


def _validate_node(
    node: ast.AST,
    allowed_calls: set[str],
    allow_strings: bool,
    names: set[str],
    calls: set[str],
) -> None:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool | int | float):
            return
        if isinstance(value, str) and allow_strings:
            return
        raise FormulaError(f"{value!r} is not allowed in a formula")
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise FormulaError(f"name {node.id!r} is not allowed (names may not start with '_')")
        names.add(node.id)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in allowed_calls:
            what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise FormulaError(f"call to {what!r} is not allowed")
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(
            kw.arg is None for kw in node.keywords
        ):
            raise FormulaError("* and ** arguments are not allowed")
        calls.add(node.func.id)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.UAdd | ast.USub | ast.Not):
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
        return
    if isinstance(node, ast.Compare):
        if not all(type(op) in _COMPARE for op in node.ops):
            raise FormulaError("only == != < <= > >= comparisons are allowed")
        return
    if isinstance(node, ast.Subscript):
        if not (isinstance(node.slice, ast.Constant) and type(node.slice.value) is int) and not (
            isinstance(node.slice, ast.UnaryOp)
            and isinstance(node.slice.op, ast.USub)
            and isinstance(node.slice.operand, ast.Constant)
            and type(node.slice.operand.value) is int
        ):
            raise FormulaError("only a constant whole-number index like shape[2] is allowed")
        return
    if isinstance(
        node,
        ast.BoolOp | ast.IfExp | ast.Tuple | ast.List | ast.Load | ast.And | ast.Or | ast.keyword
        | ast.operator | ast.unaryop | ast.cmpop,
    ):
        return
    raise FormulaError(f"{type(node).__name__} is not allowed in a formula")


# A formula is evaluated many times (``check`` evaluates each placeholder, constraint and truth of a card
# at hundreds of seeds), so its tree is turned once into nested closures, one per node, and each
# evaluation runs those: the same steps, checks and messages as walking the tree, without finding each
# node's rule again. The closures are kept on the tree itself, so they live exactly as long as it does.
Compiled = Callable[[Mapping[str, Any], Mapping[str, Callable[..., Any]]], Any]
_COMPILED = "_studycards_compiled"


def _compiled(node: ast.AST) -> Compiled:
    compiled = node.__dict__.get(_COMPILED)
    if compiled is None:
        compiled = _compile(node)
        setattr(node, _COMPILED, compiled)
    return compiled


def _compile(node: ast.AST) -> Compiled:
    rule = _RULES.get(type(node))
    if rule is None:  # validated trees never get here
        message = f"{type(node).__name__} is not allowed in a formula"

        def refuse(env, functions):
            raise FormulaError(message)

        return refuse
    return rule(node)


def _constant(node: ast.Constant) -> Compiled:
    value = node.value
    if isinstance(value, float):
        return lambda env, functions: to_number(value)
    return lambda env, functions: value


def _name(node: ast.Name) -> Compiled:
    name = node.id
    if name in ("True", "False"):
        truth = name == "True"
        return lambda env, functions: truth

    def look_up(env, functions):
        try:
            return env[name]
        except KeyError:
            raise FormulaError(f"unknown name {name!r}") from None

    return look_up


def _tuple(node: ast.Tuple | ast.List) -> Compiled:
    elements = [_compiled(element) for element in node.elts]
    return lambda env, functions: tuple(element(env, functions) for element in elements)


def _unary(node: ast.UnaryOp) -> Compiled:
    operand = _compiled(node.operand)
    if isinstance(node.op, ast.Not):
        return lambda env, functions: not operand(env, functions)
    negate = isinstance(node.op, ast.USub)

    def sign(env, functions):
        value = operand(env, functions)
        _require_number(value, "unary sign")
        return -value if negate else value

    return sign


def _binary(node: ast.BinOp) -> Compiled:
    left, right = _compiled(node.left), _compiled(node.right)
    op = _BINOPS[type(node.op)]
    arithmetic = _ARITHMETIC[op]

    def binary(env, functions):
        a, b = left(env, functions), right(env, functions)
        _require_number(a, op)
        _require_number(b, op)
        return _check_size(whole(arithmetic(a, b)))

    return binary


def _divided(divide: Callable[[Fraction, Fraction], Number]) -> Callable[[Number, Number], Number]:
    def checked(a: Number, b: Number) -> Number:
        if b == 0:
            raise FormulaError("division by zero")
        return divide(Fraction(a), Fraction(b))

    return checked


_ARITHMETIC: dict[str, Callable[[Number, Number], Number]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divided(lambda a, b: a / b),
    "//": _divided(lambda a, b: a // b),
    "%": _divided(lambda a, b: a % b),
    "**": lambda a, b: _power(a, b),
}


def _compare(node: ast.Compare) -> Compiled:
    first = _compiled(node.left)
    steps = [(_COMPARE[type(op)], _compiled(comparator)) for op, comparator in zip(node.ops, node.comparators)]

    def compare(env, functions):
        left = first(env, functions)
        for holds, comparator in steps:
            right = comparator(env, functions)
            if not holds(left, right):
                return False
            left = right
        return True

    return compare


def _bool(node: ast.BoolOp) -> Compiled:
    values = [_compiled(value) for value in node.values]
    if isinstance(node.op, ast.And):

        def all_of(env, functions):
            result: Any = True
            for value in values:
                result = value(env, functions)
                if not result:
                    return result
            return result

        return all_of

    def any_of(env, functions):
        result: Any = False
        for value in values:
            result = value(env, functions)
            if result:
                return result
        return result

    return any_of


def _if(node: ast.IfExp) -> Compiled:
    test, body, orelse = _compiled(node.test), _compiled(node.body), _compiled(node.orelse)
    return lambda env, functions: body(env, functions) if test(env, functions) else orelse(env, functions)


def _subscript(node: ast.Subscript) -> Compiled:
    container_of, index_of = _compiled(node.value), _compiled(node.slice)

    def subscript(env, functions):
        container = container_of(env, functions)
        index = index_of(env, functions)
        if not isinstance(container, tuple):
            raise FormulaError("only shapes (tuples) can be indexed")
        try:
            return container[index]
        except IndexError:
            raise FormulaError(f"index {index} is out of range for a shape of {len(container)}") from None

    return subscript


def _call(node: ast.Call) -> Compiled:
    name = node.func.id  # type: ignore[attr-defined]  # validated: always a Name
    args = [_compiled(arg) for arg in node.args]
    keywords = [(keyword.arg, _compiled(keyword.value)) for keyword in node.keywords]

    def call(env, functions):
        function = functions[name] if name in functions else BASE_FUNCTIONS.get(name)
        if function is None:
            raise FormulaError(f"call to {name!r} is not allowed")
        values = [arg(env, functions) for arg in args]
        named = {key: value(env, functions) for key, value in keywords}
        try:
            return whole(function(*values, **named))
        except FormulaError:
            raise
        except (TypeError, ValueError, ArithmeticError) as error:
            raise FormulaError(f"{name}(...) failed: {error}") from None

    return call


_RULES: dict[type, Callable[[Any], Compiled]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.Tuple: _tuple,
    ast.List: _tuple,
    ast.UnaryOp: _unary,
    ast.BinOp: _binary,
    ast.Compare: _compare,
    ast.BoolOp: _bool,
    ast.IfExp: _if,
    ast.Subscript: _subscript,
    ast.Call: _call,
}


def _require_number(value: Any, op: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        shown = repr(value) if isinstance(value, bool | str | tuple | list) else f"a {type(value).__name__}"
        raise FormulaError(f"{op} needs numbers, got {shown}")


def _power(base: Number, exponent: Number) -> Number:
    if not isinstance(exponent, int):
        if base >= 0 and Fraction(exponent) == Fraction(1, 2):
            return _sqrt(base)
        raise FormulaError("only whole-number powers (or ** 0.5) are allowed")
    if abs(exponent) > MAX_EXPONENT:
        raise FormulaError(f"exponent {exponent} is larger than {MAX_EXPONENT}")
    if base == 0 and exponent < 0:
        raise FormulaError("division by zero")
    bits = abs(Fraction(base).numerator).bit_length() + Fraction(base).denominator.bit_length()
    if bits * abs(exponent) > MAX_INT_BITS:
        raise FormulaError("a number in the formula grows too large")
    return Fraction(base) ** exponent
