"""What every step of reading an answer shares: the limits, the one error, and the tree's node classes.

The tokenizer, the tree builder, the evaluator and the renderer each need these, and none of them
should need another step to get them; keeping them here is what lets each step be its own module
without importing the others in a circle. Every bound an answer is held to is written down here.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from studycards.errors import StudycardsError

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

def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly below ``node`` (none for a number or a name)."""
    if isinstance(node, BinOp):
        return (node.left, node.right)
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Tup):
        return node.items
    return ()


def names_in(node: Node) -> frozenset[str]:
    """The card names a tree reads."""
    if isinstance(node, Sym):
        return frozenset({node.name})
    found: frozenset[str] = frozenset()
    for child in children(node):
        found |= names_in(child)
    return found
