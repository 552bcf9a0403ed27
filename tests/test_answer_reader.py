"""Reading typed answers: paper notation in, an exact value or a clear reason out, never ``eval``."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.answer_reader import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    UnreadableAnswer,
    preview,
    read_answer,
)
from studycards.deck import load_deck
from studycards.question import generate

CONV = frozenset({"i", "k", "p", "s"})


def value(text: str, symbols=None, kind=None, **env):
    return read_answer(text, symbols=symbols, kind=kind).value(env)


def reason(text: str, symbols=None, kind=None) -> str:
    with pytest.raises(UnreadableAnswer) as caught:
        read_answer(text, symbols=symbols, kind=kind)
    message = caught.value.reason
    assert "\n" not in message
    return message


@pytest.fixture(scope="module")
def cnn():
    from studycards.locations import bundled_decks_dir

    return {card.id: card for card in load_deck(bundled_decks_dir() / "cnn.toml").cards}


# --- paper notation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11*11*3*48*2", 34848),
        ("55×55×96", 290400),
        ("55 x 55 x 96", 290400),
        ("55x55x96", 290400),
        ("2^10", 1024),
        ("2**10", 1024),
        ("2¹⁰", 1024),
        ("10⁻¹", Fraction(1, 10)),
        ("2·3", 6),
        ("2⋅3", 6),
        ("12÷4", 3),
        ("−3 + 5", 2),
        ("5 – 3", 2),
        ("2*55/2", 55),
        ("7/2", Fraction(7, 2)),
        ("3.5", Fraction(7, 2)),
        ("0.1 + 0.2", Fraction(3, 10)),
        (".5", Fraction(1, 2)),
        ("1e6", 1_000_000),
        ("1.5e-3", Fraction(3, 2000)),
        ("1_000", 1000),
        ("007", 7),
        ("⌊7/2⌋ + 1", 4),
        ("⌈7/2⌉", 4),
        ("floor(7/2)", 3),
        ("ceil(7/2)", 4),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("abs(-4)", 4),
        ("sqrt(16)", 4),
        ("√16", 4),
        ("√(9/4)", Fraction(3, 2)),
        ("16 ** 0.5", 4),
        ("sqrt(8)*sqrt(2)", 4),
        ("２＋３", 5),
        ("= 34848", 34848),
        ("  42  ", 42),
        ("-2^2", -4),
        ("(-2)^2", 4),
        ("2^-1", Fraction(1, 2)),
        ("2^3^2", 512),
        ("2(3+4)", 14),
        ("(1+1)(2+2)", 8),
    ],
)
def test_paper_notation_reads_to_its_exact_value(text, expected):
    result = value(text, kind="number")
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("61,100,840", 61_100_840),
        ("1,024", 1024),
        ("1,234.5", Fraction(2469, 2)),
        ("61 100 840", 61_100_840),
        ("61\u2009100\u2009840", 61_100_840),
        ("61\u00a0100", 61_100),
        ("2*1,000", 2000),
        ("max(1,100)", 100),  # a function's commas separate its arguments
        ("(1,000 + 24)", 1024),
    ],
)
def test_thousands_separators_on_a_number_card(text, expected):
    assert value(text, kind="number") == expected


def test_commas_are_dimensions_on_a_shape_card_and_inside_brackets_when_the_card_is_unknown():
    assert value("(64,128)", kind="shape") == (64, 128)
    assert value("1,000", kind="shape") == (1, 0)
    assert value("(64,128)") == (64, 128)
    assert value("64,128") == 64128
    assert value("(1,8,64)", kind="shape") == (1, 8, 64)
    assert value("[1, 8, 64]", kind="shape") == (1, 8, 64)
    assert value("1, 8, 64", kind="shape") == (1, 8, 64)
    assert value("torch.Size([1, 64, 55, 55])", kind="shape") == (1, 64, 55, 55)
    assert "two numbers in a row" in reason("(32 128 128)", kind="shape")


def test_a_comma_decimal_on_a_number_card_says_to_use_a_dot():
    message = reason("3,5", kind="number")
    assert "2 values" in message and "dot" in message
    assert "3 values" in reason("1, 8, 64", kind="number")


def test_implicit_multiplication():
    env = {"i": 32, "k": 3, "p": 1, "s": 2}
    assert value("(i-k+2p)/s+1", CONV, **env) == Fraction(33, 2)
    assert value("2(k-1)", CONV, **env) == 4
    assert value("s(i-1)", CONV, **env) == 62  # a card name before a bracket multiplies
    assert value("k k", CONV, **env) == 9
    assert value("(i-k)(s)", CONV, **env) == 58
    assert value("2p s", CONV, **env) == 4
    assert read_answer("kk", symbols=frozenset({"k", "kk"})).names == {"kk"}  # names are never split


def test_the_reading_shows_where_multiplication_was_understood():
    assert read_answer("(i-k+2p)/s+1", symbols=CONV).render() == "(i − k + 2·p)/s + 1"
    assert read_answer("2(k-1)", symbols=CONV).render() == "2·(k − 1)"
    assert read_answer("a-(b-c)").render() == "a − (b − c)"
    assert read_answer("(a-b)-c").render() == "a − b − c"
    assert read_answer("a/(b*c)").render() == "a/(b·c)"
    assert read_answer("(a^b)^c").render() == "(a^b)^c"
    assert read_answer("a^b^c").render() == "a^b^c"
    assert read_answer("-(a+b)").render() == "−(a + b)"


def test_the_sympy_expression_is_built_from_the_tree():
    i, k, p, s = sympy.symbols("i k p s", real=True)
    assert read_answer("(i-k+2p)/s+1", symbols=CONV).expr == (i - k + 2 * p) / s + 1
    assert read_answer("floor((i-k+2p)/s)+1", symbols=CONV).expr == sympy.floor((i - k + 2 * p) / s) + 1
    assert read_answer("2^10").expr == sympy.Integer(1024)
    assert read_answer("(1, 8, 2^6)", kind="shape").expr == sympy.Tuple(1, 8, 64)
    assert read_answer("sqrt(8)").expr == 2 * sympy.sqrt(2)
    assert read_answer("0.1").expr == sympy.Rational(1, 10)


# --- the whitelist ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("q + 1", "'q' is not a name on this card (names: i, k, p, s)"),
        ("eval(1)", "'eval' is not a function an answer may use"),
        ("print(i)", "'print' is not a function"),
        ("floor", "floor needs its argument in brackets"),
        ("i.real", "attribute access is not allowed"),
        ("().__class__", "attribute access is not allowed"),
        ("i[0]", "indexing with [ ] is not allowed"),
        ("'abc'", "quotes are not allowed"),
        ('"1"', "quotes are not allowed"),
        ("lambda: 1", "':' at position 7 is not understood"),
        ("lambda", "'lambda' is not allowed in an answer"),
        ("1 if i else 2", "'if' is not allowed in an answer"),
        ("[i for i in k]", "'for' is not allowed in an answer"),
        ("i < k", "comparisons are not allowed"),
        ("i == k", "comparisons are not allowed"),
        ("__import__", "'__import__' is not allowed (names may not start with '_')"),
        ("_", "'_' is not allowed"),
        ("i @ k", "'@' at position 3 is not understood"),
        ("i & k", "'&' at position 3 is not understood"),
        ("{1: 2}", "'{' at position 1 is not understood"),
        ("True", "'True' is not allowed"),
        ("None", "'None' is not allowed"),
        ("floor(1, 2)", "floor takes exactly one argument, got 2"),
        ("max()", "max takes 1 to 16 arguments, got 0"),
        ("((i, k), s)", "a shape is one flat list of numbers"),
        ("(i, k) + 1", "a shape is one flat list of numbers"),
        ("()", "the shape is empty"),
        ("(i + k", "the brackets do not match"),
        ("i + ", "not a complete formula"),
        ("2 3", "two numbers in a row: '2 3'"),
        ("і + k", "U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I"),
        ("𝑖 + k", "MATHEMATICAL ITALIC SMALL I"),
        ("i\u200b+k", "invisible or control character (U+200B ZERO WIDTH SPACE)"),
        ("i\x00", "invisible or control character (U+0000"),
        ("\u202ei+k", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("", "the answer is empty"),
        ("   ", "the answer is empty"),
        ("1/0", "division by zero"),
        ("0^-1", "division by zero"),
        ("sqrt(-4)", "square root of a negative number"),
        ("2^(1/3)", "only whole-number powers (or ** 0.5) are allowed"),
    ],
)
def test_what_is_not_understood_is_named(text, words):
    assert words in reason(text, CONV)


def test_without_a_card_any_plain_name_is_a_symbol_but_not_dunders():
    assert read_answer("foo + bar").names == {"foo", "bar"}
    assert "not allowed" in reason("__class__")
    assert "'eval' is not a function an answer may use" in reason("eval(1)")
    assert "'s' is not a function" in reason("s(i-1)")  # only a card's own names multiply a bracket


# --- bounds -----------------------------------------------------------------------------------------


def test_bounds_are_named_and_enforced():
    assert f"longer than {MAX_LENGTH} characters" in reason("1" * (MAX_LENGTH + 1))
    assert f"longer than {MAX_LENGTH} characters" in reason("1" * 1_000_000)
    assert value(" " * 100 + "1" + " " * 100) == 1  # surrounding spaces do not count
    assert "more than 50 digits" in reason("9" * 51)
    assert value("9" * 50) == int("9" * 50)
    assert "exponent 387420489 is larger than 512" in reason("9**9**9")
    assert "larger than 512" in reason("2^1000")
    assert "grows too large" in reason("3^500")
    assert "grows too large" in reason("10^150 * 10^150")
    assert value("2^512") == 2**512
    assert "exponent in '1e999999' is larger than 60" in reason("1e999999")
    assert "nested more than 20 deep" in reason("(" * 21 + "1" + ")" * 21)
    assert value("(" * 20 + "1" + ")" * 20) == 1
    assert f"nested more than {MAX_DEPTH} deep" in reason("-" * 150 + "1")
    assert f"more than {MAX_NODES} parts" in reason("+".join(["1"] * 80))
    assert value("+".join(["1"] * 70)) == 70
    assert "at most 16 dimensions" in reason("(" + ",".join(["1"] * 17) + ")", kind="shape")
    assert "longer than 32 characters" in reason("a" * 40)


def test_symbolic_answers_are_bounded_when_evaluated():
    reading = read_answer("i^i^i", symbols=CONV)  # fine to read; too large once i is known
    with pytest.raises(UnreadableAnswer, match="larger than 512|grows too large"):
        reading.value({"i": 64})
    assert reading.value({"i": 2}) == 16


# --- the live preview -------------------------------------------------------------------------------


def test_preview_reads_and_computes(cnn):
    card = cnn["conv-params"]
    assert preview("11*11*3*48*2", card) == "reads as 11·11·3·48·2 = 34,848"
    assert preview("34848", card) == "reads as 34848"
    assert preview("k*k*c*o + o", card) == "reads as k·k·c·o + o"
    question = generate(card, 3)
    expected = question.answer
    assert preview("k*k*c*o + o", question) == f"reads as k·k·c·o + o = {expected:,}"
    assert preview("foo", card) == "cannot read: 'foo' is not a name on this card (names: c, k, o)"
    assert preview("1/0", card) == "cannot read: division by zero"
    assert preview("sqrt(2)", None) == "reads as sqrt(2) ≈ 1.414213562373"
    assert preview("(i-k+2p)/s+1", cnn["conv-output-formula"]) == "reads as (i − k + 2·p)/s + 1"
    assert preview("(1,8,64)", cnn["one-by-one-shape"]) == "reads as the shape (1, 8, 64)"
    assert preview("(1, 2*4, 64)", None) == "reads as the shape (1, 2·4, 64) = (1, 8, 64)"


# --- properties -------------------------------------------------------------------------------------

NAMES = ("i", "k", "p", "s")


@st.composite
def formulas(draw, depth: int = 0):
    """A random formula as (text a learner might type, the exact value at ENV computed independently)."""
    if depth >= 4 or draw(st.booleans()):
        if draw(st.booleans()):
            number = draw(st.integers(0, 300))
            return str(number), Fraction(number)
        name = draw(st.sampled_from(NAMES))
        return name, Fraction(ENV[name])
    op = draw(st.sampled_from(["+", "-", "*", "/", "//", "^", "neg", "floor", "max"]))
    left_text, left = draw(formulas(depth + 1))
    if op == "neg":
        return f"-({left_text})", -left
    if op == "floor":
        return f"floor({left_text})", Fraction(left.__floor__())
    right_text, right = draw(formulas(depth + 1))
    if op == "max":
        return f"max({left_text}, {right_text})", max(left, right)
    if op == "^":
        exponent = draw(st.integers(0, 3))
        return f"({left_text})^{exponent}", left**exponent
    if op in ("/", "//") and right == 0:
        right_text, right = f"({right_text} + 1)", right + 1
    combined = {
        "+": lambda: left + right,
        "-": lambda: left - right,
        "*": lambda: left * right,
        "/": lambda: left / right,
        "//": lambda: Fraction(left // right),
    }[op]()
    spacer = draw(st.sampled_from(["", " "]))
    return f"({left_text}){spacer}{op}{spacer}({right_text})", combined


ENV = {"i": 37, "k": 5, "p": 2, "s": 3}


@settings(max_examples=50, deadline=None)
@given(formulas())
def test_reading_agrees_with_exact_arithmetic_sympy_and_its_own_rendering(case):
    text, expected = case
    try:
        reading = read_answer(text, symbols=CONV)
    except UnreadableAnswer as error:  # only the size bounds may refuse a generated formula
        assert "large" in error.reason or "parts" in error.reason or "deep" in error.reason
        return
    got = reading.value(ENV)
    assert got == expected
    substituted = reading.expr.subs({sympy.Symbol(n, real=True): v for n, v in ENV.items()})
    assert substituted == sympy.Rational(expected.numerator, expected.denominator)
    again = read_answer(reading.render(), symbols=CONV)
    assert again.value(ENV) == expected


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80))
def test_preview_never_raises_on_any_text(text):
    line = preview(text, None)
    assert line.startswith(("reads as ", "cannot read: "))
    assert "\n" not in line


def test_a_one_element_shape_is_written_as_torch_prints_it():
    """``(5,)`` is a shape of one dimension: read as one and shown with its comma, never as ``(5)``."""
    assert value("(5,)", kind="shape") == (5,)
    assert value("(5,)") == (5,)
    assert preview("(5,)", None) == "reads as the shape (5,)"
    assert preview("[5]", None) == "reads as the shape (5,)"
    assert preview("(2*4,)", None) == "reads as the shape (2·4,) = (8,)"
