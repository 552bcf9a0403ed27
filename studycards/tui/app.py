"""The Textual app: holds the decks and the open store, and starts on the home screen or straight in a quiz.

Startup is kept short so the first question is on screen quickly: screens are imported when first shown,
and the slow imports (sympy for the answer checker, torch for the ground-truth line) happen in background
threads once the first screen has been painted.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from studycards.reading_cache import ReadingCache
from studycards.tui.background import Background

if TYPE_CHECKING:
    from studycards.deck import Deck
    from studycards.session import QuizSession
    from studycards.store import Store

# Imported in the background after the first paint: the answer reader and checker (sympy), then torch.
WARM_UP_MODULES = ("studycards.answer_reader", "studycards.grading", "studycards.ground_truth")


class StudycardsApp(App[None]):
    """studycards in the terminal.

    ``start`` is ``"home"`` (the deck table), ``"quiz"`` (``deck_id`` required) or ``"review"`` (every
    deck). ``seeds`` and ``clock`` are passed to each quiz session (tests fix them); ``on_first_question``
    is called once the first question has been painted (the startup benchmark uses it).
    """

    CSS_PATH = "studycards.tcss"
    TITLE = "studycards"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(
        self,
        home: Path,
        decks: Sequence[Deck],
        store: Store,
        *,
        start: str = "home",
        deck_id: str | None = None,
        seeds: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_first_question: Callable[[StudycardsApp], None] | None = None,
    ) -> None:
        if start not in ("home", "quiz", "review"):
            raise ValueError(f"start must be home, quiz or review, not {start!r}")
        if start == "quiz" and deck_id is None:
            raise ValueError("a quiz needs a deck_id")
        super().__init__()
        self.home = Path(home)
        self.decks = list(decks)
        # Deck files set aside as broken (a ``DeckLoad`` carries them): the home screen lists them.
        self.broken = tuple(getattr(decks, "broken", ()))
        self.store = store
        self.start = start
        self.deck_id = deck_id
        self.seeds = seeds
        self.clock = clock
        self.on_first_question = on_first_question
        self.background = Background()
        self.readings = ReadingCache(self.home)  # torch lines kept from earlier sessions
        self._warmed_up = False

    def on_mount(self) -> None:
        if self.start == "home":
            from studycards.tui.home_screen import HomeScreen

            self.push_screen(HomeScreen())
        else:
            self.start_quiz(self.deck_id if self.start == "quiz" else None)
            for broken in self.broken:
                title = f"deck {broken.id} set aside"
                self.notify(broken.error, title=title, severity="warning", timeout=10, markup=False)

    def new_session(self, deck_id: str | None) -> QuizSession:
        """A quiz of one deck, or (``deck_id`` None) the daily review of every deck."""
        from studycards.session import QuizSession

        return QuizSession(self.store, self.decks, deck_id=deck_id, seeds=self.seeds, clock=self.clock)

    def start_quiz(self, deck_id: str | None) -> None:
        from studycards.tui.quiz_screen import QuizScreen

        self.push_screen(QuizScreen(self.new_session(deck_id)))

    def end_quiz(self, session: QuizSession) -> None:
        """Replace the quiz with its summary."""
        from studycards.tui.summary_screen import SummaryScreen

        self.switch_screen(SummaryScreen(session.summary(), session.scope, back_home=self.start == "home"))

    def warm_up(self) -> None:
        """Import the checker and torch in a background thread (once), so they are ready when needed."""
        if self._warmed_up:
            return
        self._warmed_up = True
        # A failed import is not fatal here: it is raised again, with its message, where the module is used.
        self.background.run("warm-up", _import_all, lambda _result, _error: None)

    def first_question_painted(self) -> None:
        if self.on_first_question is not None:
            hook, self.on_first_question = self.on_first_question, None
            hook(self)

    def action_help(self) -> None:
        from studycards.tui.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def _import_all() -> None:
    for name in WARM_UP_MODULES:
        importlib.import_module(name)
