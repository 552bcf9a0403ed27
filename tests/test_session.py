"""The quiz session without a screen: queue order, grading into the store, re-drills, undo, skip, practice."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from session_clocks import Clocks

from studycards.deck import load_decks
from studycards.formula import render_value
from studycards.question import Question, generate
from studycards.session import FAST_SECONDS, REDRILL_GAP, QuizSession, interleave, suggest_grade
from studycards.store import Store

DAY_ONE = datetime(2025, 11, 25, 12, 0)

SMALL_DECK = '''
id = "tiny"
title = "Two questions"

[[cards]]
id = "conv"
title = "Which layer convolves"
kind = "choice"
prompt = "Which layer slides a kernel over its input?"
choices = ["Conv2d", "Linear"]
answer = "Conv2d"
solution = "Conv2d slides a kernel; Linear multiplies by a matrix."

[[cards]]
id = "pool"
title = "Which layer has no parameters"
kind = "choice"
prompt = "Which layer has no parameters?"
choices = ["MaxPool2d", "Conv2d"]
answer = "MaxPool2d"
solution = "Pooling takes a maximum; nothing is learned."
'''


@pytest.fixture
def clocks() -> Clocks:
    return Clocks(DAY_ONE)


@pytest.fixture
def open_store(home: Path, clocks: Clocks):
    stores: list[Store] = []

    def open_(new_per_day: int | None = None) -> Store:
        home.mkdir(parents=True, exist_ok=True)
        if new_per_day is not None:
            (home / "config.toml").write_text(f"new_cards_per_day = {new_per_day}\n")
        store = Store(home, now=clocks.wall)
        stores.append(store)
        return store

    yield open_
    for store in stores:
        store.close()


def quiz(store: Store, home: Path, clocks: Clocks, deck_id: str | None = "cnn", seed: int = 7) -> QuizSession:
    return QuizSession(
        store, load_decks(home), deck_id=deck_id, seeds=random.Random(seed), clock=clocks.monotonic
    )


def known_mistake(question: Question) -> str:
    """An answer that one of the card's listed mistakes gives, different from the right answer."""
    for mistake in question.card.mistakes:
        value = question.mistake_value(mistake)
        if value != question.answer:
            return render_value(value)
    raise AssertionError(f"{question.ref} seed {question.seed}: every mistake equals the answer")


def answer(session: QuizSession, clocks: Clocks, text: str, quality: int | None = None, seconds: float = 30.0):
    """Check ``text`` after ``seconds`` and grade it (the suggested grade unless ``quality``)."""
    clocks.seconds += seconds
    grade = session.check(text)
    graded = session.grade(session.suggested_grade() if quality is None else quality)
    return grade, graded


def test_a_quiz_asks_due_cards_first_then_new_ones_within_the_daily_limit(home, clocks, open_store):
    store = open_store(new_per_day=3)
    session = quiz(store, home, clocks)
    cnn = [card.id for card in next(deck for deck in load_decks(home) if deck.id == "cnn").cards]
    assert [item.card.id for item in [session.current.item, *session.queue]] == cnn[:3]
    assert session.current.item.kind == "new"
    while not session.finished:
        answer(session, clocks, session.current.question.answer_text)
    assert session.done == 3

    clocks.now = DAY_ONE + timedelta(days=1)
    tomorrow = quiz(store, home, clocks)
    items = [tomorrow.current.item, *tomorrow.queue]
    assert [item.kind for item in items] == ["review"] * 3 + ["new"] * 3
    assert {item.card.id for item in items[:3]} == set(cnn[:3])  # due on the same day: by card id
    assert [item.card.id for item in items[3:]] == cnn[3:6]


def test_each_grade_is_one_review_in_the_store_with_the_seed_that_reproduces_the_question(
    home, clocks, open_store
):
    store = open_store()
    session = quiz(store, home, clocks)
    question = session.current.question
    grade, graded = answer(session, clocks, question.answer_text, seconds=42.5)

    assert grade.verdict == "correct"
    (review,) = store.reviews()
    assert (review.kind, review.deck_id, review.card_id) == ("new", "cnn", question.card.id)
    assert (review.answer, review.verdict, review.mistake_id) == (question.answer_text, "correct", None)
    assert review.quality == 4 and review.seconds == pytest.approx(42.5)
    assert review.id == graded.review.id
    assert generate(question.card, review.seed).prompt == question.prompt
    assert store.card("cnn", question.card.id).due == date(2025, 11, 26)


def test_a_correct_answer_suggests_4_or_5_when_fast(home, clocks, open_store):
    session = quiz(open_store(), home, clocks)
    clocks.seconds += FAST_SECONDS - 1
    session.check(session.current.question.answer_text)
    assert session.suggested_grade() == 5
    session.grade(5)
    clocks.seconds += FAST_SECONDS + 20
    session.check(session.current.question.answer_text)
    assert session.suggested_grade() == 4


def test_a_known_mistake_gets_its_feedback_and_at_most_2(home, clocks, open_store):
    session = quiz(open_store(), home, clocks)
    question = session.current.question
    grade = session.check(known_mistake(question))
    assert grade.verdict == "incorrect"
    assert grade.mistake in {m.id for m in question.card.mistakes}
    assert grade.feedback
    assert grade.expected == question.answer_text
    assert session.suggested_grade() == 2


def test_an_unexplained_wrong_answer_suggests_1(home, clocks, open_store):
    session = quiz(open_store(), home, clocks)
    wrong = session.current.question.answer * 1000 + 7
    session.check(str(wrong))
    assert session.current.grade.verdict == "incorrect"
    assert session.suggested_grade() == (2 if session.current.grade.mistake else 1)


def test_an_unreadable_answer_is_sent_back_once_then_revealed(home, clocks, open_store):
    store = open_store()
    session = quiz(store, home, clocks)
    attempt = session.current
    first = session.check("18 apples")
    assert first.verdict == "unreadable" and first.feedback
    assert not attempt.checked and session.current is attempt
    other = session.check("18 pears")  # a different text is another first try
    assert other.verdict == "unreadable" and not attempt.checked
    session.check("18 pears")
    assert attempt.checked and attempt.grade.verdict == "unreadable"
    assert session.suggested_grade() == 0
    session.grade(0)
    (review,) = store.reviews()
    assert (review.verdict, review.answer, review.quality) == ("unreadable", "18 pears", 0)


def test_an_empty_answer_is_sent_back_once_then_revealed(home, clocks, open_store):
    session = quiz(open_store(), home, clocks)
    first = session.check("")  # an Enter pressed too soon
    assert first.verdict == "unreadable" and not session.current.checked
    session.check("   ")  # the same (empty) answer again: "I don't know"
    assert session.current.checked
    assert session.suggested_grade() == 0
    assert session.current.grade.expected == session.current.question.answer_text


def test_a_card_graded_below_4_is_redrilled_until_it_scores_4(home, clocks, open_store):
    store = open_store(new_per_day=2)
    session = quiz(store, home, clocks)
    first, second = session.current.item.card, session.queue[0].card
    answer(session, clocks, known_mistake(session.current.question), quality=2)
    assert [(item.kind, item.card.id) for item in session.queue] == [("redrill", first.id)]
    assert session.total == 3
    answer(session, clocks, session.current.question.answer_text, quality=5)  # the second card
    assert session.current.item.kind == "redrill" and session.current.item.card == first
    answer(session, clocks, session.current.question.answer_text, quality=3)  # still below 4: again
    assert session.current.item.kind == "redrill"
    answer(session, clocks, session.current.question.answer_text, quality=4)
    assert session.finished

    rows = [(r.kind, r.card_id, r.quality) for r in store.reviews()]
    assert rows == [
        ("new", first.id, 2),
        ("new", second.id, 5),
        ("redrill", first.id, 3),
        ("redrill", first.id, 4),
    ]
    state = store.card("cnn", first.id).state  # re-drills leave the schedule as the first grade set it
    assert (state.repetitions, state.interval) == (0, 1)
    seeds = [r.seed for r in store.reviews(card_id=first.id)]
    assert len(set(seeds)) == 3  # new numbers every time


def test_a_redrill_waits_a_few_cards(home, clocks, open_store):
    session = quiz(open_store(new_per_day=10), home, clocks)
    card = session.current.item.card
    answer(session, clocks, known_mistake(session.current.question), quality=1)
    upcoming = [session.current.item, *session.queue]  # REDRILL_GAP other cards, then the re-drill
    assert upcoming[REDRILL_GAP].kind == "redrill" and upcoming[REDRILL_GAP].card == card
    assert all(item.kind == "new" and item.card != card for item in upcoming[:REDRILL_GAP])


def test_undo_takes_back_the_grade_in_the_store_and_brings_the_card_back(home, clocks, open_store):
    store = open_store(new_per_day=3)
    session = quiz(store, home, clocks)
    attempt = session.current
    wrong = known_mistake(attempt.question)
    answer(session, clocks, wrong, quality=2)
    displaced = session.current.item
    assert any(item.kind == "redrill" for item in session.queue)

    undone = session.undo()
    assert undone.attempt is attempt and undone.quality == 2
    # back with its answer, but not checked: only a new check and then a grade can grade it again
    assert session.current is attempt and not attempt.checked and attempt.answer == wrong
    with pytest.raises(RuntimeError, match="no checked card"):
        session.grade(0)
    assert session.queue[0] == displaced
    assert not any(item.kind == "redrill" for item in session.queue)
    assert store.card("cnn", attempt.item.card.id) is None  # new again
    assert store.reviews() == []
    assert [r.kind for r in store.reviews(include_undone=True)] == ["new", "undo"]
    assert session.done == 0

    clocks.seconds += 100  # the answer time stays the one of its first check
    session.check(wrong)
    session.grade(5)  # graded again, differently
    assert not any(item.kind == "redrill" for item in session.queue)
    (review,) = store.reviews()
    assert (review.card_id, review.quality, review.answer) == (attempt.item.card.id, 5, wrong)
    assert review.seconds == 30.0
    assert session.undo() is not None and session.undo() is None


def test_undo_of_a_card_whose_redrill_is_on_screen_drops_the_redrill(home, clocks, open_store):
    store = open_store(new_per_day=1)
    session = quiz(store, home, clocks)
    answer(session, clocks, known_mistake(session.current.question), quality=1)
    assert session.current.item.kind == "redrill"  # nothing else queued: it comes straight back
    session.undo()
    assert session.current.item.kind == "new" and session.queue == []


def test_skip_logs_nothing_and_brings_the_card_back_last_with_new_numbers(home, clocks, open_store):
    store = open_store(new_per_day=3)
    session = quiz(store, home, clocks)
    skipped = session.current.item
    session.skip()
    assert session.queue[-1].card == skipped.card and session.queue[-1].seed != skipped.seed
    assert session.current.item.card != skipped.card
    assert store.reviews() == [] and session.total == 3
    assert session.summary().skipped == 1


def test_practice_is_logged_but_moves_no_schedule(home, clocks, open_store):
    store = open_store(new_per_day=1)
    session = quiz(store, home, clocks)
    answer(session, clocks, session.current.question.answer_text, quality=5)
    assert session.finished
    before = store.cards()

    assert session.add_practice(2) == 2
    assert session.current.item.kind == "practice"
    answer(session, clocks, session.current.question.answer_text, quality=5)
    answer(session, clocks, session.current.question.answer_text, quality=5)
    assert store.cards() == before
    assert [r.kind for r in store.reviews()] == ["new", "practice", "practice"]
    summary = session.summary()
    assert (summary.answered, summary.practice) == (3, 2)


def test_practice_picks_cards_asked_least_in_the_session_first(home, clocks, open_store):
    session = quiz(open_store(new_per_day=1), home, clocks)
    asked = session.current.item.card
    answer(session, clocks, session.current.question.answer_text, quality=5)
    session.add_practice(3)
    assert asked not in [item.card for item in [session.current.item, *session.queue]]


def test_practice_in_the_daily_review_takes_turns_between_decks(home, clocks, open_store):
    session = quiz(open_store(new_per_day=0), home, clocks, deck_id=None)
    assert session.finished
    decks = load_decks(home)
    assert session.add_practice(len(decks)) == len(decks)
    items = [session.current.item, *session.queue]
    assert sorted(item.card.deck_id for item in items) == sorted(deck.id for deck in decks)
    assert all(item.kind == "practice" for item in items)


def test_the_daily_review_interleaves_decks(home, clocks, open_store):
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "tiny.toml").write_text(SMALL_DECK)
    store = open_store(new_per_day=2)
    session = quiz(store, home, clocks, deck_id=None)
    decks = load_decks(home)
    items = [session.current.item, *session.queue]
    assert len(items) == 2 * len(decks)
    first_round = [item.card.deck_id for item in items[: len(decks)]]
    assert sorted(first_round) == sorted(deck.id for deck in decks)
    assert all(a.card.deck_id != b.card.deck_id for a, b in zip(items, items[1:]))


def test_the_summary_counts_answers_mistakes_and_what_is_due_next(home, clocks, open_store):
    store = open_store(new_per_day=3)
    session = quiz(store, home, clocks)
    wrong_question = session.current.question
    answer(session, clocks, known_mistake(wrong_question), quality=2, seconds=20)
    answer(session, clocks, session.current.question.answer_text, quality=5, seconds=10)
    summary = session.summary()  # ended early: the third new card and the re-drill not asked
    assert (summary.answered, summary.correct, summary.seconds) == (2, 1, pytest.approx(30))
    (made,) = summary.mistakes
    assert made.title == wrong_question.card.title and made.expected == wrong_question.answer_text
    assert made.mistake is not None and made.feedback
    assert summary.today == date(2025, 11, 25)
    assert (summary.next_due, summary.next_due_count, summary.due_left) == (date(2025, 11, 26), 2, 0)


def test_a_deck_not_given_is_refused(home, clocks, open_store):
    with pytest.raises(ValueError, match="no deck 'nope'"):
        quiz(open_store(), home, clocks, deck_id="nope")


@given(st.sampled_from(["correct", "incorrect", "unreadable"]), st.none() | st.text(min_size=1, max_size=5),
       st.floats(min_value=0, max_value=10_000))
def test_suggested_grades_follow_the_verdict(verdict, mistake, seconds):
    quality = suggest_grade(verdict, mistake, seconds)
    if verdict == "correct":
        assert quality == (5 if seconds <= FAST_SECONDS else 4)
    else:
        assert 0 <= quality <= 2


@given(st.lists(st.lists(st.integers(), max_size=6), max_size=5))
def test_interleaving_keeps_every_item_and_each_groups_order(groups):
    tagged = [[(index, value) for value in group] for index, group in enumerate(groups)]
    merged = interleave(tagged)
    assert sorted(merged) == sorted(item for group in tagged for item in group)
    for index, group in enumerate(tagged):
        assert [item for item in merged if item[0] == index] == group
