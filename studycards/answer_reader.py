"""Reading a typed answer (``11*11*3*48*2``, ``(i-k+2p)/s+1``, ``2^10``, ``(1, 8, 64)``) safely: the front door.

Learners write the way they write on paper, and an answer box is hostile input, so reading happens in
three bounded steps, each its own module, and nothing is ever ``eval``-ed (``sympify``/``parse_expr``
never see the text):

1. ``answer_tokens``: *normalise* the text with our own tokenizer (``^``, ``×``, ``÷``, superscripts,
   ``⌊x⌋``, thousands separators, implicit multiplication, the card's names and their aliases).
2. ``answer_tree``: *parse* the normalised text with Python's ``ast`` (which only builds a tree) and
   translate it into a small tree of our own (``answer_nodes``) against a whitelist, with length,
   depth, node count, digits, exponents and constant sizes bounded.
3. ``answer_eval``: *evaluate* exactly with ``int``/``Fraction``, or build a sympy expression from the
   validated tree (``Reading.expr``).

How a reading is shown (``reads as 11·11·3·48·2 = 34848``) is written by ``rendering``. This module
keeps every public name of the reader importable from one place, and holds ``preview``: the one-line
"reads as ..." / "cannot read: ..." shown while typing.
"""

from __future__ import annotations

from typing import Any

from studycards.answer_eval import evaluate, to_sympy
from studycards.answer_nodes import (
    FUNCTION_DIGITS,
    FUNCTIONS,
    KINDS,
    MAX_ARGS,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_E_EXPONENT,
    MAX_EXP_ARGUMENT,
    MAX_EXPONENT,
    MAX_INT_BITS,
    MAX_LENGTH,
    MAX_NAME,
    MAX_NODES,
    MAX_PAREN_DEPTH,
    ONE_ARGUMENT,
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
from studycards.answer_tokens import normalise
from studycards.answer_tree import Reading, card_symbols, read_answer
from studycards.choices import match_choice
from studycards.rendering import describe, render, render_exact, show_value

__all__ = [
    "FUNCTION_DIGITS", "FUNCTIONS", "KINDS", "MAX_ARGS", "MAX_DEPTH", "MAX_DIGITS", "MAX_E_EXPONENT",
    "MAX_EXP_ARGUMENT", "MAX_EXPONENT", "MAX_INT_BITS", "MAX_LENGTH", "MAX_NAME", "MAX_NODES",
    "MAX_PAREN_DEPTH", "ONE_ARGUMENT", "TRANSCENDENTAL", "BinOp", "Call", "Neg", "Node", "Num", "Number",
    "Reading", "Sym", "Tup", "UnreadableAnswer", "Value", "card_symbols", "describe", "evaluate",
    "normalise", "preview", "read_answer", "render", "render_exact", "show_value", "to_sympy",
]  # fmt: skip


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
    options = [_fill(choice, question) for choice in card.choices]
    index = match_choice(text, options)
    return f"reads as option {index + 1}: {options[index]}"


def _fill(text: str, question: Any) -> str:
    if question is None or "{" not in text:
        return text
    from studycards.question import fill

    return fill(text, question.values)
