"""Hints that help a learner *write* an answer without ever showing it.

An example in a hint must read as "an answer looks like this", never as the answer itself: "like
(8, 2, 3, 6)" on a card whose answer is (8, 2, 3, 6) gives the question away. So examples are neutral
(primes in order, which no layer's shape tends to be) and checked against the question's own answer.
"""

from __future__ import annotations

from typing import Any

from studycards.formula import render_value

_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59)
_PRODUCTS = (("2*3*5", 30), ("3*5*7", 105))
_FORMULAS = ("2(a + b)/c - 1", "(x - y)/z + 2")


def neutral_shape(dimensions: int, answer: Any = None) -> tuple[int, ...]:
    """An example shape with this many dimensions, (2, 3, 5, 7) style, never equal to ``answer``."""
    dimensions = max(1, min(dimensions, len(_PRIMES) - 1))
    example = _PRIMES[:dimensions]
    if isinstance(answer, tuple) and tuple(answer) == example:
        example = _PRIMES[1 : dimensions + 1]
    return example


def input_hint(question: Any) -> str:
    """What the empty answer box says for this question: the kind of answer, with a neutral example."""
    card = question.card
    if card.kind == "choice":
        return "an option's number or its text"
    if card.kind == "shape":
        answer = question.answer if isinstance(question.answer, tuple) else (question.answer,)
        return f"a shape, like {render_value(neutral_shape(len(answer), answer))}"
    if card.kind == "expression":
        names = set(card.params) | set(card.derived)
        formula = next((f for f in _FORMULAS if not set(f) & names), _FORMULAS[0])
        return f"a formula in the prompt's letters, like {formula}"
    text = next((text for text, value in _PRODUCTS if value != question.answer), _PRODUCTS[0][0])
    return f"a number, or arithmetic like {text}"
