"""Each shipped deck's longest prompt on an 80×24 terminal: before checking, after a wrong answer, and with
the worked solution open (pytest-textual-snapshot).

What these pin: code, tables and lists of values keep their lines (fenced blocks in the deck), prose wraps,
and after checking the verdict and the grade bar stay on screen however long the body is. The pictures
follow the shipped decks: after a deliberate change to a deck's text, look at the SVGs in
``tests/__snapshots__/`` and update them with ``pytest tests/test_tui_deck_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from studycards.deck import Deck, load_decks
from studycards.formula import render_value
from studycards.question import Question, generate
from studycards.session import SEED_LIMIT
from studycards.store import Store
from studycards.tui.app import StudycardsApp
from studycards.tui.widgets import AnswerInput

SESSION_SEED = 1
DECK_IDS = ("attention", "cnn", "compute", "lstm", "mdn", "modern-cnn", "normalization", "transformer")


def first_question_seed() -> int:
    """The seed the session draws for its first question (the app is given ``random.Random(SESSION_SEED)``)."""
    return random.Random(SESSION_SEED).randrange(SEED_LIMIT)


def longest_card_deck(deck: Deck) -> Deck:
    """``deck`` with only the card whose prompt, as the session will ask it, is the longest (options aside)."""
    seed = first_question_seed()
    card = max(deck.cards, key=lambda c: (len(generate(c, seed).prompt.strip()), c.id))
    return replace(deck, cards=(card,))


def wrong_answer(question: Question) -> str:
    """A wrong answer the card knows (so its feedback shows), or else an option or a number that is wrong."""
    for mistake in question.card.mistakes:
        value = question.mistake_value(mistake)
        if value != question.answer:
            return value if question.kind == "choice" else render_value(value)
    if question.kind == "choice":
        return next(c for c in question.card.choices if c != question.answer_text)
    return "1"


def snapshot_app(home: Path, deck_id: str) -> StudycardsApp:
    decks = [longest_card_deck(deck) for deck in load_decks(home) if deck.id == deck_id]
    home.mkdir(parents=True, exist_ok=True)
    store = Store(home, now=lambda: datetime(2025, 11, 25, 12, 0))
    return StudycardsApp(
        home, decks, store, start="quiz", deck_id=deck_id, seeds=random.Random(SESSION_SEED), clock=lambda: 50.0
    )


async def check_wrong(pilot: Pilot) -> None:
    """Type the wrong answer, check it, and wait for the torch line."""
    screen = pilot.app.screen
    screen.query_one(AnswerInput).cursor_blink = False
    await pilot.pause()
    answer = wrong_answer(screen.session.current.question)
    screen.query_one(AnswerInput).value = answer
    await pilot.press("enter")
    await pilot.app.background.wait()
    await pilot.pause()


@pytest.fixture
def deck_app(home: Path):
    apps: list[StudycardsApp] = []

    def make(deck_id: str) -> StudycardsApp:
        app = snapshot_app(home, deck_id)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.store.close()


@pytest.mark.parametrize("deck_id", DECK_IDS)
def test_longest_prompt_before_checking(deck_app, snap_compare, deck_id):
    async def run_before(pilot: Pilot) -> None:
        pilot.app.screen.query_one(AnswerInput).cursor_blink = False
        await pilot.pause()

    assert snap_compare(deck_app(deck_id), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("deck_id", DECK_IDS)
def test_longest_prompt_after_a_wrong_answer(deck_app, snap_compare, deck_id):
    assert snap_compare(deck_app(deck_id), terminal_size=(80, 24), run_before=check_wrong)


@pytest.mark.parametrize("deck_id", DECK_IDS)
def test_longest_prompt_with_the_solution_open(deck_app, snap_compare, deck_id):
    async def run_before(pilot: Pilot) -> None:
        await check_wrong(pilot)
        await pilot.press("w")
        await pilot.pause()

    assert snap_compare(deck_app(deck_id), terminal_size=(80, 24), run_before=run_before)


def test_the_verdict_and_grade_bar_stay_on_screen_when_the_body_overflows(home: Path):
    import asyncio

    from textual.containers import VerticalScroll
    from textual.widgets import Footer

    from studycards.tui.widgets import GradeBar

    app = snapshot_app(home, "modern-cnn")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await check_wrong(pilot)
            await pilot.press("w")
            await pilot.pause()
            screen = app.screen
            body = screen.query_one("#card-body", VerticalScroll)
            assert body.max_scroll_y > 0  # the prompt and the open solution do not fit: the body scrolls
            footer_top = screen.query_one(Footer).region.y
            verdict = screen.query_one("#verdict").region
            bar = screen.query_one(GradeBar).region
            assert verdict.y + 1 == bar.y and bar.bottom == footer_top  # right above the footer
            assert screen.query_one(GradeBar).has_focus
            await pilot.press("pageup")
            await pilot.pause()
            top = body.scroll_y
            await pilot.press("down")
            await pilot.pause()
            assert body.scroll_y == top + 1
            assert screen.query_one(GradeBar).region == bar

    try:
        asyncio.run(main())
    finally:
        app.store.close()
