"""The quiz screen driven with keys (Textual's pilot): what the learner sees, and what lands in the store."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from studycards.deck import load_decks
from studycards.formula import render_value
from studycards.question import Question
from studycards.store import Store
from studycards.tui.app import StudycardsApp
from studycards.tui.help_screen import HelpScreen
from studycards.tui.laid_out_text import LaidOutText
from studycards.tui.quiz_screen import ANSWERING, CHECKED, DONE, QuizScreen
from studycards.tui.summary_screen import SummaryScreen
from studycards.tui.widgets import AnswerInput, GradeBar

NOW = datetime(2025, 11, 25, 12, 0)
SIZE = (80, 24)


class Tick:
    """A session clock that stands still unless a test moves it."""

    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def make_app(home: Path):
    stores: list[Store] = []

    def make(start: str = "quiz", deck_id: str | None = "cnn", new_per_day: int | None = None) -> StudycardsApp:
        home.mkdir(parents=True, exist_ok=True)
        if new_per_day is not None:
            (home / "config.toml").write_text(f"new_cards_per_day = {new_per_day}\n")
        store = Store(home, now=lambda: NOW)
        stores.append(store)
        return StudycardsApp(
            home, load_decks(home), store, start=start, deck_id=deck_id, seeds=random.Random(3), clock=Tick()
        )

    yield make
    for store in stores:
        store.close()


def drive(app: StudycardsApp, scenario: Callable[[Pilot], Awaitable[None]]) -> None:
    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def text(app: StudycardsApp, selector: str) -> str:
    widget = app.screen.query_one(selector)
    if isinstance(widget, LaidOutText):
        return widget.text
    assert isinstance(widget, Static)
    return str(widget.render())


def question_of(app: StudycardsApp) -> Question:
    return app.screen.session.current.question


def known_mistake(question: Question) -> tuple[str, str]:
    """A wrong answer one of the card's mistakes gives, and that mistake's feedback."""
    for mistake in question.card.mistakes:
        value = question.mistake_value(mistake)
        if value != question.answer:
            return render_value(value), question.feedback(mistake)
    raise AssertionError(f"{question.ref}: no mistake differs from the answer")


async def type_answer(pilot: Pilot, answer: str) -> None:
    await pilot.press(*answer)
    await pilot.press("enter")
    await pilot.pause()


def shown_keys(app: StudycardsApp) -> set[str]:
    """The keys the footer shows right now (enabled or dimmed)."""
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show}


def test_a_right_answer_shows_the_verdict_and_the_torch_line_and_enter_saves_the_grade(make_app):
    app = make_app()
    store = app.store

    async def scenario(pilot: Pilot) -> None:
        question = question_of(app)
        assert isinstance(app.focused, AnswerInput)
        await type_answer(pilot, question.answer_text)
        screen = app.screen
        assert screen.state == CHECKED
        assert text(app, "#verdict") == f"✓ Correct: {question.answer_text}"
        assert isinstance(app.focused, GradeBar) and app.focused.selected == 5  # correct and fast
        await app.background.wait()
        await pilot.pause()
        truth = text(app, "#truth")
        assert truth.startswith("torch: ") and f"{question.answer_text}, {question.answer_text})" in truth
        assert store.reviews() == []  # nothing is written before the grade is given

        await pilot.press("enter")
        (review,) = store.reviews()
        assert (review.card_id, review.quality, review.verdict) == (question.card.id, 5, "correct")
        assert (review.answer, review.seed) == (question.answer_text, question.seed)
        assert question_of(app) is not question and isinstance(app.focused, AnswerInput)
        assert app.focused.value == ""
        assert text(app, "#progress-count") == f"1 / {screen.session.total}"

    drive(app, scenario)


def test_a_wrong_answer_shows_the_expected_answer_and_the_mistakes_feedback(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        question = question_of(app)
        wrong, feedback = known_mistake(question)
        await type_answer(pilot, wrong)
        assert text(app, "#verdict") == f"✗ Incorrect: expected {question.answer_text}"
        assert text(app, "#feedback") == feedback
        assert app.focused.selected == 2  # a known mistake: at most 2
        await pilot.press("1")  # a digit gives another grade at once
        (review,) = app.store.reviews()
        assert (review.quality, review.verdict, review.answer) == (1, "incorrect", wrong)
        assert review.mistake_id is not None

    drive(app, scenario)


def test_the_live_preview_shows_how_the_answer_is_read(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        await pilot.press(*"2*9")
        assert text(app, "#preview").startswith("reads as ")
        assert "18" in text(app, "#preview")
        await pilot.press("+")
        assert text(app, "#preview").startswith("cannot read")

    drive(app, scenario)


def test_an_unreadable_answer_is_sent_back_once_then_revealed_as_not_read(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        question = question_of(app)
        await type_answer(pilot, "18 apples")
        assert app.screen.state != CHECKED and isinstance(app.focused, AnswerInput)
        assert "press Enter again" in text(app, "#preview")
        assert app.store.reviews() == []
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.state == CHECKED
        assert text(app, "#verdict") == f"? Not read: expected {question.answer_text}"
        assert app.focused.selected == 0
        await pilot.press("enter")
        (review,) = app.store.reviews()
        assert (review.verdict, review.answer, review.quality) == ("unreadable", "18 apples", 0)

    drive(app, scenario)


def test_undo_brings_the_last_card_back_with_its_answer_to_be_checked_and_graded_again(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        first = question_of(app)
        wrong, _ = known_mistake(first)
        await type_answer(pilot, wrong)
        await pilot.press("2")
        second = question_of(app)
        assert second is not first
        await pilot.press("ctrl+z")  # while typing: ctrl+z
        await pilot.pause()
        assert question_of(app) is first and app.screen.state == ANSWERING
        box = app.screen.query_one(AnswerInput)
        assert box.value == wrong and app.focused is box
        assert text(app, "#card-kind") == "new · back after undo"
        assert app.screen.active_bindings["enter"].binding.description == "Check again"
        assert app.store.reviews() == []
        assert [r.kind for r in app.store.reviews(include_undone=True)] == ["new", "undo"]
        await pilot.press("enter")  # checked again: the same verdict, then a deliberate grade
        assert app.screen.state == CHECKED and text(app, "#verdict").startswith("✗ Incorrect")
        await pilot.press("3")
        assert [r.quality for r in app.store.reviews()] == [3]
        assert question_of(app) == second  # asked again: the same seed, so the same question
        await type_answer(pilot, second.answer_text)
        await pilot.press("enter")
        await type_answer(pilot, question_of(app).answer_text)  # the third card, checked
        await pilot.press("u")  # after checking: u
        await pilot.pause()
        assert question_of(app) == second and app.screen.query_one(AnswerInput).value == second.answer_text
        await pilot.press("u", "ctrl+z")  # answering again: u is text, ctrl+z undoes the grade before
        await pilot.pause()
        assert question_of(app) is first
        assert [r.quality for r in app.store.reviews()] == []
        assert [r.kind for r in app.store.reviews(include_undone=True)] == ["new", "undo", "new", "new", "undo", "undo"]

    drive(app, scenario)


def test_keys_typed_for_the_next_card_after_an_undo_never_grade_the_card_that_came_back(make_app):
    app = make_app()
    notices: list[str] = []

    async def scenario(pilot: Pilot) -> None:
        first = question_of(app)
        await type_answer(pilot, first.answer_text)
        await pilot.press("enter")  # graded: the suggested 5
        second = question_of(app)
        await type_answer(pilot, "5")  # the second card, checked but not graded
        original_notify = app.screen.notify
        app.screen.notify = lambda message, **kw: (notices.append(message), original_notify(message, **kw))[1]
        await pilot.press("u", *"0.370")  # undo by mistake, then the answer meant for the second card
        await pilot.pause()
        assert question_of(app) is first and app.screen.state == ANSWERING
        # added to its answer, in plain sight
        assert app.screen.query_one(AnswerInput).value == f"{first.answer_text}0.370"
        assert app.store.reviews() == []  # nothing graded it
        assert any(f"Undone: grade 5 for “{first.card.title}”" in notice for notice in notices)
        assert app.screen.session.queue[0].seed == second.seed

    drive(app, scenario)


def test_an_empty_enter_asks_before_revealing_the_answer(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        question = question_of(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.state == ANSWERING and isinstance(app.focused, AnswerInput)
        assert text(app, "#preview") == (
            "Nothing typed yet. Type your answer, or press Enter again to see the answer."
        )
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.state == CHECKED
        assert text(app, "#verdict") == f"? Not read: expected {question.answer_text}"
        assert app.focused.selected == 0 and app.store.reviews() == []

    drive(app, scenario)


def burst(app: StudycardsApp, *keys: str) -> None:
    """Keys arriving together, as a terminal delivers a paste or fast typing: all queued before any is handled."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


def test_editing_keys_in_a_burst_apply_in_the_order_typed(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        box = app.screen.query_one(AnswerInput)
        burst(app, "1", "2", "ctrl+u", "x", "y", "z")
        await pilot.pause()
        assert box.value == "xyz"
        burst(app, "backspace", "home", "w")
        await pilot.pause()
        assert box.value == "wxy"
        burst(app, "end", "ctrl+u", "7", "enter", "4")  # the 4 comes after Enter: neither answer nor grade
        await pilot.pause()
        assert app.screen.state == CHECKED
        assert app.screen.session.current.answer == "7" and box.value == "7"
        assert app.store.reviews() == []

    drive(app, scenario)


def test_a_grade_key_typed_before_the_verdict_was_on_screen_does_not_grade(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("7")
        early = events.Key("0", "0")  # typed now, handled only once the verdict is up
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.state == CHECKED
        app.post_message(early)  # reaches the grade bar, which now has the focus
        await pilot.pause()
        assert app.store.reviews() == [] and app.screen.state == CHECKED
        await pilot.press("0")  # typed with the verdict in sight: a grade
        assert [r.quality for r in app.store.reviews()] == [0]

    drive(app, scenario)


def test_skip_sets_the_card_aside_without_logging_and_letters_typed_stay_in_the_answer(make_app):
    app = make_app(new_per_day=3)

    async def scenario(pilot: Pilot) -> None:
        first = question_of(app)
        await pilot.press("s", "u")  # typed while answering: text, not commands
        assert app.screen.query_one(AnswerInput).value == "su"
        assert question_of(app) is first
        await pilot.press("ctrl+s")
        session = app.screen.session
        assert question_of(app).card != first.card
        assert session.queue[-1].card == first.card and session.queue[-1].seed != first.seed
        await type_answer(pilot, "1")
        await pilot.press("s")  # after checking, s skips without grading
        assert app.store.reviews() == []
        assert session.summary().skipped == 2

    drive(app, scenario)


def test_a_card_graded_below_4_comes_back_as_a_redrill(make_app):
    app = make_app(new_per_day=2)

    async def scenario(pilot: Pilot) -> None:
        first = question_of(app)
        await type_answer(pilot, known_mistake(first)[0])
        await pilot.press("enter")  # the suggested 2
        assert text(app, "#progress-count") == "1 / 3"
        await type_answer(pilot, question_of(app).answer_text)
        await pilot.press("enter")
        redrill = question_of(app)
        assert redrill.card == first.card and redrill.seed != first.seed
        assert text(app, "#card-kind") == "re-drill"
        await type_answer(pilot, redrill.answer_text)
        await pilot.press("4")
        assert app.screen.state == DONE
        assert [(r.kind, r.quality) for r in app.store.reviews()] == [("new", 2), ("new", 5), ("redrill", 4)]

    drive(app, scenario)


def test_more_practice_when_everything_is_done_is_logged_as_practice(make_app):
    app = make_app(new_per_day=1)

    async def scenario(pilot: Pilot) -> None:
        await type_answer(pilot, question_of(app).answer_text)
        await pilot.press("enter")
        assert app.screen.state == DONE
        assert "p: practise" in text(app, "#done")
        assert "p" in shown_keys(app)
        await pilot.press("p")
        assert text(app, "#card-kind") == "practice"
        await type_answer(pilot, question_of(app).answer_text)
        await pilot.press("enter")
        assert [r.kind for r in app.store.reviews()] == ["new", "practice"]

    drive(app, scenario)


def test_escape_ends_the_session_with_a_summary_and_enter_closes_it(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        await type_answer(pilot, question_of(app).answer_text)
        await pilot.press("enter")
        wrong_question = question_of(app)
        await type_answer(pilot, known_mistake(wrong_question)[0])
        await pilot.press("enter")
        await pilot.press("escape")
        assert isinstance(app.screen, SummaryScreen)
        summary = text(app, "#summary-text")
        assert "Answered   2 (" not in summary and "Answered   2" in summary
        assert "Correct    1 of 2 (50%)" in summary
        assert "Time       0 s answering" in summary
        assert f"• {wrong_question.card.title}: " in summary
        assert "Next       " in summary and "due tomorrow (2025-11-26)" in summary
        await pilot.press("enter")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running

    drive(app, scenario)


def test_quitting_mid_card_keeps_every_grade_already_given(make_app, home):
    app = make_app()
    answered: list[str] = []

    async def scenario(pilot: Pilot) -> None:
        for _ in range(2):
            question = question_of(app)
            answered.append(question.card.id)
            await type_answer(pilot, question.answer_text)
            await pilot.press("enter")
        await pilot.press(*"12")  # the third card, half answered
        await pilot.press("ctrl+q")

    drive(app, scenario)
    with Store(home) as reopened:
        assert [(r.card_id, r.verdict) for r in reopened.reviews()] == [(card, "correct") for card in answered]


def test_the_footer_shows_the_keys_that_work_in_each_state(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        answering = shown_keys(app)
        assert {"enter", "ctrl+s", "ctrl+z", "f1", "escape", "ctrl+q"} <= answering
        assert not {"s", "u", "question_mark", "w", "0", "p"} & answering
        assert app.screen.active_bindings["enter"].binding.description == "Check"
        await type_answer(pilot, "7")
        checked = shown_keys(app)
        assert {"enter", "0", "w", "s", "u", "question_mark", "escape", "ctrl+q"} <= checked
        assert not {"ctrl+s", "ctrl+z", "f1", "p"} & checked
        assert app.screen.active_bindings["enter"].binding.description == "Accept grade"
        assert not app.screen.active_bindings["u"].enabled  # nothing to undo yet: dimmed

    drive(app, scenario)


def test_the_worked_solution_opens_with_w(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        question = question_of(app)
        await type_answer(pilot, question.answer_text)
        solution = app.screen.query_one("#solution")
        assert solution.collapsed
        await pilot.press("w")
        assert not solution.collapsed
        assert text(app, "#solution-text") == question.solution.strip("\n")

    drive(app, scenario)


def test_help_opens_with_f1_while_typing_and_question_mark_after_checking(make_app):
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("?")
        assert app.screen.query_one(AnswerInput).value == "?"
        await pilot.press("backspace", "f1")
        assert isinstance(app.screen, HelpScreen)
        assert "ctrl+s" in text(app, "#help-text")
        await pilot.press("escape")
        assert isinstance(app.screen, QuizScreen)
        await type_answer(pilot, "3")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, QuizScreen) and app.screen.state == CHECKED

    drive(app, scenario)
