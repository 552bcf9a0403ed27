"""The names an answer may use on a card, spelled the way its prompt spells them.

A prompt says ``K = 4 Gaussians over a D = 2-dimensional target`` while the card's own names are ``k``
and ``d``; an LSTM prompt says ``hidden_size=64`` for the card's ``h``. A learner types what they read,
so a typed name is resolved in three steps: the card's name or one of the deck's ``aliases`` as written,
else the same letters in any case when that points at exactly one name (``K`` is ``k``, unless the card
also has a ``K`` of its own, where exact case is required). The learner's spelling is kept for showing
the answer back; values are always looked up under the card's own name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
_WORD = re.compile(r"[^\W\d]\w*")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


class AmbiguousName(ValueError):
    """A name typed in another case matches several of the card's names (``k`` and ``K``)."""

    def __init__(self, typed: str, matches: Iterable[str]) -> None:
        self.matches = tuple(sorted(matches))
        super().__init__(
            f"{typed!r} could be any of {', '.join(self.matches)} on this card: type it in the exact case"
        )


@dataclass(frozen=True)
class NameTable:
    """Which typed spellings stand for which of a card's names, and how to list them in a hint."""

    names: frozenset[str]  # the card's own names, the ones values are bound to
    spellings: Mapping[str, str]  # exact spelling (a name or an alias) -> the card's name
    folded: Mapping[str, frozenset[str]]  # casefolded spelling -> the card's names it could mean
    shown: tuple[str, ...]  # the names as the prompt writes them, for "names: ..." hints

    def resolve(self, typed: str) -> str | None:
        """The card's name ``typed`` stands for, None if it is none of them; raise if it is ambiguous."""
        exact = self.spellings.get(typed)
        if exact is not None:
            return exact
        matches = self.folded.get(typed.casefold(), frozenset())
        if len(matches) > 1:
            raise AmbiguousName(typed, matches)
        return next(iter(matches), None)

    def knows(self, typed: str) -> bool:
        """Whether ``typed`` names something on the card (an ambiguous spelling counts: it is a name)."""
        return typed in self.spellings or typed.casefold() in self.folded


def name_table(names: Iterable[str], aliases: Mapping[str, str] | None = None, prompt: str = "") -> NameTable:
    """The table for a card with these ``names``, its ``aliases`` (spelling -> name) and its prompt text."""
    own = frozenset(names)
    spellings = {name: name for name in own}
    for alias, target in (aliases or {}).items():
        if target in own and alias not in own:
            spellings[alias] = target
    folded: dict[str, set[str]] = {}
    for spelling, target in spellings.items():
        folded.setdefault(spelling.casefold(), set()).add(target)
    frozen = {key: frozenset(targets) for key, targets in folded.items()}
    return NameTable(own, spellings, frozen, _as_written(own, spellings, frozen, prompt))


def _as_written(
    own: frozenset[str], spellings: Mapping[str, str], folded: Mapping[str, frozenset[str]], prompt: str
) -> tuple[str, ...]:
    """Each name as the prompt's own words write it (``K`` for ``k``, ``H`` for ``hd``), else as it is."""
    written: dict[str, str] = {}
    for word in _WORD.findall(_PLACEHOLDER.sub(" ", prompt)):
        target = spellings.get(word)
        if target is None:
            matches = folded.get(word.casefold(), frozenset())
            target = next(iter(matches)) if len(matches) == 1 else None
        if target is not None and target not in written:
            written[target] = word
    return tuple(sorted((written.get(name, name) for name in own), key=lambda s: (s.casefold(), s)))


def card_names(card: Any) -> NameTable:
    """The name table of a card template: the numbers an answer may name, its aliases, its prompt.

    On a formula card that is every numeric param and derived value. On a number or shape card it is
    those the prompt shows: a name stands for the question's value there, so a value the question keeps
    back (the hidden size H it asks to recover) must not answer itself when typed as ``H``.
    """
    names = frozenset(name for name, spec in card.params.items() if spec.numeric) | frozenset(card.derived)
    prompt = getattr(card, "prompt", "")
    if getattr(card, "kind", None) in ("number", "shape"):
        names &= _shown_names(prompt)
    return name_table(names, getattr(card, "aliases", None), prompt)


def _shown_names(prompt: str) -> frozenset[str]:
    """The names the prompt's ``{placeholders}`` fill in (quoted texts inside them are not names)."""
    found: set[str] = set()
    for placeholder in _PLACEHOLDER.findall(prompt):
        found.update(_WORD.findall(_QUOTED.sub(" ", placeholder[1:-1])))
    return frozenset(found)
