"""A misconception in the statistics reads as the learner saw it: the feedback of the latest answer that
made it, rendered with that question's numbers (regenerated from the card and the logged seed)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from studycards.config import Config
from studycards.deck import load_decks
from studycards.formula import render_value
from studycards.grading import grade_question
from studycards.question import generate
from studycards.stats import GENERIC_SLIPS, compute_stats, feedback_outline
from studycards.store import Store

DAY = date(2025, 3, 3)
NOON = datetime(2025, 3, 3, 12, 0)

USER_DECK = """
id = "mine"
title = "Mine"

[[cards]]
id = "double"
title = "Double it"
prompt = "What is twice {n}?"
answer = "2*n"
solution = "2·{n} = {answer}"
CONSTRAINTS

[cards.params]
n = { range = [3, 9] }

[cards.truth]
layer = "Linear(n, 2, bias=False)"
read = "params"

[[cards.mistakes]]
id = "squared"
answer = "n*n"
feedback = "You squared {n}: {n}·{n} = {n*n}; twice is {n} + {n}."
"""


def misconceptions_of(home: Path) -> list:
    with Store(home, config=Config(), now=lambda: NOON) as store:
        return compute_stats(store, load_decks(home), today=DAY).misconceptions


def test_the_latest_answer_sets_the_numbers_and_its_question_comes_with_it(home: Path):
    card = next(deck for deck in load_decks() if deck.id == "cnn").card("conv-output-size")
    mistake = next(m for m in card.mistakes if m.id == "padding-once")
    made = [(seed, generate(card, seed)) for seed in range(40)]
    made = [(seed, q) for seed, q in made if q.mistake_value(mistake) != q.answer and q.values["p"] >= 1][:2]
    with Store(home, config=Config(), now=lambda: NOON) as store:
        for seed, question in made:
            typed = render_value(question.mistake_value(mistake))
            assert grade_question(question, typed).mistake == "padding-once"
            store.record_review("cnn", card.id, 2, verdict="incorrect", mistake_id=mistake.id, seed=seed, answer=typed)
    (found,) = misconceptions_of(home)
    seed, latest = made[-1]
    assert (found.count, found.seed, found.answer) == (2, seed, render_value(latest.mistake_value(mistake)))
    assert found.feedback == latest.feedback(mistake)
    assert found.feedback != feedback_outline(mistake.feedback) and "*" not in found.feedback
    assert found.question == latest.prompt.strip()
    assert found.to_dict()["question"] == found.question and found.to_dict()["seed"] == seed


def test_a_generic_slip_gets_the_words_its_answer_got(home: Path):
    card = next(deck for deck in load_decks() if deck.id == "cnn").card("conv-params")
    question = generate(card, 4)
    typed = str(question.answer + 1)
    graded = grade_question(question, typed)
    assert graded.mistake == "off-by-one"
    with Store(home, config=Config(), now=lambda: NOON) as store:
        store.record_review("cnn", card.id, 1, verdict="incorrect", mistake_id="off-by-one", seed=4, answer=typed)
    (found,) = misconceptions_of(home)
    assert found.feedback == graded.feedback != GENERIC_SLIPS["off-by-one"]


def test_a_card_that_can_no_longer_make_that_question_falls_back_to_the_rule(home: Path):
    (home / "decks").mkdir(parents=True)
    deck_file = home / "decks" / "mine.toml"
    deck_file.write_text(USER_DECK.replace("CONSTRAINTS", ""), encoding="utf-8")
    with Store(home, config=Config(), now=lambda: NOON) as store:
        store.record_review("mine", "double", 1, verdict="incorrect", mistake_id="squared", seed=2, answer="25")
    (found,) = misconceptions_of(home)
    assert found.feedback.startswith("You squared ") and "{" not in found.feedback and "n*n" not in found.feedback

    # The author tightens the constraints so that no seed can make a question: the rule, never a crash.
    deck_file.write_text(USER_DECK.replace("CONSTRAINTS", 'constraints = ["n > 100"]'), encoding="utf-8")
    (found,) = misconceptions_of(home)
    assert found.feedback == "You squared n: n·n = n*n; twice is n + n."
    assert found.question is None and found.seed == 2


def test_the_stats_screen_shows_the_feedback_and_the_answer_as_seen(home: Path):
    import asyncio
    import io
    import random

    from stats_history import SMALL_ANSWER, SMALL_SEED, SMALL_TODAY, small_history
    from textual.widgets import Static

    from studycards.tui.app import StudycardsApp
    from studycards.tui.stats_screen import StatsScreen

    small_history(home)
    noon = datetime.combine(SMALL_TODAY, datetime.min.time()).replace(hour=12)
    card = next(deck for deck in load_decks() if deck.id == "cnn").card("conv-output-size")
    seen = generate(card, SMALL_SEED).feedback(next(m for m in card.mistakes if m.id == "padding-once"))
    store = Store(home, now=lambda: noon)
    app = StudycardsApp(home, load_decks(home), store, seeds=random.Random(3), clock=lambda: 0.0)
    shown: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("s")
            assert isinstance(app.screen, StatsScreen)
            while app.screen.stats is None:
                await pilot.pause(0.05)
            await pilot.pause()
            from rich.console import Console

            console = Console(width=200, record=True, color_system=None, file=io.StringIO())
            console.print(app.screen.query_one("#stats-misconceptions", Static).content)
            shown.append(" ".join(console.export_text().split()))

    try:
        asyncio.run(main())
    finally:
        store.close()
    assert f"You answered {SMALL_ANSWER}. {seen}" in shown[0]
