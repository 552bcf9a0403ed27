"""The home screen driven with keys: the deck table, starting a quiz or the review, stats, help, back home."""

from __future__ import annotations

import asyncio
import importlib.util
import random
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from studycards.deck import load_decks
from studycards.store import Store, catalogue
from studycards.tui.app import StudycardsApp
from studycards.tui.help_screen import HelpScreen
from studycards.tui.home_screen import HomeScreen
from studycards.tui.laid_out_text import LaidOutText
from studycards.tui.quiz_screen import QuizScreen
from studycards.tui.summary_screen import SummaryScreen
from studycards.tui.widgets import DeckTable

NOW = datetime(2025, 11, 25, 12, 0)


@pytest.fixture
def app(home: Path):
    home.mkdir(parents=True, exist_ok=True)
    store = Store(home, now=lambda: NOW)
    yield StudycardsApp(home, load_decks(home), store, seeds=random.Random(5), clock=lambda: 0.0)
    store.close()


def drive(app: StudycardsApp, scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def rows(app: StudycardsApp) -> list[list[str]]:
    table = app.screen.query_one(DeckTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def test_every_column_fits_80_columns_and_a_long_deck_id_is_cut_with_its_title_shown_whole(home: Path):
    deck_id = "a-deck-id-written-by-someone-who-likes-long-names"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "long.toml").write_text(
        f'id = "{deck_id}"\ntitle = "A title long enough to be cut in the table, shown whole below it"\n'
        + '[[cards]]\nid = "x"\ntitle = "X"\nkind = "number"\nprompt = "Parameters of Linear(2, 3)?"\n'
        + 'answer = "9"\nsolution = "2·3 + 3 = 9."\n[cards.truth]\nlayer = "Linear(2, 3)"\nread = "params"\n',
        encoding="utf-8",
    )
    store = Store(home, now=lambda: NOW)
    app = StudycardsApp(home, load_decks(home), store, seeds=random.Random(5), clock=lambda: 0.0)

    async def scenario(pilot: Pilot) -> None:
        table = app.screen.query_one(DeckTable)
        assert table.max_scroll_x == 0  # "done today" and every count are on screen, nothing to scroll to
        row = next(r for r in rows(app) if r[0].startswith("a-deck-id"))
        assert row[0].endswith("…") and len(row[0]) <= 16 and row[1].endswith("…")
        await pilot.press(*["down"] * (table.row_count - 1))
        await pilot.pause()
        shown = str(app.screen.query_one("#home-deck").render())
        assert shown == f"{deck_id}: A title long enough to be cut in the table, shown whole below it"

    try:
        drive(app, scenario)
    finally:
        store.close()


@pytest.mark.parametrize("width, titled", [(70, True), (60, False)])
def test_on_a_narrower_terminal_the_title_gives_way_and_every_count_stays_in_view(app, width, titled):
    async def main() -> None:
        async with app.run_test(size=(width, 20)) as pilot:
            await pilot.pause()
            table = app.screen.query_one(DeckTable)
            assert table.max_scroll_x == 0  # "done today" is on screen, nothing to scroll to
            labels = [str(column.label) for column in table.columns.values()]
            assert labels[-4:] == ["learning", "due", "new", "done today"]
            assert ("title" in labels) == titled
            cnn = next(row for row in rows(app) if row[0] == "cnn")
            assert cnn[-2].strip() == str(len(next(d for d in app.decks if d.id == "cnn").cards))  # new cards
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            assert "title" in [str(column.label) for column in table.columns.values()]

    asyncio.run(main())


def test_the_table_lists_every_deck_with_learning_due_new_and_done_today(app):
    async def scenario(pilot: Pilot) -> None:
        assert isinstance(app.screen, HomeScreen)
        expected = app.store.due_summary(catalogue(app.decks))
        table = rows(app)
        assert [row[0] for row in table] == [deck.id for deck in app.decks]
        assert [tuple(row[2:6]) for row in table] == [
            (str(today.learning), str(today.due), str(today.new), str(today.reviewed_today)) for today in expected
        ]
        assert any(int(row[4]) > 0 for row in table)
        columns = [str(column.label) for column in app.screen.query_one(DeckTable).columns.values()]
        assert columns == ["deck", "title", "learning", "due", "new", "done today"]

    drive(app, scenario)


def test_enter_quizzes_the_highlighted_deck_and_the_counts_update_on_return(app):
    async def scenario(pilot: Pilot) -> None:
        ids = [deck.id for deck in app.decks]
        await pilot.press(*["down"] * ids.index("cnn"), "enter")
        assert isinstance(app.screen, QuizScreen) and app.screen.session.deck_id == "cnn"
        question = app.screen.session.current.question
        await pilot.press(*question.answer_text, "enter")
        await pilot.press("enter")
        await pilot.press("escape")
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)
        cnn_row = rows(app)[ids.index("cnn")]
        assert cnn_row[5] == "1"  # reviewed today
        assert app.screen.query_one(DeckTable).cursor_row == ids.index("cnn")

    drive(app, scenario)


def test_a_card_failed_in_a_quiz_ended_early_shows_as_learning_and_comes_first_next_time(app):
    async def scenario(pilot: Pilot) -> None:
        ids = [deck.id for deck in app.decks]
        await pilot.press(*["down"] * ids.index("cnn"), "enter")
        failed = app.screen.session.current.question
        await pilot.press(*"123456789", "enter")  # a wrong answer
        await pilot.pause()
        await pilot.press("1", "escape")  # graded 1, and the session ended before its re-drill
        assert "1 failed card to re-drill today" in app.screen.query_one("#summary-text", LaidOutText).text
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)
        assert rows(app)[ids.index("cnn")][2] == "1"
        totals = str(app.screen.query_one("#home-totals").render())
        assert ": 1 learning (failed earlier today), " in totals
        await pilot.press("enter")  # the cnn quiz again: the failed card first, with new numbers
        current = app.screen.session.current
        assert current.item.kind == "redrill" and current.question.card == failed.card
        assert current.question.seed != failed.seed

    drive(app, scenario)


def test_r_starts_the_review_of_every_deck(app):
    async def scenario(pilot: Pilot) -> None:
        await pilot.press("r")
        assert isinstance(app.screen, QuizScreen)
        session = app.screen.session
        assert session.deck_id is None
        decks_in_queue = {item.card.deck_id for item in [session.current.item, *session.queue]}
        assert decks_in_queue == {deck.id for deck in app.decks}

    drive(app, scenario)


def test_s_opens_stats_once_that_screen_exists(app):
    async def scenario(pilot: Pilot) -> None:
        await pilot.press("s")
        await pilot.pause()
        if importlib.util.find_spec("studycards.tui.stats_screen") is None:
            assert isinstance(app.screen, HomeScreen)
            assert [n.message for n in app._notifications] == ["stats: coming soon"]
        else:
            from studycards.tui.stats_screen import StatsScreen

            assert isinstance(app.screen, StatsScreen)

    drive(app, scenario)


def test_question_mark_opens_help_and_q_quits(app):
    async def scenario(pilot: Pilot) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running

    drive(app, scenario)
