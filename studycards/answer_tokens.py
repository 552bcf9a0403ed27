"""Step 1 of reading an answer: the typed text normalised into a short list of tokens, or a reason why not.

Learners write the way they write on paper, so this is where ``^`` becomes ``**``, ``×``/``·`` become
``*`` (on a shape card ``8×2×3×6`` is the shape (8, 2, 3, 6)), ``÷`` becomes ``/``, unicode minus,
superscripts (``2¹⁰``), ``⌊x⌋``/``⌈x⌉``/``√x`` and ``σ`` are read, thousands separators join
(``61,100,840``, never ``0,416``) and implicit multiplication is written out (``2p``, ``2(k-1)``,
``(a)(b)``). Names resolve to the card's own (``K`` → ``k``, ``hidden_size`` → ``h``; see
``answer_names``). Our own tokenizer lets only a short list of characters through, so look-alike
letters, control characters, quotes, keywords and dunders are refused here, each with its own reason,
before Python's ``ast`` ever sees the text.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from dataclasses import dataclass

from studycards.answer_names import AmbiguousName, NameTable, name_table
from studycards.answer_nodes import (
    FUNCTIONS,
    MAX_DIGITS,
    MAX_E_EXPONENT,
    MAX_LENGTH,
    MAX_NAME,
    MAX_PAREN_DEPTH,
    UnreadableAnswer,
)

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
class Token:
    """One piece of the typed answer, and where it starts (for messages that name a position)."""

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
    return " ".join(token.text for token in read_tokens(text, as_table(symbols), kind))


def as_table(symbols: frozenset[str] | set[str] | NameTable | None) -> NameTable | None:
    """The names an answer may use, as a table (None stays None: any plain name is a symbol)."""
    if symbols is None or isinstance(symbols, NameTable):
        return symbols
    return name_table(symbols)


def read_tokens(text: str, names: NameTable | None, kind: str | None) -> list[Token]:
    """The answer's tokens, cleaned, checked and with every implicit operator written out, or raise."""
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


def _tokens(text: str, names: NameTable | None, kind: str | None) -> list[Token]:
    raw: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            raise UnreadableAnswer(_not_understood(char, position))
        group = match.lastgroup or ""
        raw.append(Token(group, match.group(), position))
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


def _expand_marks(raw: list[Token]) -> list[Token]:
    """``^`` → ``**``, superscripts → ``** n``, ``⌊x⌋`` → ``floor(x)``, ``√x`` → ``sqrt(x)``."""
    tokens: list[Token] = []
    index = 0
    while index < len(raw):
        token = raw[index]
        if token.kind == "op" and token.text == "^":
            tokens.append(Token("op", "**", token.pos))
        elif token.kind == "sup":
            tokens.append(Token("op", "**", token.pos))
            digits = token.text.translate(_SUPERSCRIPTS)
            if digits.startswith("-"):
                tokens.append(Token("op", "-", token.pos))
                digits = digits[1:]
            tokens.append(Token("number", digits, token.pos))
        elif token.kind == "mark" and token.text in "⌊⌈":
            tokens.append(Token("name", "floor" if token.text == "⌊" else "ceil", token.pos))
            tokens.append(Token("op", "(", token.pos))
        elif token.kind == "mark" and token.text in "⌋⌉":
            tokens.append(Token("op", ")", token.pos))
        elif token.kind == "mark":  # √
            tokens.append(Token("name", "sqrt", token.pos))
            following = raw[index + 1] if index + 1 < len(raw) else None
            if following is not None and following.kind in ("number", "name"):
                tokens += [Token("op", "(", token.pos), following, Token("op", ")", following.pos)]
                index += 1
        else:
            tokens.append(token)
        index += 1
    return tokens


def _check_names(tokens: list[Token], names: NameTable | None) -> None:
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


def _join_thousands(tokens: list[Token], kind: str | None) -> list[Token]:
    """``61,100,840`` and ``61 100 840`` are one number, except where commas separate dimensions.

    Commas join only when every group after the first has exactly three digits, never on a shape card,
    never inside a function's brackets (``max(1,100)``), and, when the card is unknown, only outside
    brackets (``(64,128)`` stays a shape).
    """
    out: list[Token] = []
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
                out.append(Token("number", joined, token.pos))
                index = end
                continue
            if end > index:  # a list of numbers that is not one grouped number: keep it, scan past it
                out.extend(tokens[index:end])
                index = end
                continue
        out.append(token)
        index += 1
    return out


def _group_run(tokens: list[Token], start: int) -> tuple[int, str | None]:
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


def _dimensions(tokens: list[Token]) -> list[Token]:
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
    out: list[Token] = []
    for index, (token, depth) in enumerate(zip(tokens, levels)):
        if token.text == "×":
            before = tokens[index - 1] if index else None
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if before is None or (before.kind == "op" and before.text not in (")", "]")):
                raise UnreadableAnswer(f"'×' at position {token.pos + 1} has no size before it")
            if after is None or (after.kind == "op" and after.text not in ("(", "[", "-", "+")):
                raise UnreadableAnswer(f"'×' at position {token.pos + 1} has no size after it")
            token = Token("op", "," if separating and depth == top else "*", token.pos)
        out.append(token)
    if separating and not wrapped:
        out = [Token("op", "(", 0), *out, Token("op", ")", out[-1].pos)]
    return out


def _depths(tokens: list[Token]) -> list[int]:
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


def _wraps_all(tokens: list[Token]) -> bool:
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


def _implicit_multiplication(tokens: list[Token]) -> list[Token]:
    """Insert ``*`` where a learner writes it implicitly: ``2p``, ``2(k-1)``, ``(a)(b)``, ``s(i-1)``."""
    out: list[Token] = []
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
                out.append(Token("op", "*", token.pos))
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
