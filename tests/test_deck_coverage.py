"""The deck coverage kept in the store file (``store_coverage``): each ``studycards due`` is a new process, so
its one ``due_summary`` takes each deck's count of scheduled cards from the file. Every test here opens a
fresh ``Store`` per call, as ``studycards due`` does, and checks the new-card counts against a recount from
the cards table: renamed, removed and reordered cards, undone first reviews, another terminal's reviews
(even between a count and its write), hand edits, a tampered row, a locked or read-only file."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards import store_coverage, store_queries
from studycards.config import Config
from studycards.store import Store

CONFIG = Config(new_cards_per_day=100)  # high enough that the new count is the count of unseen cards


def clock() -> datetime:
    return datetime(2024, 3, 1, 18, 0)


def first_call(home: Path, catalogue: dict[str, list[str]]) -> dict[str, int]:
    """The new-card counts of one ``due_summary`` on a freshly opened store, as ``studycards due`` makes it."""
    with Store(home, config=CONFIG, now=clock) as store:
        return {today.deck: today.new for today in store.due_summary(catalogue)}


def unseen(home: Path, catalogue: dict[str, list[str]]) -> dict[str, int]:
    """The same counts recounted from the cards table, with no store code."""
    raw = sqlite3.connect(home / "studycards.db")
    stored = set(raw.execute("SELECT deck_id, card_id FROM cards").fetchall())
    raw.close()
    return {deck: len({card for card in cards if (deck, card) not in stored}) for deck, cards in catalogue.items()}


def kept_rows(home: Path) -> dict[str, tuple[int, int]]:
    """``{deck: (listed_count, scheduled)}`` as kept in the file."""
    raw = sqlite3.connect(home / "studycards.db")
    rows = {deck: (listed, scheduled) for deck, listed, scheduled in raw.execute(
        "SELECT deck_id, listed_count, scheduled FROM deck_coverage"
    )}
    raw.close()
    return rows


def review(home: Path, deck: str, card: str, quality: int = 4) -> None:
    with Store(home, config=CONFIG, now=clock) as store:
        store.record_review(deck, card, quality)


def undo(home: Path) -> None:
    with Store(home, config=CONFIG, now=clock) as store:
        store.undo_last_review()


def hand_edit(home: Path, statement: str) -> None:
    raw = sqlite3.connect(home / "studycards.db", isolation_level=None)
    raw.execute(statement)
    raw.close()


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The decks ``due_summary`` counts id by id (rather than taking the kept count), call by call."""
    counted: list[str] = []
    count = store_queries._stored_card_ids

    def counting_ids(db: sqlite3.Connection, deck_id: str) -> list[str]:
        counted.append(deck_id)
        return count(db, deck_id)

    monkeypatch.setattr(store_queries, "_stored_card_ids", counting_ids)
    return counted


def test_a_first_call_keeps_its_counts_and_the_next_process_uses_them(home: Path, counting: list[str]):
    decks = {"cnn": ["a", "b", "c"], "rnn": ["x", "y"]}
    review(home, "cnn", "a")
    assert first_call(home, decks) == {"cnn": 2, "rnn": 2}
    assert counting == ["cnn", "rnn"]
    assert kept_rows(home) == {"cnn": (3, 1), "rnn": (2, 0)}
    counting.clear()
    assert first_call(home, decks) == {"cnn": 2, "rnn": 2}
    assert counting == []  # both counts came from the file


def test_renamed_and_removed_cards_are_counted_again(home: Path, counting: list[str]):
    review(home, "cnn", "a")
    review(home, "cnn", "b")
    assert first_call(home, {"cnn": ["a", "b", "c", "d"]}) == {"cnn": 2}
    # b renamed to b2: b keeps its schedule but is not in the deck, and b2 was never seen
    assert first_call(home, {"cnn": ["a", "b2", "c", "d"]}) == {"cnn": 3}
    assert first_call(home, {"cnn": ["a", "b2", "d"]}) == {"cnn": 2}  # c removed
    assert first_call(home, {"cnn": ["a", "b", "d"]}) == {"cnn": 1}  # b back
    assert first_call(home, {"cnn": ["a", "a", "d"]}) == {"cnn": 1}  # an id listed twice is one card
    assert first_call(home, {"cnn": []}) == {"cnn": 0}
    assert kept_rows(home) == {"cnn": (0, 0)}


def test_a_reordered_deck_keeps_its_count_and_a_changed_one_does_not(home: Path, counting: list[str]):
    review(home, "cnn", "a")
    assert first_call(home, {"cnn": ["a", "b", "c"]}) == {"cnn": 2}
    counting.clear()
    assert first_call(home, {"cnn": ["c", "a", "b"]}) == {"cnn": 2}  # same cards, another order
    assert counting == ["cnn"]  # a list is kept by its order, so it is counted again: same count
    assert first_call(home, {"cnn": ["c", "x", "b"]}) == {"cnn": 3}  # same length, a changed id
    assert first_call(home, {"cnn": ["a", "x", "b"]}) == {"cnn": 2}
    assert first_call(home, {"cnn": ["a,x", "b"]}) == {"cnn": 2}  # ids that would join alike with a comma


def test_a_first_review_and_its_undo_drop_the_kept_count(home: Path):
    decks = {"cnn": ["a", "b"], "rnn": ["a"]}
    assert first_call(home, decks) == {"cnn": 2, "rnn": 1}
    review(home, "cnn", "a")
    assert "cnn" not in kept_rows(home) and "rnn" in kept_rows(home)  # only the reviewed deck's row goes
    assert first_call(home, decks) == {"cnn": 1, "rnn": 1}
    review(home, "cnn", "a", quality=2)  # a later review moves the schedule, not what is scheduled
    assert kept_rows(home)["cnn"] == (2, 1)
    undo(home)
    assert first_call(home, decks) == {"cnn": 1, "rnn": 1}
    undo(home)  # the first review: a is new again
    assert first_call(home, decks) == {"cnn": 2, "rnn": 1} == unseen(home, decks)


def test_another_stores_review_between_two_first_calls_is_counted(home: Path):
    decks = {"cnn": ["a", "b", "c"]}
    with Store(home, config=CONFIG, now=clock) as terminal:  # a quiz left open in another terminal
        assert first_call(home, decks) == {"cnn": 3}
        terminal.record_review("cnn", "a", 4)
        assert first_call(home, decks) == {"cnn": 2}
        terminal.record_review("cnn", "b", 4)
        terminal.undo_last_review()
        terminal.record_review("cnn", "c", 4)
        assert first_call(home, decks) == {"cnn": 1} == unseen(home, decks)


def test_a_review_committed_between_the_count_and_its_write_is_never_kept_as_older(
    home: Path, monkeypatch: pytest.MonkeyPatch
):
    decks = {"cnn": ["a", "b", "c"]}
    keep = store_coverage.keep
    written: list[bool] = []

    def racing_keep(db: sqlite3.Connection, rows) -> bool:
        review(home, "cnn", "a")  # another terminal commits after the counts were read
        written.append(keep(db, rows))
        return written[-1]

    monkeypatch.setattr(store_coverage, "keep", racing_keep)
    assert first_call(home, decks) == {"cnn": 3}  # right for the moment it read
    monkeypatch.setattr(store_coverage, "keep", keep)
    assert written == [False]  # the file had moved on: the count of 3 was not kept
    assert kept_rows(home) == {}
    assert first_call(home, decks) == {"cnn": 2}
    assert kept_rows(home) == {"cnn": (3, 1)}


def test_a_hand_edited_cards_table_drops_the_kept_count(home: Path):
    decks = {"cnn": ["a", "b", "c"], "rnn": ["x"]}
    review(home, "cnn", "a")
    review(home, "cnn", "b")
    assert first_call(home, decks) == {"cnn": 1, "rnn": 1}
    hand_edit(home, "DELETE FROM cards WHERE card_id = 'a'")
    assert first_call(home, decks) == {"cnn": 2, "rnn": 1}
    hand_edit(home, "UPDATE cards SET deck_id = 'rnn', card_id = 'x' WHERE card_id = 'b'")
    assert first_call(home, decks) == {"cnn": 3, "rnn": 0}
    hand_edit(home, "INSERT INTO cards VALUES ('cnn', 'c', 1, 2.5, 1, '2024-03-02', '2024-03-01')")
    assert first_call(home, decks) == {"cnn": 2, "rnn": 0} == unseen(home, decks)
    hand_edit(home, "UPDATE cards SET due = '2030-01-01'")  # no card gains or loses a schedule
    assert kept_rows(home) == {"cnn": (3, 1), "rnn": (1, 1)}


def test_a_rebuild_drops_every_kept_count(home: Path):
    decks = {"cnn": ["a", "b"]}
    review(home, "cnn", "a")
    assert first_call(home, decks) == {"cnn": 1}
    hand_edit(home, "UPDATE deck_coverage SET scheduled = 0")
    with Store(home, config=CONFIG, now=clock) as store:
        assert store.coverage_differences(decks) == (["deck_coverage cnn: 0 of 2 kept, 1 of 2 recounted"], 1)
        store.rebuild_cards()
        assert store.coverage_differences(decks) == ([], 0)
    assert kept_rows(home) == {}
    assert first_call(home, decks) == {"cnn": 1}


def test_a_locked_store_answers_at_once_and_keeps_nothing(home: Path):
    decks = {"cnn": ["a", "b"]}
    review(home, "cnn", "a")
    other = sqlite3.connect(home / "studycards.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another terminal mid-review, holding the write lock
    try:
        start = time.monotonic()
        assert first_call(home, decks) == {"cnn": 1}
        assert time.monotonic() - start < 5  # no wait for the lock: the write is given up
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert kept_rows(home) == {}
    assert first_call(home, decks) == {"cnn": 1}
    assert kept_rows(home) == {"cnn": (2, 1)}


@pytest.mark.parametrize("how", ["write-protected file", "query_only connection"])
def test_a_read_only_store_answers_and_never_raises(home: Path, monkeypatch: pytest.MonkeyPatch, how: str):
    decks = {"cnn": ["a", "b", "c"]}
    review(home, "cnn", "a")
    path = home / "studycards.db"
    if how == "write-protected file":
        path.chmod(0o444)
        if os.access(path, os.W_OK):
            pytest.skip("this user (root?) can write a write-protected file")
    else:
        from studycards import store

        def read_only(database: Path) -> sqlite3.Connection:
            db = opened(database)
            db.execute("PRAGMA query_only = ON")  # every write fails as on a write-protected file
            return db

        opened = store.open_database
        monkeypatch.setattr(store, "open_database", read_only)
    try:
        assert first_call(home, decks) == {"cnn": 2}
        with Store(home, config=CONFIG, now=clock) as reader:
            assert [today.new for today in reader.due_summary(decks)] == [2]
            assert [today.new for today in reader.due_summary({"cnn": ["a"]})] == [0]
    finally:
        path.chmod(0o644)
    assert kept_rows(home) == {}


def test_ids_holding_the_separator_are_counted_and_never_kept(home: Path):
    decks = {"cnn": ["a\x1fb", "c"], "rnn": ["a", "b\x1fc"]}
    review(home, "cnn", "a\x1fb")
    assert first_call(home, decks) == {"cnn": 1, "rnn": 2}
    assert kept_rows(home) == {}
    assert store_coverage.listed_digest(["a", "b"]) != store_coverage.listed_digest(["ab"])


operations = st.lists(
    st.one_of(
        st.tuples(st.just("review"), st.sampled_from(["cnn", "rnn"]), st.sampled_from(["a", "b", "c", "x"])),
        st.tuples(st.just("undo"), st.none(), st.none()),
        st.tuples(
            st.just("catalogue"), st.sampled_from(["cnn", "rnn"]), st.lists(st.sampled_from(["a", "b", "c", "x"]))
        ),
        st.tuples(st.just("delete by hand"), st.sampled_from(["cnn", "rnn"]), st.sampled_from(["a", "b", "c", "x"])),
        st.tuples(st.just("rebuild"), st.none(), st.none()),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(operations)
def test_every_first_call_agrees_with_a_recount_after_any_mix_of_changes(ops):
    decks: dict[str, list[str]] = {"cnn": ["a", "b", "c"], "rnn": ["a", "x"]}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        Store(home, config=CONFIG, now=clock).close()
        for op, deck, value in ops:
            if op == "review":
                review(home, deck, value)
            elif op == "undo":
                undo(home)
            elif op == "catalogue":
                decks[deck] = value
            elif op == "delete by hand":
                hand_edit(home, f"DELETE FROM cards WHERE deck_id = '{deck}' AND card_id = '{value}'")
            else:
                with Store(home, config=CONFIG, now=clock) as store:
                    store.rebuild_cards()
            assert first_call(home, decks) == unseen(home, decks)
        with Store(home, config=CONFIG, now=clock) as store:
            assert store.coverage_differences(decks)[0] == []


class FailingCommits:
    """A store connection whose COMMITs fail after a write, as on a full disk; everything else is passed on."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.failed = 0

    def execute(self, sql: str, *args):
        if sql == "COMMIT" and self._db.total_changes:
            self.failed += 1
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._db, name)


def test_a_failed_commit_of_the_kept_counts_is_rolled_back_and_never_raises(home: Path):
    decks = {"cnn": ["a", "b"]}
    review(home, "cnn", "a")
    with Store(home, config=CONFIG, now=clock) as store:
        failing = FailingCommits(store._connection)
        store._connection = failing  # type: ignore[assignment]
        assert [today.new for today in store.due_summary(decks)] == [1]
        assert failing.failed == 1 and not failing.in_transaction
        assert [today.new for today in store.due_summary({"cnn": ["b"]})] == [1]  # the store still works
        store._connection = failing._db
    assert kept_rows(home) == {}
