"""What a screen needs of the app that runs it: the open store, the decks, and how quizzes draw and time.

A screen reads these through ``self.app``; naming them here, rather than importing ``StudycardsApp``, keeps
the screens below the app that imports them, so the module graph has no circle (``tests/test_import_graph``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from studycards.deck import Deck
    from studycards.store import Store


class StudyApp(Protocol):
    """The app's state a screen may read (``StudycardsApp`` has it)."""

    @property
    def store(self) -> Store: ...

    @property
    def decks(self) -> Sequence[Deck]: ...

    @property
    def seeds(self) -> random.Random | None: ...

    @property
    def clock(self) -> Callable[[], float]: ...
