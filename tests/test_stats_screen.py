"""The Stats screen: opened with ``s`` from home, its numbers, its keys, and snapshots at 80×24 and 120×40.

Deterministic by construction: the history is the simulated year of ``stats_history`` (a seeded learner
on a fixed clock), the store's clock is fixed to noon of its last day, and the deck is written here (same
card and mistake ids as the cnn deck, fixed titles and feedback), so edits to the bundled decks never
change the picture. Update with ``pytest tests/test_stats_screen.py --snapshot-update`` after a deliberate
change, and look at the SVGs in ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from stats_history import MISTAKE_IDS, YEAR_CARDS, YEAR_TODAY, year_history
from textual.pilot import Pilot
from textual.widgets import Static

from studycards.deck import load_decks
from studycards.stats import compute_stats
from studycards.store import Store
from studycards.tui.app import StudycardsApp
from studycards.tui.home_screen import HomeScreen
from studycards.tui.quiz_screen import QuizScreen
from studycards.tui.stats_screen import StatsScreen

NOON = datetime.combine(YEAR_TODAY, datetime.min.time()).replace(hour=12)


def snapshot_deck() -> str:
    """A deck with the simulated year's card and mistake ids, and texts fixed here (choice cards: no torch)."""
    parts = ['id = "cnn"', 'title = "Convolutions (test copy)"']
    for number, card_id in enumerate(YEAR_CARDS, start=1):
        wrong = [f"wrong {n}" for n in range(1, len(MISTAKE_IDS[card_id]) + 1)]
        parts += [
            "[[cards]]",
            f'id = "{card_id}"',
            f'title = "Card {number}: {card_id.replace("-", " ")}"',
            'kind = "choice"',
            'prompt = "Which option is right for {i}?"',
            f"choices = {['right', *wrong]!r}".replace("'", '"'),
            'answer = "right"',
            'solution = "The first option is right."',
            "[cards.params]",
            "i = { choices = [7] }",
        ]
        for mistake_id, option in zip(MISTAKE_IDS[card_id], wrong):
            parts += [
                "[[cards.mistakes]]",
                f'id = "{mistake_id}"',
                f'answer = "{option}"',
                f'feedback = "Feedback for {mistake_id}: {{i}} plus {number}, not {{i + {number}}}."',
            ]
    return "\n".join(parts) + "\n"


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot-decks" / "cnn.toml"
    path.parent.mkdir()
    path.write_text(snapshot_deck(), encoding="utf-8")
    return path


def make_app(home: Path, deck_file: Path) -> StudycardsApp:
    store = Store(home, now=lambda: NOON)
    return StudycardsApp(home, load_decks(paths=[deck_file]), store, seeds=random.Random(3), clock=lambda: 0.0)


@pytest.fixture
def year_app(home: Path, deck_file: Path):
    year_history(home)
    app = make_app(home, deck_file)
    yield app
    app.store.close()


@pytest.fixture
def empty_app(home: Path, deck_file: Path):
    app = make_app(home, deck_file)
    yield app
    app.store.close()


async def open_stats(pilot: Pilot) -> StatsScreen:
    await pilot.pause()
    await pilot.press("s")
    screen = pilot.app.screen
    assert isinstance(screen, StatsScreen)
    await settle(pilot)
    return screen


async def settle(pilot: Pilot) -> None:
    """Wait for the statistics (not for the app's warm-up, which imports torch)."""
    await pilot.app.workers.wait_for_complete([w for w in pilot.app.workers if w.group == "stats"])
    await pilot.pause()


def drive(app: StudycardsApp, scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await scenario(pilot)

    asyncio.run(main())


def text_of(screen: StatsScreen, widget_id: str) -> str:
    """What a section shows, as plain text (the Rich renderable drawn 100 columns wide)."""
    from rich.console import Console

    console = Console(width=100, record=True, color_system=None)
    console.print(screen.query_one(widget_id, Static).content)
    return console.export_text()


# --- snapshots ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_stats_screen_snapshot(year_app, snap_compare, size):
    async def run_before(pilot: Pilot) -> None:
        await open_stats(pilot)

    assert snap_compare(year_app, terminal_size=size, run_before=run_before)


# --- what it shows ----------------------------------------------------------------------------------------


def test_s_from_home_shows_the_same_numbers_as_the_command(year_app):
    expected = compute_stats(year_app.store, year_app.decks, today=YEAR_TODAY)

    async def scenario(pilot: Pilot) -> None:
        screen = await open_stats(pilot)
        assert screen.stats == expected
        assert "study day 2025-06-30" in str(screen.query_one("#stats-title", Static).content)
        activity = text_of(screen, "#stats-activity")
        assert (
            f"Activity: {expected.answers_this_year:,} answers on 331 of the last 365 days\nStreak: 24 days" in activity
        )
        retention = text_of(screen, "#stats-retention")
        for bucket in expected.retention_by_interval:
            assert bucket.label in retention and f"{bucket.reviews:,}" in retention
        weakest = text_of(screen, "#stats-weakest")
        first = expected.weakest[0]
        assert f"Card {YEAR_CARDS.index(first.card_id) + 1}" in weakest
        assert f"{first.correct}/{first.answers}" in weakest
        mistakes = text_of(screen, "#stats-misconceptions")
        top = expected.misconceptions[0]
        assert f"{top.mistake_id}" in mistakes and f"Feedback for {top.mistake_id}: i plus" in mistakes
        assert f"{top.earlier} → {top.later} {top.trend}" in mistakes

    drive(year_app, scenario)


def test_a_fresh_home_shows_empty_sections_and_no_chart(empty_app):
    async def scenario(pilot: Pilot) -> None:
        screen = await open_stats(pilot)
        assert "0 answers on 0 of the last 365 days\nStreak: 0 days" in text_of(screen, "#stats-activity")
        assert "Due in the next 30 days: 0 cards" in str(screen.query_one("#stats-forecast-title", Static).content)
        assert not screen.query_one("#stats-forecast").display
        assert "none yet: no card answered in the last 30 days" in text_of(screen, "#stats-weakest")
        assert "none logged" in text_of(screen, "#stats-misconceptions")
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(pilot.app.screen, StatsScreen)  # nothing to quiz
        assert any("No weak templates" in n.message for n in pilot.app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)

    drive(empty_app, scenario)


def test_d_steps_through_the_decks_and_back_to_all(year_app):
    async def scenario(pilot: Pilot) -> None:
        screen = await open_stats(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert screen.deck_id == "cnn" and screen.stats.deck_id == "cnn"
        assert str(screen.query_one("#stats-title", Static).content).startswith("Statistics: deck cnn")
        await pilot.press("d")
        await settle(pilot)
        assert screen.deck_id is None and screen.stats.deck_id is None

    drive(year_app, scenario)


def test_w_quizzes_just_the_weakest_due_ones_as_reviews_the_rest_as_practice(year_app):
    weakest = compute_stats(year_app.store, year_app.decks, today=YEAR_TODAY).weakest
    due_today = {card.card_id for card in year_app.store.due_cards(today=YEAR_TODAY)}
    weak_ids = {weak.card_id for weak in weakest}

    async def scenario(pilot: Pilot) -> None:
        stats_screen = await open_stats(pilot)
        answered_today = stats_screen.stats.reviews_by_day[-1]
        assert answered_today.day == YEAR_TODAY
        await pilot.press("w")
        await pilot.pause()
        quiz = pilot.app.screen
        assert isinstance(quiz, QuizScreen)
        session = quiz.session
        items = [session.current.item, *session.queue]
        asked = Counter(item.card.id for item in items)
        assert set(asked) == weak_ids and set(asked.values()) == {1}  # each weak card once, nothing else
        kinds = {item.card.id: item.kind for item in items}
        assert {card for card, kind in kinds.items() if kind == "review"} == weak_ids & due_today
        assert {card for card, kind in kinds.items() if kind == "practice"} == weak_ids - due_today

        # Answer the first one right and grade it; it is logged with its kind, then the stats come back.
        first = session.current.item
        before = len(pilot.app.store.reviews())
        await pilot.press("1", "enter")  # the first option is the right one
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        logged = pilot.app.store.reviews()
        assert len(logged) == before + 1
        assert (logged[-1].card_id, logged[-1].verdict) == (first.card.id, "correct")
        assert logged[-1].kind == ("practice" if first.kind == "practice" else "review")
        await pilot.press("escape")  # end the session: its summary
        await pilot.pause()
        await pilot.press("enter")  # back to the stats, read again
        await settle(pilot)
        assert pilot.app.screen is stats_screen
        assert stats_screen.stats.reviews_by_day[-1].count == answered_today.count + 1

    drive(year_app, scenario)
