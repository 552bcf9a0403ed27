"""``due_summary``'s count of new cards stays exact while one ``Store`` keeps its per-deck counts between
calls: renamed and removed cards, undone first reviews, a card id in two decks, each deck's daily limit,
reviews from another terminal, a hand-edited cards table and its rebuild."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.config import Config
from studycards.store import Store


class Clock:
    """A settable local wall clock."""

    def __init__(self) -> None:
        self.moment = datetime(2024, 3, 1, 18, 0)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


def new_counts(store: Store, catalogue: dict[str, list[str]]) -> dict[str, int]:
    return {today.deck: today.new for today in store.due_summary(catalogue)}


def test_renamed_and_removed_cards_change_the_new_count_on_the_same_store(home: Path, clock: Clock):
    with Store(home, config=Config(new_cards_per_day=10), now=clock) as store:
        deck = ["a", "b", "c", "d"]
        assert new_counts(store, {"cnn": deck}) == {"cnn": 4}
        store.record_review("cnn", "a", 4)
        store.record_review("cnn", "b", 4)
        assert new_counts(store, {"cnn": deck}) == {"cnn": 2}
        clock.moment += timedelta(days=1)
        assert new_counts(store, {"cnn": deck}) == {"cnn": 2}
        # b renamed to b2: b keeps its schedule but is not in the deck, and b2 was never seen
        assert new_counts(store, {"cnn": ["a", "b2", "c", "d"]}) == {"cnn": 3}
        assert new_counts(store, {"cnn": ["a", "b2", "d"]}) == {"cnn": 2}  # c removed
        assert new_counts(store, {"cnn": ["b", "a", "b2", "d"]}) == {"cnn": 2}  # b is back, in another place
        assert new_counts(store, {"cnn": ["a", "a", "c"]}) == {"cnn": 1}  # an id listed twice is one card
        # the caller's own list, edited in place between calls
        deck.append("e")
        assert new_counts(store, {"cnn": deck}) == {"cnn": 3}
        deck.remove("c")
        assert new_counts(store, {"cnn": deck}) == {"cnn": 2}


def test_undoing_a_first_review_makes_the_card_count_as_new_again(home: Path, clock: Clock):
    with Store(home, config=Config(new_cards_per_day=10), now=clock) as store:
        deck = {"cnn": ["a", "b"]}
        store.record_review("cnn", "a", 4)
        assert new_counts(store, deck) == {"cnn": 1}
        store.record_review("cnn", "b", 2)
        assert new_counts(store, deck) == {"cnn": 0}
        store.undo_last_review()
        assert new_counts(store, deck) == {"cnn": 1}
        store.undo_last_review()
        assert new_counts(store, deck) == {"cnn": 2}


def test_a_card_id_in_two_decks_is_two_cards(home: Path, clock: Clock):
    with Store(home, config=Config(new_cards_per_day=10), now=clock) as store:
        decks = {"cnn": ["shared", "c"], "rnn": ["shared", "r"]}
        store.record_review("cnn", "shared", 4)
        assert new_counts(store, decks) == {"cnn": 1, "rnn": 2}
        clock.moment += timedelta(days=1)
        store.record_review("rnn", "shared", 4)
        assert new_counts(store, decks) == {"cnn": 1, "rnn": 1}
        # the card renamed away from cnn only: rnn's schedule of it does not make it seen in cnn
        assert new_counts(store, {"cnn": ["c"], "rnn": ["shared", "r"]}) == {"cnn": 1, "rnn": 1}
        assert new_counts(store, {"cnn": ["r"], "rnn": ["c"]}) == {"cnn": 1, "rnn": 1}


def test_each_deck_has_its_own_daily_limit_of_new_cards(home: Path, clock: Clock):
    with Store(home, config=Config(new_cards_per_day=3), now=clock) as store:
        decks = {"cnn": [f"c{i}" for i in range(6)], "rnn": [f"r{i}" for i in range(6)]}
        assert new_counts(store, decks) == {"cnn": 3, "rnn": 3}
        for card_id in ("c0", "c1"):
            store.record_review("cnn", card_id, 4)
        assert new_counts(store, decks) == {"cnn": 1, "rnn": 3}
        store.record_review("cnn", "c2", 4)
        assert new_counts(store, decks) == {"cnn": 0, "rnn": 3}  # three cards left unseen, none today
        store.undo_last_review()
        assert new_counts(store, decks) == {"cnn": 1, "rnn": 3}
        clock.moment += timedelta(days=1)
        assert new_counts(store, decks) == {"cnn": 3, "rnn": 3}
        assert new_counts(store, {"cnn": ["c0", "c1", "c5"]}) == {"cnn": 1}  # fewer unseen than allowed


def test_reviews_and_undos_from_another_terminal_are_counted(home: Path, clock: Clock):
    decks = {"cnn": ["a", "b", "c"]}
    with Store(home, config=Config(), now=clock) as mine, Store(home, config=Config(), now=clock) as theirs:
        assert new_counts(mine, decks) == {"cnn": 3}
        theirs.record_review("cnn", "a", 4)
        assert new_counts(mine, decks) == {"cnn": 2}
        mine.record_review("cnn", "b", 4)
        theirs.undo_last_review()  # undoes mine: the latest review in the log
        assert new_counts(mine, decks) == {"cnn": 2}
        assert mine.card("cnn", "b") is None


def test_a_hand_edited_cards_table_and_its_rebuild_are_both_seen(home: Path, clock: Clock):
    decks = {"cnn": ["a", "b", "c"]}
    with Store(home, config=Config(), now=clock) as store:
        store.record_review("cnn", "a", 4)
        store.record_review("cnn", "b", 4)
        assert new_counts(store, decks) == {"cnn": 1}
        raw = sqlite3.connect(store.path, isolation_level=None)
        raw.execute("DELETE FROM cards WHERE card_id = 'a'")
        raw.close()
        assert new_counts(store, decks) == {"cnn": 2}  # what the cards table says, as every query reads it
        store.rebuild_cards()  # on this connection, with no log row: the kept counts must go too
        assert new_counts(store, decks) == {"cnn": 1}


operations = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["mine", "theirs"]),
            st.sampled_from(["review", "redrill"]),
            st.sampled_from(["cnn", "rnn"]),
            st.sampled_from(["a", "b", "c", "x"]),
            st.integers(0, 5),
        ),
        st.tuples(st.sampled_from(["mine", "theirs"]), st.just("undo"), st.none(), st.none(), st.none()),
        st.tuples(
            st.just("mine"),
            st.just("catalogue"),
            st.sampled_from(["cnn", "rnn"]),
            st.lists(st.sampled_from(["a", "b", "c", "d", "x"]), max_size=5),
            st.none(),
        ),
        st.tuples(st.just("mine"), st.just("hours"), st.none(), st.none(), st.integers(1, 30)),
        st.tuples(st.just("mine"), st.just("rebuild"), st.none(), st.none(), st.none()),
    ),
    max_size=30,
)


@settings(max_examples=30, deadline=None)
@given(operations)
def test_the_kept_counts_agree_with_a_fresh_store_after_any_mix_of_changes(ops):
    clock = Clock()
    config = Config(new_cards_per_day=2)
    decks: dict[str, list[str]] = {"cnn": ["a", "b", "c"], "rnn": ["a", "x"]}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        with Store(home, config=config, now=clock) as mine, Store(home, config=config, now=clock) as theirs:
            stores = {"mine": mine, "theirs": theirs}
            for who, op, deck_id, card, value in ops:
                if op == "catalogue":
                    decks[deck_id][:] = card  # edited in place, as a caller might
                elif op == "hours":
                    clock.moment += timedelta(hours=value)
                elif op == "rebuild":
                    mine.rebuild_cards()
                elif op == "undo":
                    stores[who].undo_last_review()
                else:
                    stores[who].record_review(deck_id, card, value, kind=op)
                summary = mine.due_summary(decks)
                with Store(home, config=config, now=clock) as fresh:
                    assert summary == fresh.due_summary(decks)
                seen = {(c.deck_id, c.card_id) for c in mine.cards()}
                introduced = [r for r in mine.reviews() if r.kind == "new" and r.study_day == mine.today()]
                for today in summary:
                    unseen = {c for c in decks[today.deck] if (today.deck, c) not in seen}
                    left = config.new_cards_per_day - sum(r.deck_id == today.deck for r in introduced)
                    assert today.new == min(len(unseen), max(0, left))
