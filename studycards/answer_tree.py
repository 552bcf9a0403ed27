"""Step 2 of reading an answer: the normalised text parsed by Python's ``ast`` and translated into our own tree.

``ast`` only builds a tree; nothing here runs it. The tree is translated against a whitelist (numbers,
the card's names, ``+ - * / // % **``, ``floor ceil min max sqrt abs tanh sigmoid exp log``, and one
flat tuple for shapes) into the node classes of ``answer_nodes``. Length, depth, node count and the
size of every constant are bounded here, so every later step (evaluation, sympy, rendering) only
ever sees a small, valid tree. ``read_answer`` runs steps 1 and 2 and returns a ``Reading``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from studycards.answer_eval import Evaluator, checked, evaluate, to_sympy
from studycards.answer_names import NameTable, card_names
from studycards.answer_nodes import (
    FUNCTIONS,
    MAX_ARGS,
    MAX_DEPTH,
    MAX_NODES,
    ONE_ARGUMENT,
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
    children,
    names_in,
)
from studycards.answer_tokens import Token, as_table, read_tokens
from studycards.formula import whole as _normal
from studycards.rendering import render


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
        names = as_table(symbols)
    elif card is not None:
        names = card_names(card)
    if card is not None:
        kind = kind or card.kind
    tokens = read_tokens(text, names, kind)
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
    found = names_in(tree)
    if isinstance(tree, Tup) and kind in ("number", "expression"):
        what = "a number" if kind == "number" else "one formula"
        hint = " (write decimals with a dot: 3.5)" if len(tree.items) == 2 else ""
        raise UnreadableAnswer(f"this card takes {what}, but the answer has {len(tree.items)} values{hint}")
    return Reading(text=text, normalised=normalised, tree=tree, names=found)


def card_symbols(card: Any) -> frozenset[str]:
    """The card's own names an answer may use (its numeric parameters and derived values), no aliases."""
    return card_names(card).names


def _spelling_table(tokens: list[Token]) -> dict[int, str]:
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
        self.evaluator = Evaluator({})

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
        parts = children(node)
        if not all(id(child) in self.constants for child in parts):
            return node
        values = [self.constants[id(child)] for child in parts]
        if isinstance(node, BinOp):
            value = checked(_normal(self.evaluator.binop(node.op, *values)))
        elif isinstance(node, Neg):
            value = -values[0]
        else:
            value = checked(_normal(self.evaluator.call(node.name, values)))  # type: ignore[union-attr]
        self.constants[id(node)] = value
        return node

