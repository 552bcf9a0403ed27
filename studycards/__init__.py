"""studycards: spaced-repetition drills for deep-learning fundamentals, every number proved by torch.

The Python API mirrors the command line. Imports stay lazy: torch loads only when ``count`` (or a truth
check) needs it, so generating and grading questions starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studycards.question import Question
    from studycards.readings import Count

__all__ = ["count", "show", "grade", "decks"]
__version__ = "0.1.0"


def count(spec: str, input: Any = None) -> Count:  # noqa: A002 - the documented keyword
    """Parameters and output shape of a layer spec or named architecture, read off torch on meta."""
    from studycards.ground_truth import count as _count

    return _count(spec, input)


def show(ref: str, seed: int = 0, home: str | Path | None = None) -> Question:
    """The question card ``DECK/CARD`` asks for ``seed``: ``.prompt``, ``.answer``, ``.solution``."""
    from studycards.deck import find_card
    from studycards.locations import data_home
    from studycards.question import generate

    _, card = find_card(ref, data_home(home))
    return generate(card, seed)


def decks(home: str | Path | None = None):
    """All decks: the bundled ones and the learner's own under ``<home>/decks``.

    A ``DeckLoad``: iterate or index it for the decks that loaded; ``.broken`` lists the files set aside,
    each with its one-line error."""
    from studycards.deck import load_decks
    from studycards.locations import data_home

    return load_decks(data_home(home))


def grade(ref: str, seed: int, text: str, home: str | Path | None = None):
    """Grade the answer ``text`` to the question ``ref`` asks for ``seed``."""
    from studycards.grading import grade as _grade

    return _grade(ref, seed, text, home=home)
