"""Which option a typed answer to a choice card names: matched by its text or its number, or refused why.

Both the grader (the verdict) and the reader's live preview ("reads as option 2: ...") need this, so it
lives below both of them rather than in either.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from studycards.answer_nodes import MAX_LENGTH, UnreadableAnswer


def fold(text: str) -> str:
    """Options compare case- and space-insensitively (and full-width letters as plain ones)."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def match_choice(text: str, options: Sequence[str]) -> int:
    """The index of the option ``text`` names (its text, or its number 1..n), or raise why not."""
    if not isinstance(text, str):
        raise UnreadableAnswer(f"expected text, got {type(text).__name__}")
    limit = max([MAX_LENGTH] + [len(option) + 50 for option in options])
    if len(text) > limit:
        raise UnreadableAnswer(f"the answer is longer than {limit} characters")
    for char in text:
        if unicodedata.category(char)[0] == "C" and char not in "\t\n\r":
            raise UnreadableAnswer(f"the answer contains an invisible or control character (U+{ord(char):04X})")
    folded = fold(text)
    if not folded:
        raise UnreadableAnswer("the answer is empty")
    for index, option in enumerate(options):
        if fold(option) == folded:
            return index
    stripped = text.strip().rstrip(".)")
    if stripped.isdecimal() and len(stripped) <= 3 and 1 <= int(stripped) <= len(options):  # not ³ or ③
        return int(stripped) - 1
    listed = "; ".join(options)
    if len(listed) > 120:
        listed = listed[:117] + "..."
    raise UnreadableAnswer(f"that is not one of the options ({listed}), or their numbers 1 to {len(options)}")
