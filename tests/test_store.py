"""The review store's API: recording, due cards, new cards, undo, the log, stats queries and the rebuild."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.config import Config
from studycards.sm2 import Sm2State
from studycards.store import SCHEMA_VERSION, Store, UndoError, catalogue

DAY1 = date(2024, 3, 1)


class Clock:
    """A settable local wall clock (naive datetimes are local time to the store)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def next_day(self, days: int = 1) -> None:
        self.moment += timedelta(days=days)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 3, 1, 18, 0))


@pytest.fixture
def store(home: Path, clock: Clock):
    with Store(home, config=Config(new_cards_per_day=3), now=clock) as opened:
        yield opened


def test_opening_a_fresh_home_creates_the_folder_and_the_database(home: Path):
    assert not home.exists()
    with Store(home) as store:
        assert store.path == home / "studycards.db"
        assert store.cards() == []
        assert store.reviews() == []
    assert (home / "studycards.db").is_file()
    assert [p.name for p in home.iterdir() if ".creating" in p.name] == []


def test_a_first_review_logs_everything_and_schedules_the_card(store: Store):
    logged = store.record_review("cnn", "conv-out", 4, seed=17, answer="28", verdict="correct", seconds=12.5)
    assert logged.kind == "new"
    assert (logged.deck_id, logged.card_id, logged.seed, logged.answer) == ("cnn", "conv-out", 17, "28")
    assert (logged.verdict, logged.mistake_id, logged.quality, logged.seconds) == ("correct", None, 4, 12.5)
    assert logged.before is None and logged.before_due is None
    assert logged.after == Sm2State(repetitions=1, easiness=2.5, interval=1)
    assert logged.after_due == DAY1 + timedelta(days=1)
    assert logged.study_day == DAY1
    assert logged.reviewed_at.utcoffset() == timedelta(0)
    assert logged.reviewed_at == datetime(2024, 3, 1, 18, 0).astimezone()
    card = store.card("cnn", "conv-out")
    assert card is not None
    assert (card.state, card.due, card.first_seen) == (logged.after, DAY1 + timedelta(days=1), DAY1)


def test_later_reviews_follow_sm2_and_are_logged_as_reviews(store: Store, clock: Clock):
    store.record_review("cnn", "a", 4)
    clock.next_day()
    second = store.record_review("cnn", "a", 4, verdict="incorrect", mistake_id="forgot-padding")
    assert second.kind == "review"
    assert second.before == Sm2State(1, 2.5, 1)
    assert second.after == Sm2State(2, 2.5, 6)
    assert second.after_due == DAY1 + timedelta(days=7)
    assert store.card("cnn", "a").first_seen == DAY1


def test_redrills_and_practice_are_logged_but_never_move_the_schedule(store: Store):
    store.record_review("cnn", "a", 2, verdict="incorrect")
    before = store.card("cnn", "a")
    redrill = store.record_review("cnn", "a", 3, kind="redrill")
    practice = store.record_review("cnn", "a", 5, kind="practice")
    assert store.card("cnn", "a") == before
    for logged in (redrill, practice):
        assert logged.before == logged.after == before.state
        assert logged.before_due == logged.after_due == before.due
    assert [r.kind for r in store.reviews()] == ["new", "redrill", "practice"]
    # practice on a card never studied stays unscheduled
    store.record_review("cnn", "b", 5, kind="practice")
    assert store.card("cnn", "b") is None


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (("cnn", "a", 6), ValueError),
        (("cnn", "a", 3.0), TypeError),
        (("", "a", 3), ValueError),
        (("cnn", None, 3), ValueError),
    ],
)
def test_bad_review_arguments_are_refused_and_nothing_is_written(store: Store, arguments, error):
    with pytest.raises(error):
        store.record_review(*arguments)
    assert store.reviews(include_undone=True) == []


@pytest.mark.parametrize(
    "options",
    [{"kind": "undo"}, {"verdict": "right"}, {"seed": 2**64}, {"seconds": -1.0}, {"seconds": float("nan")}],
)
def test_bad_review_options_are_refused(store: Store, options):
    with pytest.raises(ValueError):
        store.record_review("cnn", "a", 4, **options)
    assert store.reviews(include_undone=True) == []


def test_due_cards_come_most_overdue_first_and_can_be_limited_to_a_deck(store: Store, clock: Clock):
    store.record_review("cnn", "late", 4)  # due day 2
    store.record_review("rnn", "x", 4)  # due day 2
    clock.next_day()
    store.record_review("cnn", "soon", 4)  # due day 3
    store.record_review("cnn", "late", 4)  # now due day 2 + 6 = day 8
    clock.next_day()
    store.record_review("cnn", "b", 4)  # due day 4
    today = DAY1 + timedelta(days=3)
    due = store.due_cards(today=today)
    assert [(c.deck_id, c.card_id, c.due) for c in due] == [
        ("rnn", "x", DAY1 + timedelta(days=1)),
        ("cnn", "soon", DAY1 + timedelta(days=2)),
        ("cnn", "b", DAY1 + timedelta(days=3)),
    ]
    assert [c.card_id for c in store.due_cards("cnn", today=today)] == ["soon", "b"]
    assert store.due_cards(today=DAY1) == []
    # the default "today" is the store clock's study day (day 3: only rnn/x and cnn/soon are due)
    assert [c.card_id for c in store.due_cards()] == ["x", "soon"]


def test_new_cards_respect_the_daily_limit_per_deck_in_deck_order(store: Store, clock: Clock):
    deck = ["c1", "c2", "c3", "c4", "c5"]
    assert store.new_cards("cnn", deck) == ["c1", "c2", "c3"]
    store.record_review("cnn", "c2", 4)
    store.record_review("cnn", "c1", 1)
    assert store.new_cards("cnn", deck) == ["c3"]
    assert store.new_cards_left("cnn") == 1
    store.record_review("cnn", "c3", 5)
    assert store.new_cards("cnn", deck) == []
    # re-drills and reviews of seen cards do not use up the allowance; other decks have their own
    store.record_review("cnn", "c1", 4, kind="redrill")
    assert store.new_cards("rnn", ["r1", "r2", "r3", "r4"]) == ["r1", "r2", "r3"]
    clock.next_day()
    assert store.new_cards("cnn", deck) == ["c4", "c5"]
    assert store.new_cards("cnn", deck, today=DAY1) == []


def test_due_summary_counts_per_deck_in_catalogue_order_even_when_empty(store: Store, clock: Clock):
    cat = {"rnn": ["r1", "r2"], "cnn": ["c1", "c2", "c3", "c4", "c5"], "empty": []}
    assert [d.to_dict() for d in store.due_summary(cat)] == [
        {"deck": "rnn", "learning": 0, "due": 0, "new": 2, "reviewed_today": 0},
        {"deck": "cnn", "learning": 0, "due": 0, "new": 3, "reviewed_today": 0},
        {"deck": "empty", "learning": 0, "due": 0, "new": 0, "reviewed_today": 0},
    ]
    store.record_review("cnn", "c1", 4)
    store.record_review("cnn", "c2", 2)
    store.record_review("cnn", "c2", 4, kind="redrill")
    store.record_review("cnn", "c1", 5, kind="practice")
    summary = {d.deck: d for d in store.due_summary(cat)}
    assert (summary["cnn"].due, summary["cnn"].new, summary["cnn"].reviewed_today) == (0, 1, 2)
    clock.next_day()
    summary = {d.deck: d for d in store.due_summary(cat)}
    assert (summary["cnn"].due, summary["cnn"].new, summary["cnn"].reviewed_today) == (2, 3, 0)


def test_a_removed_template_keeps_its_history_and_is_simply_not_scheduled(store: Store, clock: Clock):
    store.record_review("cnn", "old-name", 4, seed=1)
    store.record_review("cnn", "kept", 4, seed=2)
    clock.next_day()
    renamed = {"cnn": ["new-name", "kept"]}
    assert [c.card_id for c in store.due_cards(catalogue=renamed)] == ["kept"]
    assert store.due_summary(renamed)[0].due == 1
    assert store.new_cards("cnn", renamed["cnn"]) == ["new-name"]
    assert [r.seed for r in store.reviews("cnn", "old-name")] == [1]
    # the template comes back: so does its schedule, and it is not offered as new again
    restored = {"cnn": ["old-name", "new-name", "kept"]}
    assert [c.card_id for c in store.due_cards(catalogue=restored)] == ["kept", "old-name"]
    assert store.new_cards("cnn", restored["cnn"]) == ["new-name"]
    # a whole deck gone: its cards are not listed, not lost
    assert store.due_summary({"rnn": ["r1"]})[0].due == 0
    assert len(store.due_cards()) == 2


def test_catalogue_reads_deck_like_objects_in_order():
    class Card:
        def __init__(self, id: str) -> None:  # noqa: A002 - the deck API's name
            self.id = id

    class Deck:
        def __init__(self, id: str, cards: list[str]) -> None:  # noqa: A002
            self.id, self.cards = id, [Card(c) for c in cards]

    assert catalogue([Deck("b", ["y", "x"]), Deck("a", [])]) == {"b": ["y", "x"], "a": []}


# --- undo ----------------------------------------------------------------------------------------------


def test_undoing_a_first_review_makes_the_card_new_again_and_keeps_the_log_honest(store: Store):
    first = store.record_review("cnn", "a", 4, seed=9, answer="12")
    undone = store.undo_last_review()
    assert undone == first
    assert store.card("cnn", "a") is None
    assert store.new_cards("cnn", ["a"]) == ["a"] and store.new_cards_left("cnn") == 3
    assert store.reviews() == []
    log = store.reviews(include_undone=True)
    assert [(r.kind, r.undoes) for r in log] == [("new", None), ("undo", first.id)]
    assert log[1].before == first.after and log[1].after is None
    assert store.due_summary({"cnn": ["a"]})[0].reviewed_today == 0


def test_undo_restores_the_state_and_due_day_from_before_the_review(store: Store, clock: Clock):
    store.record_review("cnn", "a", 4)
    clock.next_day()
    before = store.card("cnn", "a")
    store.record_review("cnn", "a", 1)
    assert store.card("cnn", "a") != before
    store.undo_last_review()
    assert store.card("cnn", "a") == before
    # undo steps back further, one review at a time, then reports nothing left
    store.undo_last_review()
    assert store.card("cnn", "a") is None
    assert store.undo_last_review() is None


def test_undo_by_id_leaves_other_cards_reviews_alone(store: Store):
    mine = store.record_review("cnn", "a", 4)
    other = store.record_review("cnn", "b", 5)  # e.g. from another terminal
    assert store.undo_last_review(mine.id) == mine
    assert store.card("cnn", "a") is None
    assert store.card("cnn", "b").state == other.after


def test_undo_refuses_what_would_make_the_log_and_the_cards_disagree(store: Store, clock: Clock):
    first = store.record_review("cnn", "a", 4)
    clock.next_day()
    store.record_review("cnn", "a", 4)
    with pytest.raises(UndoError, match="came after it"):
        store.undo_last_review(first.id)
    last = store.undo_last_review()
    with pytest.raises(UndoError, match="already been undone"):
        store.undo_last_review(last.id)
    undo_row = store.reviews(include_undone=True)[-1]
    with pytest.raises(UndoError, match="itself an undo"):
        store.undo_last_review(undo_row.id)
    with pytest.raises(UndoError, match="no review 999"):
        store.undo_last_review(999)


def test_undoing_a_redrill_changes_no_state(store: Store):
    store.record_review("cnn", "a", 2)
    state = store.card("cnn", "a")
    redrill = store.record_review("cnn", "a", 4, kind="redrill")
    assert store.undo_last_review() == redrill
    assert store.card("cnn", "a") == state
    assert [r.kind for r in store.reviews()] == ["new"]


# --- the log is the truth --------------------------------------------------------------------------------


def test_the_review_log_is_append_only(store: Store):
    store.record_review("cnn", "a", 4)
    with sqlite3.connect(store.path) as raw:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("UPDATE review_log SET quality = 5")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM review_log")
    assert [r.quality for r in store.reviews()] == [4]


def test_rebuild_recomputes_tampered_schedules_from_the_log(store: Store, clock: Clock):
    for day in range(5):
        for card, quality in (("a", 4), ("b", 2 + day % 4), ("c", 5)):
            store.record_review("cnn", card, quality)
        clock.next_day()
    store.undo_last_review()
    expected = store.cards()
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE cards SET interval = 999, due = '2099-01-01' WHERE card_id = 'a'")
        raw.execute("DELETE FROM cards WHERE card_id = 'b'")
        raw.execute("INSERT INTO cards VALUES ('cnn', 'ghost', 1, 2.5, 1, '2024-01-01', '2024-01-01')")
    assert store.differences_from_log() == ["cnn/a", "cnn/b", "cnn/ghost"]
    assert store.rebuild_cards() == len(expected)
    assert store.cards() == expected
    assert store.differences_from_log() == []


operations = st.lists(
    st.one_of(
        st.tuples(st.just("review"), st.sampled_from(["a", "b", "c"]), st.integers(0, 5)),
        st.tuples(st.just("redrill"), st.sampled_from(["a", "b"]), st.integers(0, 5)),
        st.tuples(st.just("practice"), st.sampled_from(["a", "d"]), st.integers(0, 5)),
        st.tuples(st.just("undo"), st.none(), st.none()),
        st.tuples(st.just("hours"), st.none(), st.integers(1, 80)),
    ),
    max_size=40,
)


@settings(max_examples=25, deadline=None)
@given(operations)
def test_rebuilding_from_the_log_gives_the_same_states_after_any_mix_of_reviews_and_undos(ops):
    clock = Clock(datetime(2024, 3, 1, 18, 0))
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder), config=Config(), now=clock) as store:
        for op, card, value in ops:
            if op == "hours":
                clock.moment += timedelta(hours=value)
            elif op == "undo":
                store.undo_last_review()
            else:
                verdict = "correct" if value >= 3 else ("incorrect" if value else None)
                store.record_review("deck", card, value, kind=op, verdict=verdict)
        live = store.cards()
        assert store.cards_from_log() == live
        assert store.tally_differences() == []  # the triggers kept the statistics' tallies exact
        store.rebuild_cards()
        assert store.cards() == live
        assert store.tally_differences() == []


# --- queries for statistics -------------------------------------------------------------------------------


def test_stats_queries_count_effective_reviews_per_day_and_mistakes(store: Store, clock: Clock):
    store.record_review("cnn", "a", 2, mistake_id="no-bias")
    store.record_review("cnn", "a", 4, kind="redrill")
    store.record_review("cnn", "b", 2, mistake_id="no-bias")
    store.record_review("rnn", "x", 1, mistake_id="off-by-one")
    clock.next_day()
    store.record_review("cnn", "a", 1, mistake_id="no-bias")
    store.record_review("cnn", "b", 0, mistake_id="stride")
    store.undo_last_review()
    day2 = DAY1 + timedelta(days=1)
    assert store.reviews_per_day() == [(DAY1, 3), (day2, 1)]
    assert store.reviews_per_day("cnn") == [(DAY1, 2), (day2, 1)]
    assert store.reviews_per_day(kinds=("redrill",)) == [(DAY1, 1)]
    assert [(m.deck_id, m.card_id, m.mistake_id, m.count) for m in store.mistake_counts()] == [
        ("cnn", "a", "no-bias", 2),
        ("cnn", "b", "no-bias", 1),
        ("rnn", "x", "off-by-one", 1),
    ]
    assert len(store.mistake_counts("rnn")) == 1
    history = store.reviews("cnn", "a")
    assert [(r.kind, r.before.interval if r.before else None) for r in history] == [
        ("new", None),
        ("redrill", 1),
        ("review", 1),
    ]
    with pytest.raises(ValueError, match="unknown review kinds"):
        store.reviews_per_day(kinds=("bogus",))


# --- the statistics' tallies ------------------------------------------------------------------------------


def version_2_database(home: Path, clock: Clock) -> Path:
    """A store as version 2 wrote it: the same log, schedules and tallies, no kept deck coverage (dropped
    here)."""
    with Store(home, config=Config(), now=clock) as store:
        store.record_review("cnn", "a", 4, verdict="correct")
        clock.next_day(6)
        store.record_review("cnn", "a", 2, verdict="incorrect")
        store.record_review("cnn", "a", 4, kind="redrill", verdict="correct")
        store.record_review("lstm", "b", 5, verdict="correct")
        store.undo_last_review()
        store.due_summary({"cnn": ["a", "c"]})  # a kept row, dropped with its table
    path = home / "studycards.db"
    raw = sqlite3.connect(path, isolation_level=None)
    for name in ("cards_insert_uncovers", "cards_delete_uncovers", "cards_rekey_uncovers"):
        raw.execute(f"DROP TRIGGER {name}")
    raw.execute("DROP TABLE deck_coverage")
    raw.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    raw.execute("PRAGMA user_version = 2")
    raw.close()
    return path


def version_1_database(home: Path, clock: Clock) -> Path:
    """A store as version 1 wrote it: the same log and schedules, no tallies (dropped here)."""
    path = version_2_database(home, clock)
    raw = sqlite3.connect(path, isolation_level=None)
    for name in ("review_log_tally", "review_log_untally"):
        raw.execute(f"DROP TRIGGER {name}")
    for name in ("day_tally", "card_day_tally", "outcome_tally"):
        raw.execute(f"DROP TABLE {name}")
    raw.execute("DROP INDEX review_log_day")
    raw.execute("CREATE INDEX review_log_day ON review_log (study_day, deck_id)")
    raw.execute("CREATE INDEX review_log_outcome ON review_log (kind, deck_id, verdict, before_interval)")
    raw.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    return path


def test_a_version_1_database_gains_tallies_from_its_log_and_keeps_every_review(home: Path, clock: Clock):
    path = version_1_database(home, clock)
    raw = sqlite3.connect(path)
    log_before = raw.execute("SELECT * FROM review_log ORDER BY id").fetchall()
    cards_before = raw.execute("SELECT * FROM cards ORDER BY deck_id, card_id").fetchall()
    raw.close()

    with Store(home, config=Config(), now=clock) as store:
        assert store.tally_differences() == []
        assert store.answers_per_day(date(2024, 1, 1), date(2030, 1, 1)) == [
            (date(2024, 3, 1), 1),
            (date(2024, 3, 7), 2),  # the lstm review was undone
        ]
        assert store.review_outcomes([6, None]) == [("cnn", 0, 1, 0)]  # the lapse after a 1-day interval

    raw = upgraded_as_new(home, path)  # all the way, through 2
    assert raw.execute("SELECT * FROM review_log ORDER BY id").fetchall() == log_before
    assert raw.execute("SELECT * FROM cards ORDER BY deck_id, card_id").fetchall() == cards_before
    raw.close()


def test_a_version_2_database_gains_an_empty_deck_coverage_and_keeps_every_review(home: Path, clock: Clock):
    path = version_2_database(home, clock)
    raw = sqlite3.connect(path)
    log_before = raw.execute("SELECT * FROM review_log ORDER BY id").fetchall()
    cards_before = raw.execute("SELECT * FROM cards ORDER BY deck_id, card_id").fetchall()
    tallies_before = raw.execute("SELECT * FROM day_tally ORDER BY 1, 2").fetchall()
    raw.close()

    with Store(home, config=Config(), now=clock) as store:
        assert store.coverage_differences({"cnn": ["a", "c"]}) == ([], 0)  # nothing kept yet
        assert [today.new for today in store.due_summary({"cnn": ["a", "c"]})] == [1]
        assert store.coverage_differences({"cnn": ["a", "c"]}) == ([], 1)  # kept by the summary, and right

    raw = upgraded_as_new(home, path)
    assert raw.execute("SELECT * FROM review_log ORDER BY id").fetchall() == log_before
    assert raw.execute("SELECT * FROM cards ORDER BY deck_id, card_id").fetchall() == cards_before
    assert raw.execute("SELECT * FROM day_tally ORDER BY 1, 2").fetchall() == tallies_before
    raw.close()


def test_a_tampered_tally_is_found_by_a_recount_and_rebuilt_from_the_log(store: Store, clock: Clock):
    store.record_review("cnn", "a", 4, verdict="correct")
    clock.next_day(1)
    store.record_review("cnn", "a", 1, verdict="incorrect")
    assert store.tally_differences() == []
    raw = sqlite3.connect(store.path, isolation_level=None)
    raw.execute("UPDATE day_tally SET answers = 7 WHERE deck_id = 'cnn' AND study_day = '2024-03-02'")
    raw.execute("DELETE FROM outcome_tally")
    raw.close()
    assert store.tally_differences() == [
        "day_tally 2024-03-02 cnn: 7 tallied, 1 in the log",
        "outcome_tally cnn 1 incorrect: 0 tallied, 1 in the log",
    ]
    store.rebuild_cards()
    assert store.tally_differences() == []


def upgraded_as_new(home: Path, path: Path) -> sqlite3.Connection:
    """The upgraded file, opened, once it is proved to have exactly the schema (tables, indexes, triggers) and
    version of a file made new by this version."""
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
    fresh_home = home.parent / "fresh"
    Store(fresh_home).close()
    fresh = sqlite3.connect(fresh_home / "studycards.db")
    raw = sqlite3.connect(path)
    assert raw.execute(schema).fetchall() == fresh.execute(schema).fetchall()  # just as a new file is made
    fresh.close()
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    return raw
