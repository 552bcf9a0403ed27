"""Reading a typed answer (``11*11*3*48*2``, ``(i-k+2p)/s+1``, ``2^10``, ``(1, 8, 64)``) safely.

Learners write the way they write on paper, and an answer box is hostile input, so reading happens in
three bounded steps and nothing is ever ``eval``-ed (``sympify``/``parse_expr`` never see the text):

1. *Normalise* the text with our own tokenizer: ``^`` → ``**``, ``×``/``·`` → ``*`` (on a shape card
   ``8×2×3×6`` is the shape (8, 2, 3, 6)), ``÷`` → ``/``, unicode minus, superscripts (``2¹⁰``),
   ``⌊x⌋``/``⌈x⌉``/``√x``, ``σ``, thousands separators (``61,100,840``, never ``0,416``) and implicit
   multiplication (``2p``, ``2(k-1)``, ``(a)(b)``). Names resolve to the card's own (``K`` → ``k``,
   ``hidden_size`` → ``h``; see ``answer_names``). Only a short list of characters gets through, so
   look-alike letters, control characters and quotes are rejected with their code point.
2. *Parse* the normalised text with Python's ``ast`` (which only builds a tree) and translate it into a
   small tree of our own against a whitelist: numbers, the card's names, ``+ - * / // % **``,
   ``floor ceil min max sqrt abs tanh sigmoid exp log``, and one flat tuple for shapes. Length, depth,
   node count, digits, exponents and constant sizes are bounded here, so every later step only sees a
   small, valid tree.
3. *Evaluate* exactly with ``int``/``Fraction`` (sizes checked before each power and after each step;
   tanh, σ, exp and log exact where rational, else floats kept to 20 decimals), or build a sympy
   expression from the tree (``Reading.expr``); sympy only ever gets validated trees whose constant
   parts have already been computed within bounds.

``preview(text, card)`` is the one-line "reads as ..." / "cannot read: ..." shown while typing.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from studycards.answer_names import AmbiguousName, NameTable, card_names, name_table
from studycards.errors import StudycardsError
from studycards.formula import exceeds_bits, render_value
from studycards.formula import whole as _normal

Number = int | Fraction
Value = int | Fraction | tuple

MAX_LENGTH = 200  # characters of a typed answer
MAX_PAREN_DEPTH = 20
MAX_DEPTH = 100  # of the expression tree (a 200-character sum is at most 100 deep)
MAX_NODES = 150
MAX_DIGITS = 50  # in one number literal
MAX_E_EXPONENT = 60  # 1e60 at most in scientific notation
MAX_EXPONENT = 512  # in ``a ** n``
MAX_INT_BITS = 600  # of any intermediate numerator or denominator (about 180 digits)
MAX_ARGS = 16  # of min/max, and dimensions of a shape
MAX_NAME = 32

FUNCTIONS = ("floor", "ceil", "min", "max", "sqrt", "abs", "tanh", "sigmoid", "exp", "log")
ONE_ARGUMENT = frozenset({"floor", "ceil", "sqrt", "abs", "tanh", "sigmoid", "exp", "log"})
TRANSCENDENTAL = frozenset({"tanh", "sigmoid", "exp", "log"})  # computed in floating point, then rounded
MAX_EXP_ARGUMENT = 300  # exp(300) ≈ 2·10¹³⁰ still fits the size bounds; beyond it nothing useful does
FUNCTION_DIGITS = 20  # decimals a transcendental value is kept to (its float is good to about 16 digits)
KINDS = ("number", "expression", "shape", "choice")


class UnreadableAnswer(StudycardsError):
    """The answer cannot be read; ``reason`` says what was not understood, in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- the tree an answer is read into ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    value: Number
    text: str  # the literal as typed, separators removed


@dataclass(frozen=True, slots=True)
class Sym:
    name: str  # the card's own name, under which the value is looked up
    shown: str = ""  # the spelling the learner typed (``K`` for ``k``, ``hidden_size`` for ``h``)


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str  # + - * / // % **
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Tup:
    items: tuple[Node, ...]


Node = Num | Sym | BinOp | Neg | Call | Tup


@dataclass(frozen=True)
class Reading:
    """An answer read into a validated tree: what was typed, what it was read as, and its names."""

    text: str
    normalised: str
    tree: Node = field(repr=False)
    names: frozenset[str]

    @property
    def is_shape(self) -> bool:
        return isinstance(self.tree, Tup)

    def render(self) -> str:
        """How the answer was read, in the notation a learner writes: ``(i − k + 2·p)/s + 1``."""
        return render(self.tree)

    def value(self, env: Mapping[str, Any] | None = None) -> Value:
        """The value with ``env`` bound (int or Fraction, or a tuple for a shape); see ``evaluate``.

        Raises ``UnreadableAnswer`` for division by zero, an unknown name or a number grown too large.
        """
        return evaluate(self.tree, env or {})[0]

    def evaluate(self, env: Mapping[str, Any] | None = None, settle: bool = True) -> tuple[Value, bool]:
        """The value with ``env`` bound, and whether it is exact (False: an irrational, approximated)."""
        return evaluate(self.tree, env or {}, settle)

    @property
    def expr(self) -> Any:
        """The answer as a sympy expression (a ``sympy.Tuple`` for a shape), symbols for names."""
        return to_sympy(self.tree)


# --- step 1: normalising the text into tokens -----------------------------------------------------

_TRANSLATE = {
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "✕": "*", "✖": "*", "∗": "*", "•": "*",
    "÷": "/", "∕": "/", "⁄": "/",
    "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "﹣": "-",
    "\t": " ", "\n": " ", "\r": " ",
    "\u00a0": "\u2009", "\u202f": "\u2009", "\u2007": "\u2009",  # no-break spaces group thousands
    "\u3000": " ",
}  # fmt: skip
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TOKEN = re.compile(
    rf"""
    (?P<space>[ ]+)
  | (?P<group>\u2009+)
  | (?P<number>(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>(?:(?![{_SUP}])[^\W\d])(?:(?![{_SUP}])\w)*)
  | (?P<op>\*\*|//|[-+*/%(),\[\]^×])
  | (?P<sup>⁻?[{_SUP}]+)
  | (?P<mark>[⌊⌋⌈⌉√])
    """,
    re.VERBOSE,
)
_TORCH_SIZE = re.compile(r"^torch\s*\.\s*Size\s*\(\s*(\[.*\])\s*\)$", re.DOTALL)
_TIMES_X = re.compile(r"(?<=[\d)])\s*[xX]\s*(?=[\d(])")
_DIGIT_X_DIGIT = re.compile(r"(?<=\d)\s*[xX]\s*(?=\d)")
_SHAPE_TIMES = "×✕✖"  # on a shape card these separate dimensions, as in 8×2×3×6
_PURE_DIGITS = re.compile(r"^\d+$")


@dataclass
class _Token:
    kind: str  # number, name, op, space, group
    text: str
    pos: int
    typed: str = ""  # a name as the learner spelled it, when ``text`` is the card's own name for it


def normalise(
    text: str, symbols: frozenset[str] | set[str] | NameTable | None = None, kind: str | None = None
) -> str:
    """The answer rewritten as plain Python arithmetic (``2(k-1)`` → ``2 * ( k - 1 )``), or raise.

    ``symbols`` are the names the card knows (None: any plain name is a symbol); ``kind`` is the card
    kind, which decides whether commas separate thousands (number cards) or dimensions (shapes).
    """
    return " ".join(token.text for token in _normalised_tokens(text, _table(symbols), kind))


def _table(symbols: frozenset[str] | set[str] | NameTable | None) -> NameTable | None:
    if symbols is None or isinstance(symbols, NameTable):
        return symbols
    return name_table(symbols)


def _normalised_tokens(text: str, names: NameTable | None, kind: str | None) -> list[_Token]:
    return _tokens(_clean(text, names, kind), names, kind)


def _clean(text: str, names: NameTable | None, kind: str | None = None) -> str:
    if not isinstance(text, str):
        raise UnreadableAnswer(f"expected text, got {type(text).__name__}")
    if len(text) > 4 * MAX_LENGTH:  # reject megabytes before touching them
        raise UnreadableAnswer(f"the answer is longer than {MAX_LENGTH} characters")
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise UnreadableAnswer(f"the answer is longer than {MAX_LENGTH} characters")
    if not text:
        raise UnreadableAnswer("the answer is empty")
    chars = []
    for char in text:
        if kind == "shape" and char in _SHAPE_TIMES:
            chars.append("×")
            continue
        char = _TRANSLATE.get(char, char)
        if "\uff01" <= char <= "\uff5e":  # full-width forms typed with an IME: ２＋３ is 2+3
            char = chr(ord(char) - 0xFEE0)
        category = unicodedata.category(char)
        if category[0] == "Z" and char != "\u2009":
            char = " "  # any other space or line separator is a space
        elif category[0] == "C":  # control, format (zero-width, bidi), private use, unassigned
            raise UnreadableAnswer(f"the answer contains an invisible or control character ({_describe(char)})")
        chars.append(char)
    text = "".join(chars).strip()
    text = text.removeprefix("=").strip()  # "= 34848" as written under a sum
    size = _TORCH_SIZE.match(text)
    if size:  # pasted from PyTorch: torch.Size([1, 64, 55, 55])
        text = size.group(1)
    if kind == "shape":  # 8x2x3x6 is a shape even on a card with a name x: x2x3x6 could not be one
        text = _DIGIT_X_DIGIT.sub("×", text)
    if names is None or not names.knows("x"):
        text = _TIMES_X.sub("×" if kind == "shape" else "*", text)  # 55x55x96, 3 x 3
    return text


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".strip()


def _tokens(text: str, names: NameTable | None, kind: str | None) -> list[_Token]:
    raw: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            raise UnreadableAnswer(_not_understood(char, position))
        group = match.lastgroup or ""
        raw.append(_Token(group, match.group(), position))
        position = match.end()
    tokens = _expand_marks(raw)
    _check_names(tokens, names)
    tokens = _join_thousands(tokens, kind)
    tokens = [token for token in tokens if token.kind not in ("space", "group")]
    tokens = _dimensions(tokens)
    tokens = _implicit_multiplication(tokens)
    depth = 0
    for token in tokens:
        if token.kind == "number":
            token.text = _number_text(token.text)
        if token.text in ("(", "["):
            depth += 1
            if depth > MAX_PAREN_DEPTH:
                raise UnreadableAnswer(f"brackets are nested more than {MAX_PAREN_DEPTH} deep")
        elif token.text in (")", "]"):
            depth -= 1
    return tokens


def _not_understood(char: str, position: int) -> str:
    if char == ".":
        return "'.' is only allowed inside a decimal like 0.5 (attribute access is not allowed)"
    if char in "'\"":
        return "quotes are not allowed: an answer is a number, a formula or a shape"
    if char in "=<>!":
        return f"comparisons are not allowed ({char!r} at position {position + 1})"
    if char.isascii() and char.isprintable():
        return f"{char!r} at position {position + 1} is not understood"
    return f"the character {char!r} ({_describe(char)}) at position {position + 1} is not understood"


def _expand_marks(raw: list[_Token]) -> list[_Token]:
    """``^`` → ``**``, superscripts → ``** n``, ``⌊x⌋`` → ``floor(x)``, ``√x`` → ``sqrt(x)``."""
    tokens: list[_Token] = []
    index = 0
    while index < len(raw):
        token = raw[index]
        if token.kind == "op" and token.text == "^":
            tokens.append(_Token("op", "**", token.pos))
        elif token.kind == "sup":
            tokens.append(_Token("op", "**", token.pos))
            digits = token.text.translate(_SUPERSCRIPTS)
            if digits.startswith("-"):
                tokens.append(_Token("op", "-", token.pos))
                digits = digits[1:]
            tokens.append(_Token("number", digits, token.pos))
        elif token.kind == "mark" and token.text in "⌊⌈":
            tokens.append(_Token("name", "floor" if token.text == "⌊" else "ceil", token.pos))
            tokens.append(_Token("op", "(", token.pos))
        elif token.kind == "mark" and token.text in "⌋⌉":
            tokens.append(_Token("op", ")", token.pos))
        elif token.kind == "mark":  # √
            tokens.append(_Token("name", "sqrt", token.pos))
            following = raw[index + 1] if index + 1 < len(raw) else None
            if following is not None and following.kind in ("number", "name"):
                tokens += [_Token("op", "(", token.pos), following, _Token("op", ")", following.pos)]
                index += 1
        else:
            tokens.append(token)
        index += 1
    return tokens


def _check_names(tokens: list[_Token], names: NameTable | None) -> None:
    """Keywords, dunders and unknown names are refused here, each with its own reason.

    A known name is rewritten to the card's own name (``K`` → ``k``, ``hidden_size`` → ``h``), keeping
    the learner's spelling in ``typed``; a function typed in capitals (``Tanh``, ``σ``) becomes its name.
    """
    solid = [token for token in tokens if token.kind not in ("space", "group")]
    for index, token in enumerate(solid):
        if token.kind != "name":
            continue
        name = token.text
        called = index + 1 < len(solid) and solid[index + 1].text == "("
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            raise UnreadableAnswer(f"{name!r} is not allowed in an answer")
        if name.startswith("_") or "__" in name:
            raise UnreadableAnswer(f"{name!r} is not allowed (names may not start with '_')")
        if len(name) > MAX_NAME:
            raise UnreadableAnswer(f"the name {name[:12]!r}... is longer than {MAX_NAME} characters")
        function = _function_named(name, names)
        if function is not None:
            if not called:
                raise UnreadableAnswer(f"{name} needs its argument in brackets, like {name}(x)")
            token.text = function
            continue
        if names is not None:
            try:
                own = names.resolve(name)
            except AmbiguousName as error:
                raise UnreadableAnswer(str(error)) from None
            if own is not None:
                token.typed, token.text = name, own
                continue
        if called:
            raise UnreadableAnswer(
                f"{name!r} is not a function an answer may use (functions: {', '.join(FUNCTIONS)})"
            )
        if not name.isascii():  # a look-alike letter (Cyrillic і, Greek ο, 𝑖): name the culprit
            char = next(c for c in name if not c.isascii())
            raise UnreadableAnswer(f"the character {char!r} ({_describe(char)}) is not understood")
        if names is None:
            continue
        known = ", ".join(names.shown) or "none: type a number"
        raise UnreadableAnswer(f"{name!r} is not a name on this card (names: {known})")


def _function_named(name: str, names: NameTable | None) -> str | None:
    """The function ``name`` spells (``tanh``, ``Tanh``, ``σ``), unless the card has a name spelled so."""
    if name in FUNCTIONS:
        return name
    if names is not None and names.knows(name):
        return None
    if name == "σ":
        return "sigmoid"
    folded = name.casefold()
    return folded if folded in FUNCTIONS else None


def _join_thousands(tokens: list[_Token], kind: str | None) -> list[_Token]:
    """``61,100,840`` and ``61 100 840`` are one number, except where commas separate dimensions.

    Commas join only when every group after the first has exactly three digits, never on a shape card,
    never inside a function's brackets (``max(1,100)``), and, when the card is unknown, only outside
    brackets (``(64,128)`` stays a shape).
    """
    out: list[_Token] = []
    stack: list[bool] = []  # for each open bracket: is it a function call's?
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.text in ("(", "["):
            previous = next((t for t in reversed(out) if t.kind not in ("space", "group")), None)
            stack.append(token.text == "(" and previous is not None and previous.kind == "name")
        elif token.text in (")", "]") and stack:
            stack.pop()
        if token.kind == "number" and _PURE_DIGITS.match(token.text):
            may_group = kind not in ("shape", "choice") and (
                not stack if kind is None else not stack or not stack[-1]
            )
            end, joined = _group_run(tokens, index) if may_group else (index, None)
            if joined is not None:
                out.append(_Token("number", joined, token.pos))
                index = end
                continue
            if end > index:  # a list of numbers that is not one grouped number: keep it, scan past it
                out.extend(tokens[index:end])
                index = end
                continue
        out.append(token)
        index += 1
    return out


def _group_run(tokens: list[_Token], start: int) -> tuple[int, str | None]:
    """The end of a thousands-grouped number starting at ``start`` and its digits, or (start, None)."""
    for separator in ("op", "space", "group"):
        groups = [tokens[start].text]
        index = start + 1
        while (
            index + 1 < len(tokens)
            and tokens[index].kind == separator
            and (separator != "op" or tokens[index].text == ",")
            and tokens[index + 1].kind == "number"
            and re.match(r"^\d+(\.\d*)?$", tokens[index + 1].text)
        ):
            groups.append(tokens[index + 1].text)
            index += 2
        if len(groups) < 2:
            continue
        whole = [g.split(".")[0] for g in groups]
        fits = (
            1 <= len(whole[0]) <= 3
            and all(len(g) == 3 for g in whole[1:])
            and all("." not in g for g in groups[:-1])
        )
        if fits and whole[0].startswith("0"):
            typed = {"op": ",", "space": " ", "group": " "}[separator].join(groups)
            decimal = whole[0].lstrip("0") or "0"
            raise UnreadableAnswer(
                f"{typed} is not a number grouped in thousands (the first group cannot be {whole[0]}); "
                f"for a decimal, write a dot: {decimal}.{''.join(groups[1:])}"
            )
        if fits:
            return index, "".join(groups)
        if separator == "op":
            return index, None  # a comma list that is not thousands: dimensions, keep every comma
    return start, None


def _dimensions(tokens: list[_Token]) -> list[_Token]:
    """On a shape card, ``8×2×3×6`` (``×`` as the tokenizer marks it) is the shape (8, 2, 3, 6).

    A ``×`` at the top level, or just inside one pair of brackets around the whole answer, separates
    dimensions, unless that level already has commas (then it is a product, as anywhere else); a ``×``
    deeper in brackets is a product too. Each ``×`` needs a size on both sides.
    """
    if not any(token.text == "×" for token in tokens):
        return tokens
    wrapped = _wraps_all(tokens)
    top = 1 if wrapped else 0
    levels = _depths(tokens)
    separating = not any(t.text == "," and d == top for t, d in zip(tokens, levels))
    out: list[_Token] = []
    for index, (token, depth) in enumerate(zip(tokens, levels)):
        if token.text == "×":
            before = tokens[index - 1] if index else None
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if before is None or (before.kind == "op" and before.text not in (")", "]")):
                raise UnreadableAnswer(f"'×' at position {token.pos + 1} has no size before it")
            if after is None or (after.kind == "op" and after.text not in ("(", "[", "-", "+")):
                raise UnreadableAnswer(f"'×' at position {token.pos + 1} has no size after it")
            token = _Token("op", "," if separating and depth == top else "*", token.pos)
        out.append(token)
    if separating and not wrapped:
        out = [_Token("op", "(", 0), *out, _Token("op", ")", out[-1].pos)]
    return out


def _depths(tokens: list[_Token]) -> list[int]:
    """The bracket depth each token sits at (a bracket itself counts as inside what it opens)."""
    depths: list[int] = []
    depth = 0
    for token in tokens:
        if token.text in ("(", "["):
            depth += 1
        depths.append(depth)
        if token.text in (")", "]"):
            depth -= 1
    return depths


def _wraps_all(tokens: list[_Token]) -> bool:
    """Whether the first bracket closes at the very end: ``(8×2×3)``, not ``(8)×(2)``."""
    if not tokens or tokens[0].text not in ("(", "[") or tokens[-1].text not in (")", "]"):
        return False
    depth = 0
    for index, token in enumerate(tokens):
        if token.text in ("(", "["):
            depth += 1
        elif token.text in (")", "]"):
            depth -= 1
            if depth == 0:
                return index == len(tokens) - 1
    return False


def _implicit_multiplication(tokens: list[_Token]) -> list[_Token]:
    """Insert ``*`` where a learner writes it implicitly: ``2p``, ``2(k-1)``, ``(a)(b)``, ``s(i-1)``."""
    out: list[_Token] = []
    for token in tokens:
        if out:
            before = out[-1]
            ends_factor = before.kind == "number" or before.text in (")", "]") or (
                before.kind == "name" and before.text not in FUNCTIONS
            )
            starts_factor = token.kind in ("number", "name") or token.text == "("
            if ends_factor and starts_factor:
                if before.kind == "number" and token.kind == "number":
                    raise UnreadableAnswer(
                        f"two numbers in a row: '{before.text} {token.text}' (an operator is missing)"
                    )
                out.append(_Token("op", "*", token.pos))
        out.append(token)
    return out


def _number_text(text: str) -> str:
    """A literal checked for size and written the way ``ast`` reads it (no leading zeros)."""
    text = text.replace("_", "")
    mantissa, _, exponent = text.lower().partition("e")
    digits = mantissa.replace(".", "")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise UnreadableAnswer(f"a number has more than {MAX_DIGITS} digits")
    if exponent and (len(exponent.lstrip("+-")) > 3 or abs(int(exponent)) > MAX_E_EXPONENT):
        raise UnreadableAnswer(f"the exponent in {text[:20]!r} is larger than {MAX_E_EXPONENT}")
    whole, dot, fraction = mantissa.partition(".")
    whole = whole.lstrip("0") or "0"
    return whole + dot + (fraction or ("0" if dot else "")) + (f"e{exponent}" if exponent else "")


# --- step 2: parsing and validating the tree --------------------------------------------------------

_OPERATORS: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
}  # fmt: skip
_NOT_ALLOWED = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing with [ ]",
    ast.Lambda: "lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.ListComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Starred: "* unpacking",
    ast.Dict: "a dictionary",
    ast.Set: "a set",
    ast.JoinedStr: "a string",
}


def read_answer(
    text: str,
    card: Any = None,
    *,
    kind: str | None = None,
    symbols: frozenset[str] | set[str] | None = None,
) -> Reading:
    """Read ``text`` as an answer to ``card`` (a CardTemplate, or None for any plain names).

    ``kind`` and ``symbols`` override what the card says. Raises ``UnreadableAnswer`` with the reason.
    """
    names: NameTable | None = None
    if symbols is not None:
        names = _table(symbols)
    elif card is not None:
        names = card_names(card)
    if card is not None:
        kind = kind or card.kind
    tokens = _normalised_tokens(text, names, kind)
    normalised = " ".join(token.text for token in tokens)
    try:
        body = ast.parse(normalised, mode="eval").body
    except SyntaxError as error:
        raise UnreadableAnswer(_syntax_message(error, normalised)) from None
    except (ValueError, MemoryError, RecursionError):
        raise UnreadableAnswer("the answer is too deeply nested to read") from None
    _check_size(body)
    numbers = _number_table(normalised)
    tree = _Translator(numbers, _spelling_table(tokens)).translate(body, top=True)
    found = _names(tree)
    if isinstance(tree, Tup) and kind in ("number", "expression"):
        what = "a number" if kind == "number" else "one formula"
        hint = " (write decimals with a dot: 3.5)" if len(tree.items) == 2 else ""
        raise UnreadableAnswer(f"this card takes {what}, but the answer has {len(tree.items)} values{hint}")
    return Reading(text=text, normalised=normalised, tree=tree, names=found)


def card_symbols(card: Any) -> frozenset[str]:
    """The card's own names an answer may use (its numeric parameters and derived values), no aliases."""
    return card_names(card).names


def _spelling_table(tokens: list[_Token]) -> dict[int, str]:
    """Byte offset in the normalised text → a name as the learner typed it, where that differs."""
    table: dict[int, str] = {}
    offset = 0
    for token in tokens:
        if token.typed:
            table[offset] = token.typed
        offset += len(token.text.encode("utf-8")) + 1
    return table


def _syntax_message(error: SyntaxError, normalised: str) -> str:
    message = (error.msg or "invalid syntax").rstrip(".")
    if "never closed" in message or "unmatched" in message or "does not match" in message:
        return f"the brackets do not match ({message})"
    if message.startswith("invalid syntax"):
        return "it is not a complete formula (an operator or a number is missing)"
    return f"it is not a complete formula ({message})"


def _check_size(body: ast.AST) -> None:
    """Depth and node count, walked with an explicit stack so that a deep tree cannot recurse."""
    stack: list[tuple[ast.AST, int]] = [(body, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, ast.expr):
            continue
        nodes += 1
        if nodes > MAX_NODES:
            raise UnreadableAnswer(f"the answer has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise UnreadableAnswer(f"the answer is nested more than {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _number_table(normalised: str) -> dict[int, str]:
    """Byte offset → literal text, so a decimal is read from its digits, never through a float."""
    table: dict[int, str] = {}
    offset = 0
    for word in normalised.split(" "):
        if word and (word[0].isdigit() or word[0] == "."):
            table[offset] = word
        offset += len(word.encode("utf-8")) + 1
    return table


def _literal_value(text: str) -> Number:
    value = Fraction(text)
    return int(value) if value.denominator == 1 else value


class _Translator:
    """``ast`` → our tree against the whitelist, computing each name-free subtree once as it goes.

    Computing constants while reading is what refuses ``9**9**9`` or ``10**600`` before anything else
    sees them; each subtree's value is kept, so a long constant chain costs one pass, not a pass per step.
    """

    def __init__(self, numbers: dict[int, str], spellings: dict[int, str] | None = None) -> None:
        self.numbers = numbers
        self.spellings = spellings or {}
        self.constants: dict[int, Any] = {}  # id(node) -> value, for subtrees without names
        self.evaluator = _Evaluator({})

    def translate(self, node: ast.AST, top: bool = False) -> Node:
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise UnreadableAnswer(f"{type(node.value).__name__} values are not allowed in an answer")
            text = self.numbers.get(node.col_offset)
            if text is None:  # every literal comes from a number token; anything else is not ours
                raise UnreadableAnswer("a number could not be read")
            number = Num(_literal_value(text), text)
            self.constants[id(number)] = number.value
            return number
        if isinstance(node, ast.Name):
            return Sym(node.id, self.spellings.get(node.col_offset, ""))
        if isinstance(node, ast.BinOp):
            op = _OPERATORS.get(type(node.op))
            if op is None:
                raise UnreadableAnswer(f"the operator {type(node.op).__name__} is not allowed")
            return self.fold(BinOp(op, self.translate(node.left), self.translate(node.right)))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return self.translate(node.operand)
            if isinstance(node.op, ast.USub):
                return self.fold(Neg(self.translate(node.operand)))
            raise UnreadableAnswer(f"the operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.Call):
            return self.fold(self.call(node))
        if isinstance(node, ast.Tuple | ast.List):
            if not top:
                raise UnreadableAnswer(
                    "a shape is one flat list of numbers, like (1, 8, 64): it cannot be nested or computed with"
                )
            if not node.elts:
                raise UnreadableAnswer("the shape is empty")
            if len(node.elts) > MAX_ARGS:
                raise UnreadableAnswer(f"a shape has at most {MAX_ARGS} dimensions")
            return Tup(tuple(self.translate(element) for element in node.elts))
        what = _NOT_ALLOWED.get(type(node), type(node).__name__)
        raise UnreadableAnswer(f"{what} is not allowed in an answer")

    def call(self, node: ast.Call) -> Call:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise UnreadableAnswer(f"calls are limited to {', '.join(FUNCTIONS)}")
        name = node.func.id
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise UnreadableAnswer(f"{name}(...) takes plain arguments only")
        if name in ONE_ARGUMENT and len(node.args) != 1:
            raise UnreadableAnswer(f"{name} takes exactly one argument, got {len(node.args)}")
        if name not in ONE_ARGUMENT and not 1 <= len(node.args) <= MAX_ARGS:
            raise UnreadableAnswer(f"{name} takes 1 to {MAX_ARGS} arguments, got {len(node.args)}")
        return Call(name, tuple(self.translate(arg) for arg in node.args))

    def fold(self, node: Node) -> Node:
        children = _children(node)
        if not all(id(child) in self.constants for child in children):
            return node
        values = [self.constants[id(child)] for child in children]
        if isinstance(node, BinOp):
            value = _check(_normal(self.evaluator.binop(node.op, *values)))
        elif isinstance(node, Neg):
            value = -values[0]
        else:
            value = _check(_normal(self.evaluator.call(node.name, values)))  # type: ignore[union-attr]
        self.constants[id(node)] = value
        return node


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, BinOp):
        return (node.left, node.right)
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Tup):
        return node.items
    return ()


def _names(node: Node) -> frozenset[str]:
    if isinstance(node, Sym):
        return frozenset({node.name})
    found: frozenset[str] = frozenset()
    for child in _children(node):
        found |= _names(child)
    return found


# --- step 3: exact evaluation and sympy -------------------------------------------------------------


def evaluate(tree: Node, env: Mapping[str, Any], settle: bool = True) -> tuple[Value, bool]:
    """The value of a validated tree and whether it is exact.

    Arithmetic is exact. A square root that is not rational is approximated to 20 decimals; with
    ``settle``, if the approximations only went through ``+ - * / **``, sympy's exact algebra settles
    the result (``sqrt(8)*sqrt(2)`` is 4, exactly). If one went through ``floor``, ``//``, ``min``...
    the result stays an approximation: sympy would have to evaluate digits of an irrational number,
    which is exactly the kind of unbounded work an answer must not be able to ask for. Callers that
    evaluate at many points pass ``settle=False`` and compare approximations with a tiny tolerance.
    """
    evaluator = _Evaluator(env)
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


class _Evaluator:
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
            return _check(_normal(self.binop(node.op, left, right)))
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
            return _check(_normal(self.call(node.name, args)))
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


def _check(value: Any) -> Any:
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


# --- rendering and the live preview -----------------------------------------------------------------

_PRECEDENCE = {"+": 10, "-": 10, "*": 20, "/": 20, "//": 20, "%": 20, "**": 40}
_SHOWN = {"+": " + ", "-": " − ", "*": "·", "/": "/", "//": " // ", "%": " % ", "**": "^"}


def render(node: Node) -> str:
    """A tree in paper notation, bracketed exactly where its structure needs it."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Sym):
        return node.shown or node.name
    if isinstance(node, Tup):
        return "(" + ", ".join(render(item) for item in node.items) + ")"
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


def describe(reading: Reading, env: Mapping[str, Any] | None = None) -> str:
    """How an answer was read, with its value when it has one: ``11·11·3·48·2 = 34848``.

    Raises ``UnreadableAnswer`` when the value cannot be computed (division by zero).
    """
    shown = reading.render()
    env = env or {}
    if not reading.names <= set(env):
        return shown
    value, exact = reading.evaluate(env)
    if reading.names or not exact or shown.replace("−", "-") != render_value(value):
        return f"{shown} {show_value(value, exact)}"
    return shown


def show_value(value: Value, exact: bool = True) -> str:
    """``= 34848`` for an exact value shown exactly, ``≈ 1.41421`` for anything rounded."""
    text = render_exact(value) if exact else None
    return f"= {text}" if text is not None else f"≈ {render_value(value)}"


def render_exact(value: Value) -> str | None:
    """``render_value`` when it shows the value exactly (``3.5``, ``7/3``), else None (it is rounded)."""
    if isinstance(value, tuple):
        parts = [render_exact(item) for item in value]
        return None if None in parts else "(" + ", ".join(parts) + ")"  # type: ignore[arg-type]
    text = render_value(value)
    try:
        return text if Fraction(text) == value else None
    except (ValueError, ZeroDivisionError):
        return None


def preview(text: str, card: Any = None) -> str:
    """One line for the live preview: ``reads as 11·11·3·48·2 = 34848`` or ``cannot read: why``.

    ``card`` is a CardTemplate, a generated Question (its numbers fill in the names), or None.
    Never raises; bounded work, so it can run on every keystroke.
    """
    question = card if hasattr(card, "values") and hasattr(card, "card") else None
    template = question.card if question is not None else card
    try:
        if template is not None and template.kind == "choice":
            return _preview_choice(text, template, question)
        reading = read_answer(text, template)
        env = question.values if question is not None else {}
        return ("reads as the shape " if reading.is_shape else "reads as ") + describe(reading, env)
    except UnreadableAnswer as error:
        return f"cannot read: {error.reason}"
    except Exception:  # the preview must never take the screen down; grading reports the details
        return "cannot read: this answer could not be checked"


def _preview_choice(text: str, card: Any, question: Any) -> str:
    from studycards.grading import match_choice

    options = [_fill(choice, question) for choice in card.choices]
    index = match_choice(text, options)
    return f"reads as option {index + 1}: {options[index]}"


def _fill(text: str, question: Any) -> str:
    if question is None or "{" not in text:
        return text
    from studycards.question import fill

    return fill(text, question.values)
