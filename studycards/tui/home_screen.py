"""The home screen (``studycards`` with no command): every deck with what today holds for it: learning
cards (failed earlier today, asked first), cards due, new cards, and reviews done today.

Enter quizzes the highlighted deck, ``r`` starts the daily review across all decks. The counts are read
from the store again whenever the screen comes back, so they reflect the session just finished. A deck
file that could not be loaded is listed as broken, with its error under the table; the others work.
"""

from __future__ import annotations

import importlib.util

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from studycards.tui.laid_out_text import LaidOutText
from studycards.tui.widgets import DeckTable

# The deck, its title and four counts fit 80 columns (each column also takes a cell of padding either side,
# and the table a margin): a longer deck id or title is cut with "…" rather than pushing counts off screen.
DECK_WIDTH = 16
TITLE_WIDTH = 23
FULL_WIDTH = 80  # the terminal width the table is laid out for; a narrower one takes columns off the title
MIN_TITLE_WIDTH = 6  # below this the title column goes: the highlighted deck's title shows under the table
BROKEN_KEY = "\x00broken:"  # row keys of broken decks: no deck id can start with it


class HomeScreen(Screen[None]):
    """Decks with learning cards, cards due, new cards available and reviews done today."""

    BINDINGS = [
        Binding("r", "review", "Review all"),
        Binding("s", "stats", "Stats"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit", show=False),  # the footer shows ctrl+q, which quits too
    ]

    def compose(self) -> ComposeResult:
        yield Static("studycards", id="home-title")
        yield DeckTable(id="decks", cursor_type="row", zebra_stripes=True)
        yield Static(id="home-deck", markup=False)  # the highlighted deck's whole title, cut in the table
        yield Static(id="home-totals")
        yield LaidOutText(id="home-broken")  # each error wraps under its own bullet
        yield Footer()

    title_width = TITLE_WIDTH

    def on_mount(self) -> None:
        self.title_width = self._fitting_title_width()
        self._add_columns()
        self.refresh_counts()
        self.query_one(DeckTable).focus()
        self.call_after_refresh(self.app.warm_up)

    def on_resize(self) -> None:
        """On a terminal narrower than 80 columns the title gives way, so the counts stay in view."""
        width = self._fitting_title_width()
        if width != self.title_width:
            self.title_width = width
            self.query_one(DeckTable).clear(columns=True)
            self._add_columns()
            self.refresh_counts()

    def _fitting_title_width(self) -> int:
        width = TITLE_WIDTH - max(0, FULL_WIDTH - self.size.width) if self.size.width else TITLE_WIDTH
        return width if width >= MIN_TITLE_WIDTH else 0

    def _add_columns(self) -> None:
        table = self.query_one(DeckTable)
        table.add_column("deck", key="deck", width=DECK_WIDTH)
        if self.title_width:
            table.add_column("title", key="title", width=self.title_width)
        table.add_column("learning", key="learning")
        table.add_column("due", key="due")
        table.add_column("new", key="new")
        table.add_column("done today", key="today")

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Fill the table from the store, keeping the highlighted row."""
        from studycards.store import catalogue

        app = self.app
        table = self.query_one(DeckTable)
        row = table.cursor_row
        table.clear()
        summary = app.store.due_summary(catalogue(app.decks))
        titles = {deck.id: deck.title for deck in app.decks}
        titled = bool(self.title_width)
        for today in summary:
            title = [_shorten(titles[today.deck], self.title_width)] if titled else []
            counts = [_right(today.learning), _right(today.due), _right(today.new), _right(today.reviewed_today)]
            table.add_row(_shorten(today.deck, DECK_WIDTH), *title, *counts, key=today.deck)
        for index, broken in enumerate(app.broken):
            label = _shorten(broken.label, DECK_WIDTH)
            note = ["broken: see below", "", "", "", ""] if titled else ["broken", "", "", ""]
            table.add_row(label, *note, key=f"{BROKEN_KEY}{index}")
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.query_one("#home-broken", LaidOutText).update(_broken_text(app.broken))
        learning = sum(today.learning for today in summary)
        due = sum(today.due for today in summary)
        new = sum(today.new for today in summary)
        done = sum(today.reviewed_today for today in summary)
        totals = self.query_one("#home-totals", Static)
        if not summary:
            totals.update("No decks: add deck files to the decks folder of your data home.")
        else:
            failed = f"{learning} learning (failed earlier today), " if learning else ""
            totals.update(
                f"Today ({app.store.today().isoformat()}): {failed}{due} due and {new} new across "
                f"{len(summary)} deck{'s' if len(summary) != 1 else ''}; {done} reviewed so far."
            )

    def on_data_table_row_highlighted(self, event: DeckTable.RowHighlighted) -> None:
        key = str(event.row_key.value)
        titles = {deck.id: f"{deck.id}: {deck.title}" for deck in self.app.decks}
        broken = self.app.broken[int(key.removeprefix(BROKEN_KEY))] if key.startswith(BROKEN_KEY) else None
        shown = f"{broken.label}: broken, set aside (Enter: why)" if broken is not None else titles.get(key, "")
        self.query_one("#home-deck", Static).update(shown)

    def on_data_table_row_selected(self, event: DeckTable.RowSelected) -> None:
        key = str(event.row_key.value)
        if key.startswith(BROKEN_KEY):
            broken = self.app.broken[int(key.removeprefix(BROKEN_KEY))]
            self.notify(broken.error, title=f"deck {broken.id} is broken", severity="error", timeout=10, markup=False)
            return
        self.app.start_quiz(key)

    def action_review(self) -> None:
        self.app.start_quiz(None)

    def action_stats(self) -> None:
        # The stats screen (issue 9) is optional: StatsScreen() finds the store and decks on the app.
        if importlib.util.find_spec("studycards.tui.stats_screen") is None:
            self.notify("stats: coming soon")
            return
        from studycards.tui.stats_screen import StatsScreen

        self.app.push_screen(StatsScreen())


def _broken_text(broken) -> str:
    if not broken:
        return ""
    lines = ["Broken deck files, set aside (the other decks work):"]
    lines += [f"• {deck.error}" for deck in broken]
    return "\n".join(lines)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _right(number: int):
    from rich.text import Text

    return Text(str(number), justify="right")
