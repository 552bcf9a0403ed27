"""Learning cards: failed today, not yet answered with 4 or 5, asked first by the next session in any terminal.

Derived from the review log alone, so these tests drive the store and the session through real grades,
undos, a second connection and the 4 am rollover, and compare with a model of the rule kept by the test.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from session_clocks import Clocks

from studycards.config import Config
from studycards.deck import load_decks
from studycards.session import QuizSession
from studycards.store import Store

DAY_ONE = datetime(2025, 11, 25, 12, 0)
TODAY = date(2025, 11, 25)

DECK = """
id = "{deck}"
title = "Deck {deck}"
"""
CARD = """
[[cards]]
id = "{card}"
title = "Card {card} of {deck}"
kind = "choice"
prompt = "Which layer convolves ({card})?"
choices = ["Conv2d", "Linear"]
answer = "Conv2d"
solution = "Conv2d slides a kernel."
"""


@pytest.fixture
def clock() -> Clocks:
    return Clocks(DAY_ONE)


@pytest.fixture
def decks(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Two small decks of our own (a, b, c, d each), no bundled ones: the queues are then easy to read."""
    empty = tmp_path / "no-bundled-decks"
    empty.mkdir()
    monkeypatch.setattr("studycards.locations.bundled_decks_dir", lambda: empty)
    folder = home / "decks"
    folder.mkdir(parents=True)
    for deck in ("one", "two"):
        text = DECK.format(deck=deck) + "".join(CARD.format(deck=deck, card=card) for card in "abcd")
        (folder / f"{deck}.toml").write_text(text)
    return load_decks(home)


@pytest.fixture
def stores(home: Path, clock: Clocks):
    opened: list[Store] = []

    def open_(new_per_day: int = 20) -> Store:
        store = Store(home, config=Config(new_cards_per_day=new_per_day), now=clock.wall)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


def learning(store: Store, deck: str | None = None) -> list[str]:
    return [f"{card.deck_id}/{card.card_id}" for card in store.learning_cards(deck)]


def session(store: Store, decks, clock: Clocks, deck_id: str | None = "one") -> QuizSession:
    return QuizSession(store, decks, deck_id=deck_id, seeds=random.Random(5), clock=clock.monotonic)


def queue_of(quiz: QuizSession) -> list[tuple[str, str]]:
    items = ([quiz.current.item] if quiz.current else []) + quiz.queue
    return [(item.kind, item.ref) for item in items]


def grade_current(quiz: QuizSession, quality: int) -> None:
    question = quiz.current.question
    quiz.check(question.answer_text if quality >= 3 else "Linear")
    quiz.grade(quality)


def test_a_failed_card_is_learning_until_answered_with_4_or_5(stores):
    store = stores()
    store.record_review("one", "a", 2)
    store.record_review("one", "b", 5)
    assert learning(store) == ["one/a"]
    store.record_review("one", "a", 3, kind="redrill")  # 3 passes SM-2 but is still below 4
    assert learning(store) == ["one/a"]
    store.record_review("one", "a", 4, kind="redrill")
    assert learning(store) == []
    store.record_review("one", "a", 1, kind="practice")  # a later failure, of any kind, counts again
    assert learning(store) == ["one/a"]
    assert store.card("one", "a").state.interval == 1  # none of that moved the schedule after the first grade


def test_undo_brings_back_what_came_before_the_undone_answer(stores):
    store = stores()
    failed = store.record_review("one", "a", 1)
    passed = store.record_review("one", "a", 5, kind="redrill")
    assert learning(store) == []
    store.undo_last_review(passed.id)
    assert learning(store) == ["one/a"]
    store.undo_last_review(failed.id)  # the card is new again: nothing to re-drill
    assert learning(store) == [] and store.card("one", "a") is None


def test_a_second_connection_sees_the_same_learning_cards(stores, home, clock):
    first, second = stores(), stores()
    first.record_review("one", "a", 2)
    first.record_review("two", "c", 0)
    assert learning(second) == ["one/a", "two/c"]  # in the order they were failed
    second.record_review("one", "a", 4, kind="redrill")
    assert learning(first) == ["two/c"]
    with Store(home, now=clock.wall) as third:  # and a process opening the file afresh
        assert learning(third, "two") == ["two/c"] and learning(third, "one") == []


def test_the_learning_day_ends_at_4_am(stores, clock):
    store = stores()
    clock.now = datetime(2025, 11, 26, 3, 30)  # half past three: still the study day of the 25th
    store.record_review("one", "a", 2)
    assert store.today() == TODAY and learning(store) == ["one/a"]
    clock.now = datetime(2025, 11, 26, 3, 59)
    assert learning(store) == ["one/a"]
    clock.now = datetime(2025, 11, 26, 4, 0)  # a new study day: the failure is yesterday's
    assert learning(store) == []
    assert [card.card_id for card in store.due_cards()] == ["a"]  # and SM-2's interval of 1 makes it due


def test_a_card_failed_today_that_is_also_due_is_asked_once_as_a_due_review(stores, decks, clock):
    store = stores()
    clock.now = datetime(2025, 11, 25, 23, 0)
    store.record_review("one", "a", 1)  # due on the 26th
    clock.now = datetime(2025, 11, 26, 4, 30)
    store.record_review("one", "a", 2, kind="redrill")  # yesterday's re-drill, answered after 4 am
    assert learning(store) == []
    (today,) = [deck for deck in store.due_summary({"one": ["a", "b", "c", "d"]})]
    assert (today.learning, today.due) == (0, 1)
    quiz = session(store, decks, clock)
    assert queue_of(quiz)[0] == ("review", "one/a")
    assert [ref for _, ref in queue_of(quiz)].count("one/a") == 1


def test_practice_on_a_card_never_scheduled_does_not_make_it_learning(stores):
    store = stores()
    store.record_review("one", "a", 0, kind="practice")
    assert learning(store) == []  # it is still a new card, introduced in its turn


def test_a_new_session_starts_with_the_cards_failed_in_the_last_one_and_logs_them_as_redrills(stores, decks, clock):
    store = stores(new_per_day=3)
    quiz = session(store, decks, clock)
    assert queue_of(quiz) == [("new", "one/a"), ("new", "one/b"), ("new", "one/c")]
    grade_current(quiz, 1)  # a, failed on first sight
    grade_current(quiz, 5)  # b
    grade_current(quiz, 2)  # c
    # Esc, ctrl+q or a closed terminal: the session is simply gone, its re-drills with it.
    del quiz
    assert learning(store) == ["one/a", "one/c"]

    again = session(stores(new_per_day=3), decks, clock)  # a new session, a new connection
    assert queue_of(again) == [("redrill", "one/a"), ("redrill", "one/c")]  # no new cards: 3 introduced today
    schedules = {card.card_id: card for card in store.cards()}
    grade_current(again, 4)
    grade_current(again, 1)
    assert queue_of(again) == [("redrill", "one/c")]  # failed again: the usual re-drill in this session
    assert [(r.kind, r.card_id, r.quality) for r in store.reviews()][-2:] == [("redrill", "a", 4), ("redrill", "c", 1)]
    assert {card.card_id: card for card in store.cards()} == schedules  # re-drills leave SM-2 alone
    assert learning(store) == ["one/c"]
    assert again.summary().learning_left == 1


def test_learning_cards_come_before_due_and_new_ones(stores, decks, clock):
    store = stores(new_per_day=2)
    clock.now = DAY_ONE - timedelta(days=1)
    store.record_review("one", "a", 4)  # due today
    store.record_review("one", "b", 4)
    clock.now = DAY_ONE
    store.record_review("one", "b", 2)  # b: a scheduled review failed today (due tomorrow)
    store.record_review("two", "d", 1)
    quiz = session(store, decks, clock)
    assert queue_of(quiz) == [("redrill", "one/b"), ("review", "one/a"), ("new", "one/c"), ("new", "one/d")]
    review = session(store, decks, clock, deck_id=None)
    assert queue_of(review)[:3] == [("redrill", "one/b"), ("redrill", "two/d"), ("review", "one/a")]
    assert [kind for kind, _ in queue_of(review)[3:]] == ["new"] * 3


def test_due_summary_counts_learning_cards_of_the_decks_it_is_given(stores):
    store = stores()
    store.record_review("one", "a", 2)
    store.record_review("one", "gone", 2)  # a template no longer in the deck: not asked, not counted
    store.record_review("two", "b", 5)
    summary = {today.deck: today for today in store.due_summary({"one": ["a", "b"], "two": ["b"]})}
    assert (summary["one"].learning, summary["one"].due, summary["one"].new) == (1, 0, 1)
    assert summary["two"].learning == 0
    assert summary["one"].to_dict() == {"deck": "one", "learning": 1, "due": 0, "new": 1, "reviewed_today": 2}


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("answer"),
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 5),
            st.sampled_from(["review", "redrill", "practice"]),
        ),
        st.tuples(st.just("undo")),
        st.tuples(st.just("hours"), st.integers(1, 30)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_learning_follows_the_rule_through_any_answers_undos_and_days(tmp_path_factory, operations):
    home = tmp_path_factory.mktemp("home")
    clock = Clocks(DAY_ONE)
    model: list[dict] = []  # the test's own log: what was answered, when, and whether it was undone
    with Store(home, config=Config(), now=clock.wall) as store:
        for operation in operations:
            if operation[0] == "answer":
                _, card, quality, kind = operation
                logged = store.record_review("one", card, quality, kind=kind)
                model.append({"id": logged.id, "card": card, "quality": quality, "day": logged.study_day})
            elif operation[0] == "undo":
                undone = store.undo_last_review()
                for entry in model:
                    if undone is not None and entry["id"] == undone.id:
                        entry["undone"] = True
            else:
                clock.now += timedelta(hours=operation[1])
            today = store.today()
            last: dict[str, dict] = {}
            for entry in model:
                if entry["day"] == today and not entry.get("undone"):
                    last[entry["card"]] = entry
            expected = [
                f"one/{card}"
                for card, entry in sorted(last.items(), key=lambda item: item[1]["id"])
                if entry["quality"] < 4
                and store.card("one", card) is not None
                and store.card("one", card).due > today
            ]
            assert learning(store) == expected
            assert [f"{c.deck_id}/{c.card_id}" for c in store.learning_from_log()] == expected
