"""The review store: every review ever made, in SQLite at ``<home>/studycards.db``, and each card's schedule.

Two tables matter. ``review_log`` is append-only (triggers refuse UPDATE and DELETE): one row per review
with what was asked and answered, the verdict, the quality, the time taken, the SM-2 state before and
after, the UTC time and the study day. ``cards`` holds each card's current SM-2 state and due day; it is
derived from the log and ``rebuild_cards`` (``studycards doctor --rebuild``) recomputes it by replaying
the log through ``sm2.review``.

Kinds of log row: ``new`` (a card's first scheduled review), ``review`` (a later one), ``redrill`` (asked
again the same day after a grade below 4), ``practice`` (extra practice), and ``undo``. Only ``new`` and
``review`` move the schedule; re-drills and practice are logged with before = after.

Undo never edits the log: ``undo_last_review`` appends an ``undo`` row naming the review it cancels
(``undoes``) and puts the card back in the state recorded before that review (a cancelled ``new`` review
makes the card new again). A review is "effective" unless it is an undo row or has been undone; the
replay uses effective ``new``/``review`` rows only, so a rebuild gives the same states after undos.
Only a card's latest effective scheduled review can be undone, which is what makes the two agree.

Learning cards are derived from the log too, and never stored: a card is **learning** on a study day when
its last effective answer that day (of any kind: new, review, re-drill or practice) was graded below 4
(``sm2.REDRILL_BELOW``), it has a schedule, and it is not due that day (a due card is asked as a scheduled
review, which comes first). So a card failed today comes back today in any later session, in any
terminal, until it is answered with 4 or 5; an undo of that answer brings back whatever came before it.
``learning_cards`` reads only the day's rows, through ``review_log_day``; ``learning_from_log`` recomputes
the same set by replaying the whole log, for ``studycards doctor``.

Safety: WAL, a busy timeout, and one ``BEGIN IMMEDIATE`` transaction per review, so a killed process
loses nothing it committed and two terminals never fail with "database is locked". A new database is
built under a temporary name and linked into place, so the real path never holds a half-made file. An
existing file is checked before anything is written to it: an empty, damaged or foreign file, or a
schema newer than this code, raises ``StoreError`` naming the file, and the file is left byte-identical.

The store knows nothing of deck files: callers pass a catalogue ``{deck id: [card ids in deck order]}``
(``catalogue(decks)`` builds one). A card whose template was renamed or removed keeps its rows and state
but is not scheduled while it is missing from the catalogue.
"""

from __future__ import annotations

import math
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from studycards import sm2
from studycards.config import Config, load_config
from studycards.errors import StoreError, StudycardsError
from studycards.sm2 import Sm2State
from studycards.study_day import study_day, utc_now, utc_timestamp

DB_FILE = "studycards.db"
SCHEMA_VERSION = 2  # 2 added the tallies; a version-1 file is upgraded in place when opened
APPLICATION_ID = 0x53435244  # "SCRD" in the SQLite header: tells our files from other SQLite files
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 30.0
# SM-2 intervals grow without bound; the store keeps at most a century so dates and integers stay valid.
MAX_INTERVAL_DAYS = 36_500

KINDS = ("new", "review", "redrill", "practice", "undo")
SCHEDULED_KINDS = ("new", "review")
ANSWER_KINDS = ("new", "review", "redrill", "practice")  # every kind of row that logs an answer
# Columns ``Store.answer_counts`` may group by: what a statistic needs to know about an answer.
COUNTED_COLUMNS = ("study_day", "deck_id", "card_id", "kind", "verdict", "quality", "mistake_id", "before_interval")
VERDICTS = ("correct", "incorrect", "unreadable")

_REVIEW_KINDS_ACCEPTED = ("review", "new", "redrill", "practice")
_INT64 = (-(2**63), 2**63 - 1)

SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE review_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN {KINDS!r}),
    deck_id TEXT NOT NULL,
    card_id TEXT NOT NULL,
    seed INTEGER,
    answer TEXT,
    verdict TEXT CHECK (verdict IN {VERDICTS!r}),
    mistake_id TEXT,
    quality INTEGER CHECK (quality BETWEEN 0 AND 5),
    seconds REAL CHECK (seconds >= 0),
    before_repetitions INTEGER, before_easiness REAL, before_interval INTEGER, before_due TEXT,
    after_repetitions INTEGER, after_easiness REAL, after_interval INTEGER, after_due TEXT,
    reviewed_at TEXT NOT NULL,
    study_day TEXT NOT NULL,
    undoes INTEGER REFERENCES review_log (id),
    CHECK ((kind = 'undo') = (undoes IS NOT NULL)),
    CHECK ((kind = 'undo') = (quality IS NULL))
);
CREATE UNIQUE INDEX review_log_undoes ON review_log (undoes) WHERE undoes IS NOT NULL;
-- A day's rows, covered (the day's learning cards, new cards and reviews are read from the index alone):
-- review_log_day. A card's answers: review_log_card. The statistics read the tallies below instead.
CREATE INDEX review_log_day ON review_log (study_day, deck_id, card_id, quality, kind);
CREATE INDEX review_log_card ON review_log (deck_id, card_id, study_day, verdict, mistake_id);
CREATE TRIGGER review_log_no_update BEFORE UPDATE ON review_log
    BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;
CREATE TRIGGER review_log_no_delete BEFORE DELETE ON review_log
    BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;

CREATE VIEW effective_reviews AS
    SELECT * FROM review_log AS r
    WHERE r.kind != 'undo' AND NOT EXISTS (SELECT 1 FROM review_log AS u WHERE u.undoes = r.id);

CREATE TABLE cards (
    deck_id TEXT NOT NULL,
    card_id TEXT NOT NULL,
    repetitions INTEGER NOT NULL,
    easiness REAL NOT NULL,
    interval INTEGER NOT NULL,
    due TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (deck_id, card_id)
) WITHOUT ROWID;
CREATE INDEX cards_due ON cards (due);
CREATE INDEX cards_deck_due ON cards (deck_id, due);
"""

# Running tallies of the effective log for the statistics, kept by triggers in the same transaction as the
# review or undo that changes them, so they can never disagree with a committed log: answers per study day
# and deck (the heatmap and the streak), and scheduled reviews by deck, interval before the review and
# verdict (retention). Reading a few hundred tally rows replaces counting a million log rows; ``doctor``
# recounts them from the log (``tally_differences``) and ``--rebuild`` refills them.
TALLY_STATEMENTS = (
    """CREATE TABLE day_tally (
    study_day TEXT NOT NULL,
    deck_id TEXT NOT NULL,
    answers INTEGER NOT NULL,
    PRIMARY KEY (study_day, deck_id)
) WITHOUT ROWID""",
    """CREATE TABLE outcome_tally (
    deck_id TEXT NOT NULL,
    before_interval INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    reviews INTEGER NOT NULL,
    PRIMARY KEY (deck_id, before_interval, verdict)
) WITHOUT ROWID""",
    """CREATE TABLE card_day_tally (
    deck_id TEXT NOT NULL,
    card_id TEXT NOT NULL,
    study_day TEXT NOT NULL,
    verdict TEXT NOT NULL,  -- '' for none
    mistake_id TEXT NOT NULL,  -- '' for none
    answers INTEGER NOT NULL,
    PRIMARY KEY (study_day, deck_id, card_id, verdict, mistake_id)
) WITHOUT ROWID""",
    """CREATE TRIGGER review_log_tally AFTER INSERT ON review_log WHEN NEW.kind != 'undo'
BEGIN
    INSERT INTO day_tally VALUES (NEW.study_day, NEW.deck_id, 1)
        ON CONFLICT (study_day, deck_id) DO UPDATE SET answers = answers + 1;
    INSERT INTO card_day_tally VALUES (
        NEW.deck_id, NEW.card_id, NEW.study_day, coalesce(NEW.verdict, ''), coalesce(NEW.mistake_id, ''), 1
    ) ON CONFLICT (study_day, deck_id, card_id, verdict, mistake_id) DO UPDATE SET answers = answers + 1;
    INSERT INTO outcome_tally SELECT NEW.deck_id, NEW.before_interval, NEW.verdict, 1
        WHERE NEW.kind = 'review' AND NEW.verdict IS NOT NULL AND NEW.before_interval IS NOT NULL
        ON CONFLICT (deck_id, before_interval, verdict) DO UPDATE SET reviews = reviews + 1;
END""",
    """CREATE TRIGGER review_log_untally AFTER INSERT ON review_log WHEN NEW.kind = 'undo'
BEGIN
    UPDATE day_tally SET answers = answers - 1
        WHERE (study_day, deck_id) = (SELECT study_day, deck_id FROM review_log WHERE id = NEW.undoes);
    UPDATE card_day_tally SET answers = answers - 1
        WHERE (deck_id, card_id, study_day, verdict, mistake_id) = (
            SELECT deck_id, card_id, study_day, coalesce(verdict, ''), coalesce(mistake_id, '')
            FROM review_log WHERE id = NEW.undoes
        );
    UPDATE outcome_tally SET reviews = reviews - 1
        WHERE (deck_id, before_interval, verdict) = (
            SELECT deck_id, before_interval, verdict FROM review_log WHERE id = NEW.undoes AND kind = 'review'
        );
END""",
)
# From schema 1: the day index widened to cover a day's rows, the outcome index (now tallied) dropped, and
# the tallies added (then filled from the log by ``_upgrade``).
UPGRADE_FROM_1 = (
    "DROP INDEX review_log_day",
    "DROP INDEX review_log_outcome",
    "CREATE INDEX review_log_day ON review_log (study_day, deck_id, card_id, quality, kind)",
    *TALLY_STATEMENTS,
)
# The tallies as the effective log implies them: how they are filled on an upgrade or a rebuild, and what
# ``doctor`` compares them with.
DAY_TALLY_FROM_LOG = "SELECT study_day, deck_id, COUNT(*) FROM effective_reviews GROUP BY study_day, deck_id"
CARD_DAY_TALLY_FROM_LOG = (
    "SELECT deck_id, card_id, study_day, coalesce(verdict, ''), coalesce(mistake_id, ''), COUNT(*)"
    " FROM effective_reviews GROUP BY 1, 2, 3, 4, 5"
)
OUTCOME_TALLY_FROM_LOG = (
    "SELECT deck_id, before_interval, verdict, COUNT(*) FROM effective_reviews"
    " WHERE kind = 'review' AND verdict IS NOT NULL AND before_interval IS NOT NULL"
    " GROUP BY deck_id, before_interval, verdict"
)


class UndoError(StudycardsError):
    """The review asked for cannot be undone (unknown, already undone, or a later review follows it)."""


@dataclass(frozen=True)
class ScheduledCard:
    """A card the store has seen: its SM-2 state, the study day it is due, and the day it was first seen."""

    deck_id: str
    card_id: str
    state: Sm2State
    due: date
    first_seen: date


@dataclass(frozen=True)
class LoggedReview:
    """One row of the review log. ``before`` is None for a card's first review (and ``after`` likewise
    when an undo makes the card new again)."""

    id: int
    kind: str
    deck_id: str
    card_id: str
    seed: int | None
    answer: str | None
    verdict: str | None
    mistake_id: str | None
    quality: int | None
    seconds: float | None
    before: Sm2State | None
    before_due: date | None
    after: Sm2State | None
    after_due: date | None
    reviewed_at: datetime
    study_day: date
    undoes: int | None = None


@dataclass(frozen=True)
class DeckToday:
    """What ``studycards due`` shows for a deck: cards due, new cards available, reviews done today, and
    learning cards (failed today, not yet answered with 4 or 5; never counted as due as well)."""

    deck: str
    due: int
    new: int
    reviewed_today: int
    learning: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            "learning": self.learning,
            "due": self.due,
            "new": self.new,
            "reviewed_today": self.reviewed_today,
        }


@dataclass(frozen=True)
class LearningCard:
    """A card failed today and not yet answered well: the review that left it learning (its last answer
    today, graded below 4)."""

    deck_id: str
    card_id: str
    quality: int
    review_id: int


@dataclass(frozen=True)
class MistakeCount:
    deck_id: str
    card_id: str
    mistake_id: str
    count: int


def catalogue(decks: Iterable[Any]) -> dict[str, list[str]]:
    """``{deck id: [card ids in deck order]}`` from loaded decks (anything with ``.id`` and ``.cards``)."""
    return {deck.id: [card.id for card in deck.cards] for deck in decks}


def database_path(home: str | os.PathLike[str]) -> Path:
    return Path(home) / DB_FILE


class Store:
    """The review store of one data home. Open it, use it, ``close()`` it (or use ``with``).

    ``now`` is the clock (a callable returning a datetime; naive means local time), injectable so tests
    can simulate days. ``config`` defaults to the home's ``config.toml``.
    """

    def __init__(
        self,
        home: str | os.PathLike[str],
        *,
        config: Config | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.home = Path(home)
        self.path = database_path(self.home)
        self.config = config if config is not None else load_config(self.home)
        self._now = now or utc_now
        self._lock = threading.RLock()
        self._connection = _open_database(self.path)

    # --- lifetime -------------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def today(self) -> date:
        """The current study day (it rolls over at ``config.day_starts_at_hour`` local time)."""
        return study_day(self._now(), self.config.day_starts_at_hour)

    # --- scheduling -----------------------------------------------------------------------------------

    def card(self, deck_id: str, card_id: str) -> ScheduledCard | None:
        """The card's schedule, or None if it has never been reviewed (or its first review was undone)."""
        with self._reading() as db:
            row = db.execute("SELECT * FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)).fetchone()
        return None if row is None else _scheduled_card(row)

    def cards(self) -> list[ScheduledCard]:
        """Every card the store has a schedule for, ordered by deck and card id."""
        with self._reading() as db:
            rows = db.execute("SELECT * FROM cards ORDER BY deck_id, card_id").fetchall()
        return [_scheduled_card(row) for row in rows]

    def due_cards(
        self,
        deck: str | None = None,
        today: date | None = None,
        catalogue: Mapping[str, Sequence[str]] | None = None,
    ) -> list[ScheduledCard]:
        """Cards due on ``today`` (default: the current study day), most overdue first.

        ``deck`` limits them to one deck. With a ``catalogue``, cards it does not list (templates renamed
        or removed) are left out; without one, every card in the store counts.
        """
        day = (today or self.today()).isoformat()
        with self._reading() as db:
            if deck is None:
                rows = db.execute(
                    "SELECT * FROM cards WHERE due <= ? ORDER BY due, deck_id, card_id", (day,)
                ).fetchall()
            else:
                rows = db.execute(
                    "SELECT * FROM cards WHERE deck_id = ? AND due <= ? ORDER BY due, card_id", (deck, day)
                ).fetchall()
        cards = [_scheduled_card(row) for row in rows]
        if catalogue is None:
            return cards
        decks = _card_sets(catalogue)
        return [card for card in cards if card.card_id in decks.get(card.deck_id, ())]

    def new_cards_left(self, deck_id: str, today: date | None = None) -> int:
        """How many more new cards ``deck_id`` may introduce today (the daily limit minus those done)."""
        day = today or self.today()
        with self._reading() as db:
            done = _new_done(db, day).get(deck_id, 0)
        return max(0, self.config.new_cards_per_day - done)

    def new_cards(self, deck_id: str, card_ids: Sequence[str], today: date | None = None) -> list[str]:
        """The card ids (from ``card_ids``, in deck order) to introduce today: never reviewed before,
        at most the day's remaining new-card allowance for the deck."""
        day = today or self.today()
        with self._reading() as db:
            left = max(0, self.config.new_cards_per_day - _new_done(db, day).get(deck_id, 0))
            seen = _stored_card_ids(db, deck_id)
        unseen = [card_id for card_id in dict.fromkeys(card_ids) if card_id not in seen]
        return unseen[:left]

    def learning_cards(
        self,
        deck: str | None = None,
        today: date | None = None,
        catalogue: Mapping[str, Sequence[str]] | None = None,
    ) -> list[LearningCard]:
        """Cards learning on ``today`` (default: the current study day), in the order they were failed.

        ``deck`` and ``catalogue`` narrow them as for ``due_cards``. Only the day's rows are read.
        """
        day = today or self.today()
        with self._reading() as db:
            learning = _learning(db, day)
        decks = None if catalogue is None else _card_sets(catalogue)
        return [
            card
            for card in learning
            if (deck is None or card.deck_id == deck) and (decks is None or card.card_id in decks.get(card.deck_id, ()))
        ]

    def due_summary(self, catalogue: Mapping[str, Sequence[str]], today: date | None = None) -> list[DeckToday]:
        """One ``DeckToday`` per deck of ``catalogue``, in its order (what ``studycards due`` prints).

        ``reviewed_today`` counts today's effective scheduled reviews (new and review; not re-drills,
        practice, or undone reviews); ``learning`` counts the deck's ``learning_cards``.
        """
        day = today or self.today()
        decks = _card_sets(catalogue)
        with self._reading() as db:
            learning_counts: dict[str, int] = {}
            for card in _learning(db, day):
                if card.card_id in decks.get(card.deck_id, ()):
                    learning_counts[card.deck_id] = learning_counts.get(card.deck_id, 0) + 1
            due_counts: dict[str, int] = {}
            for deck_id, card_id in db.execute("SELECT deck_id, card_id FROM cards WHERE due <= ?", (day.isoformat(),)):
                if card_id in decks.get(deck_id, ()):
                    due_counts[deck_id] = due_counts.get(deck_id, 0) + 1
            stored = dict(db.execute("SELECT deck_id, COUNT(*) FROM cards GROUP BY deck_id").fetchall())
            new_done = _new_done(db, day)
            reviewed = dict(
                db.execute(
                    "SELECT deck_id, COUNT(*) FROM effective_reviews WHERE study_day = ?"
                    " AND kind IN ('new', 'review') GROUP BY deck_id",
                    (day.isoformat(),),
                ).fetchall()
            )
            summary = []
            for deck_id, card_ids in decks.items():
                left = max(0, self.config.new_cards_per_day - new_done.get(deck_id, 0))
                # Cards stored for the deck but gone from it (orphans) can only make more of it unseen, so
                # the exact count is needed only when this lower bound falls short of today's allowance.
                unseen = len(card_ids) - stored.get(deck_id, 0)
                if unseen < left:
                    unseen = len(card_ids - _stored_card_ids(db, deck_id))
                summary.append(
                    DeckToday(
                        deck=deck_id,
                        due=due_counts.get(deck_id, 0),
                        new=min(unseen, left),
                        reviewed_today=reviewed.get(deck_id, 0),
                        learning=learning_counts.get(deck_id, 0),
                    )
                )
        return summary

    # --- writing --------------------------------------------------------------------------------------

    def record_review(
        self,
        deck_id: str,
        card_id: str,
        quality: int,
        *,
        kind: str = "review",
        seed: int | None = None,
        answer: str | None = None,
        verdict: str | None = None,
        mistake_id: str | None = None,
        seconds: float | None = None,
    ) -> LoggedReview:
        """Log one review and, for a scheduled one, move the card's schedule; one transaction.

        ``kind`` is ``"review"`` (a scheduled review: logged as ``new`` when the card has no state yet,
        else ``review``; ``"new"`` is accepted as a synonym), ``"redrill"`` or ``"practice"`` (logged,
        schedule untouched). The SM-2 step starts from the state in the database at commit time, so two
        processes reviewing the same card both count. Returns the logged row.
        """
        _check_review(deck_id, card_id, quality, kind, seed, answer, verdict, mistake_id, seconds)
        moment = self._now()
        day = study_day(moment, self.config.day_starts_at_hour)
        with self._writing() as db:
            current = _card_row(db, deck_id, card_id)
            before = None if current is None else _scheduled_card(current)
            if kind in SCHEDULED_KINDS:
                logged_kind = "new" if before is None else "review"
                after_state = _clamped(sm2.review(before.state if before else Sm2State(), quality))
                after_due = _due_after(day, after_state.interval)
                if before is None:
                    db.execute(
                        "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (deck_id, card_id, *_state_values(after_state), after_due.isoformat(), day.isoformat()),
                    )
                else:
                    db.execute(
                        "UPDATE cards SET repetitions = ?, easiness = ?, interval = ?, due = ?"
                        " WHERE deck_id = ? AND card_id = ?",
                        (*_state_values(after_state), after_due.isoformat(), deck_id, card_id),
                    )
            else:
                logged_kind = kind
                after_state = before.state if before else None
                after_due = before.due if before else None
            review_id = _append(
                db,
                kind=logged_kind,
                deck_id=deck_id,
                card_id=card_id,
                seed=seed,
                answer=answer,
                verdict=verdict,
                mistake_id=mistake_id,
                quality=quality,
                seconds=seconds,
                before=before.state if before else None,
                before_due=before.due if before else None,
                after=after_state,
                after_due=after_due,
                moment=moment,
                day=day,
            )
            row = db.execute("SELECT * FROM review_log WHERE id = ?", (review_id,)).fetchone()
        return _logged_review(row)

    def undo_last_review(self, review_id: int | None = None) -> LoggedReview | None:
        """Cancel a review: append an ``undo`` row and restore the card's state from before it.

        Without ``review_id``, the most recent effective review in the log is undone (None if there is
        none). With it (the TUI passes the id ``record_review`` returned, so another terminal's reviews
        are never touched), that review is undone; it must be effective and, if it moved the schedule, the
        card's latest such review, else ``UndoError``. Returns the review that was undone.
        """
        moment = self._now()
        day = study_day(moment, self.config.day_starts_at_hour)
        with self._writing() as db:
            if review_id is None:
                row = db.execute("SELECT * FROM effective_reviews ORDER BY id DESC LIMIT 1").fetchone()
                if row is None:
                    return None
            else:
                row = db.execute("SELECT * FROM review_log WHERE id = ?", (review_id,)).fetchone()
                if row is None:
                    raise UndoError(f"there is no review {review_id} to undo")
                if row["kind"] == "undo":
                    raise UndoError(f"review {review_id} is itself an undo; it cannot be undone")
                if db.execute("SELECT 1 FROM review_log WHERE undoes = ?", (review_id,)).fetchone():
                    raise UndoError(f"review {review_id} has already been undone")
            target = _logged_review(row)
            current_row = _card_row(db, target.deck_id, target.card_id)
            current = None if current_row is None else _scheduled_card(current_row)
            if target.kind in SCHEDULED_KINDS:
                later = db.execute(
                    "SELECT id FROM effective_reviews WHERE deck_id = ? AND card_id = ? AND id > ?"
                    " AND kind IN ('new', 'review') LIMIT 1",
                    (target.deck_id, target.card_id, target.id),
                ).fetchone()
                if later is not None:
                    raise UndoError(
                        f"review {target.id} of {target.deck_id}/{target.card_id} cannot be undone:"
                        f" review {later[0]} of the same card came after it"
                    )
                if target.before is None:
                    db.execute("DELETE FROM cards WHERE deck_id = ? AND card_id = ?", (target.deck_id, target.card_id))
                else:
                    assert target.before_due is not None
                    db.execute(
                        "UPDATE cards SET repetitions = ?, easiness = ?, interval = ?, due = ?"
                        " WHERE deck_id = ? AND card_id = ?",
                        (
                            *_state_values(target.before),
                            target.before_due.isoformat(),
                            target.deck_id,
                            target.card_id,
                        ),
                    )
                restored, restored_due = target.before, target.before_due
            else:
                restored = current.state if current else None
                restored_due = current.due if current else None
            _append(
                db,
                kind="undo",
                deck_id=target.deck_id,
                card_id=target.card_id,
                seed=None,
                answer=None,
                verdict=None,
                mistake_id=None,
                quality=None,
                seconds=None,
                before=current.state if current else None,
                before_due=current.due if current else None,
                after=restored,
                after_due=restored_due,
                moment=moment,
                day=day,
                undoes=target.id,
            )
        return target

    # --- the log, and queries for statistics ------------------------------------------------------------

    def reviews(
        self, deck_id: str | None = None, card_id: str | None = None, *, include_undone: bool = False
    ) -> list[LoggedReview]:
        """Reviews in the order they were made. By default only effective ones (no undo rows, nothing
        undone); each carries its before-state, so ``review.before.interval`` is the interval before it."""
        source = "review_log" if include_undone else "effective_reviews"
        where, params = _filters(deck_id=deck_id, card_id=card_id)
        with self._reading() as db:
            rows = db.execute(f"SELECT * FROM {source}{where} ORDER BY id", params).fetchall()
        return [_logged_review(row) for row in rows]

    def reviews_per_day(
        self, deck_id: str | None = None, kinds: Sequence[str] = SCHEDULED_KINDS
    ) -> list[tuple[date, int]]:
        """``(study day, effective reviews of these kinds)`` for each day with any, oldest first."""
        unknown = set(kinds) - set(KINDS[:-1])
        if unknown:
            raise ValueError(f"unknown review kinds: {sorted(unknown)}")
        where, params = _filters(deck_id=deck_id)
        kind_clause = f"kind IN ({', '.join('?' for _ in kinds)})"
        where = f"{where} AND {kind_clause}" if where else f" WHERE {kind_clause}"
        with self._reading() as db:
            rows = db.execute(
                f"SELECT study_day, COUNT(*) FROM effective_reviews{where} GROUP BY study_day ORDER BY study_day",
                (*params, *kinds),
            ).fetchall()
        return [(date.fromisoformat(day), count) for day, count in rows]

    def latest_mistake(
        self, deck_id: str, card_id: str, mistake_id: str, since: date | None = None
    ) -> tuple[int | None, str | None] | None:
        """``(seed, answer)`` of the latest effective answer to the card that made ``mistake_id`` (on or
        after the study day ``since``), or None.

        The seed regenerates the question the learner was asked, so the statistics can show a mistake's
        feedback with the numbers they saw rather than the template's names. ``since`` keeps the lookup to
        a range of the card's index (deck, card, study day) however long the log is."""
        day_term, day_values = ("", ()) if since is None else (" AND study_day >= ?", (since.isoformat(),))
        with self._reading() as db:
            row = db.execute(
                "SELECT seed, answer FROM effective_reviews WHERE deck_id = ? AND card_id = ? AND mistake_id = ?"
                f"{day_term} ORDER BY id DESC LIMIT 1",
                (deck_id, card_id, mistake_id, *day_values),
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def mistake_counts(self, deck_id: str | None = None) -> list[MistakeCount]:
        """How often each anticipated mistake was made (effective reviews), most frequent first."""
        where, params = _filters(deck_id=deck_id)
        where = f"{where} AND mistake_id IS NOT NULL" if where else " WHERE mistake_id IS NOT NULL"
        with self._reading() as db:
            rows = db.execute(
                f"SELECT deck_id, card_id, mistake_id, COUNT(*) AS n FROM effective_reviews{where}"
                " GROUP BY deck_id, card_id, mistake_id ORDER BY n DESC, deck_id, card_id, mistake_id",
                params,
            ).fetchall()
        return [MistakeCount(*row) for row in rows]

    def answer_counts(
        self,
        by: Sequence[str],
        *,
        kinds: Sequence[str] = ANSWER_KINDS,
        deck_id: str | None = None,
        since: date | None = None,
        before: date | None = None,
    ) -> list[tuple[Any, ...]]:
        """Effective answers counted per distinct combination of the ``by`` columns (``COUNTED_COLUMNS``):
        one tuple of the ``by`` values (as stored: a study day is ISO text) and then the count, in no set
        order. Only study days from ``since`` on and before ``before`` count, when they are given.

        The general counter, for any question about the log: the matching rows are counted in SQL, then
        the undone reviews (and, when every kind is counted, the undo rows) among them are read, being
        few, and subtracted, instead of the ``effective_reviews`` view's lookup per row. The statistics'
        own counts (``answers_per_day``, ``review_outcomes``, ``answers_by_card``) are shaped to their
        indexes and run faster over a million rows.
        """
        every_kind = _check_answer_query(by, kinds)
        columns = ", ".join(by)
        days = (since, before)
        with self._reading() as db:
            terms, values = _answer_terms("", True, every_kind, kinds, deck_id, days)
            group = f" GROUP BY {columns}" if by else ""
            cursor = db.cursor()
            cursor.row_factory = None  # plain tuples: tens of thousands of sqlite3.Row objects cost more
            totals = cursor.execute(
                f"SELECT {columns + ', ' if by else ''}COUNT(*) FROM review_log WHERE 1{terms}{group}", values
            ).fetchall()
            # Undone reviews and undo rows are few: read them through the partial index on ``undoes`` (a
            # CROSS JOIN fixes the loop order) and count them here, so no GROUP BY tempts the planner
            # into scanning a big index for its order.
            picked = ", ".join(f"r.{column}" for column in by) or "1"
            terms, values = _answer_terms("r.", False, every_kind, kinds, deck_id, days)
            undone = db.execute(
                f"SELECT {picked} FROM review_log AS u INDEXED BY review_log_undoes CROSS JOIN review_log AS r"
                f" ON r.id = u.undoes WHERE u.undoes IS NOT NULL{terms}",
                values,
            ).fetchall()
            if every_kind:
                terms, values = _answer_terms("", False, every_kind, kinds, deck_id, days)
                undone += db.execute(
                    f"SELECT {columns or '1'} FROM review_log INDEXED BY review_log_undoes"
                    f" WHERE undoes IS NOT NULL{terms}",
                    values,
                ).fetchall()
        counts: dict[tuple[Any, ...], int] = {tuple(row[:-1]): row[-1] for row in totals}
        for row in undone:
            counts[tuple(row) if by else ()] -= 1
        return [(*key, count) for key, count in counts.items() if count > 0]

    def answers_per_day(self, since: date, until: date, *, deck_id: str | None = None) -> list[tuple[date, int]]:
        """``(study day, effective answers of every kind)`` for each day from ``since`` to ``until`` that has
        any, oldest first: the statistics' year heatmap. Read from ``day_tally`` (a row per day and deck)."""
        deck_term, deck_values = ("", ()) if deck_id is None else (" AND deck_id = ?", (deck_id,))
        with self._reading() as db:
            rows = (
                _plain_cursor(db)
                .execute(
                    "SELECT study_day, SUM(answers) FROM day_tally WHERE study_day BETWEEN ? AND ?"
                    f"{deck_term} GROUP BY study_day HAVING SUM(answers) > 0 ORDER BY study_day",
                    (since.isoformat(), until.isoformat(), *deck_values),
                )
                .fetchall()
            )
        return [(date.fromisoformat(day), n) for day, n in rows]

    def review_outcomes(
        self, longest: Sequence[int | None], *, deck_id: str | None = None
    ) -> list[tuple[str, int, int, int]]:
        """Effective scheduled reviews (kind ``review``) with a verdict, by deck and interval bucket:
        ``(deck id, bucket, reviews, correct)`` for each pair with any, by deck then bucket. Bucket ``i``
        holds the reviews whose interval before the review (``before_interval``) is above ``longest[i - 1]``
        and at most ``longest[i]``; the last bound may be None (no upper end). Rows without an interval
        are left out.

        Retention covers the whole log, so it is read from ``outcome_tally`` (a row per deck, interval
        and verdict) rather than counted.
        """
        bounds = list(longest)
        finite = [bound for bound in bounds if bound is not None]
        if not bounds or finite != sorted(set(finite)) or None in bounds[:-1]:
            raise ValueError(f"longest must be increasing interval bounds, only the last may be None, not {bounds!r}")
        ranges = [(low, math.inf if high is None else high) for low, high in zip([-math.inf, *finite], bounds)]
        deck_term, deck_values = ("", ()) if deck_id is None else (" AND deck_id = ?", (deck_id,))
        with self._reading() as db:
            rows = (
                _plain_cursor(db)
                .execute(
                    "SELECT deck_id, before_interval, verdict, reviews FROM outcome_tally"
                    f" WHERE reviews > 0{deck_term}",
                    deck_values,
                )
                .fetchall()
            )
        tallies: dict[tuple[str, int], list[int]] = {}
        for deck, interval, verdict, reviews in rows:
            for bucket, (low, high) in enumerate(ranges):
                if low < interval <= high:
                    tally = tallies.setdefault((deck, bucket), [0, 0])
                    tally[0] += reviews
                    tally[1] += reviews if verdict == "correct" else 0
                    break
        return [(deck, bucket, *tally) for (deck, bucket), tally in sorted(tallies.items()) if tally[0] > 0]

    def answers_by_card(
        self, periods: Sequence[tuple[date, date]], *, deck_id: str | None = None
    ) -> list[tuple[str, str, int, str | None, str | None, int]]:
        """Effective answers of every kind per card in each period (its first and last study day), by
        verdict and mistake id: ``(deck id, card id, period, verdict, mistake id, count)`` for each
        combination with any, ``period`` being its index in ``periods``; in no set order.

        For recent accuracy and misconceptions, read from ``card_day_tally`` (a row per card, day,
        verdict and mistake): each period is one range of its days.
        """
        deck_term, deck_values = ("", ()) if deck_id is None else (" AND deck_id = ?", (deck_id,))
        found: list[tuple[str, str, int, str | None, str | None, int]] = []
        with self._reading() as db:
            cursor = _plain_cursor(db)
            for period, (first, last) in enumerate(periods):
                rows = cursor.execute(
                    "SELECT deck_id, card_id, verdict, mistake_id, SUM(answers) FROM card_day_tally"
                    f" WHERE study_day BETWEEN ? AND ?{deck_term} GROUP BY deck_id, card_id, verdict, mistake_id"
                    " HAVING SUM(answers) > 0",
                    (first.isoformat(), last.isoformat(), *deck_values),
                )
                found.extend(
                    (deck, card, period, verdict or None, mistake or None, n)
                    for deck, card, verdict, mistake, n in rows
                )
        return found

    def last_day_without_answers(self, before: date, deck_id: str | None = None) -> date:
        """The latest study day before ``before`` with no effective answer (of ``deck_id``, if given).

        For a study streak that outlasts the statistics' year: the days with answers are read from
        ``day_tally`` newest first, and the walk stops at the first gap.
        """
        deck_term, deck_values = ("", ()) if deck_id is None else (" AND deck_id = ?", (deck_id,))
        day = before - timedelta(days=1)
        with self._reading() as db:
            days = _plain_cursor(db).execute(
                f"SELECT study_day FROM day_tally WHERE study_day < ?{deck_term}"
                " GROUP BY study_day HAVING SUM(answers) > 0 ORDER BY study_day DESC",
                (before.isoformat(), *deck_values),
            )
            for (answered,) in days:
                if answered != day.isoformat():
                    break
                day -= timedelta(days=1)
        return day

    # --- maintenance (studycards doctor) -----------------------------------------------------------------

    def cards_from_log(self) -> list[ScheduledCard]:
        """Every card's schedule recomputed by replaying the effective log through SM-2."""
        with self._reading() as db:
            return _replay(db)

    def learning_from_log(self, today: date | None = None) -> list[LearningCard]:
        """The learning cards of ``today`` recomputed the slow way, for ``studycards doctor``: every
        effective row of the log read in order, with each card's schedule replayed from it (not read
        from the cards table), so it shares neither query nor index with ``learning_cards``."""
        day = today or self.today()
        last_answer: dict[tuple[str, str], tuple[int, int]] = {}
        with self._reading() as db:
            schedules = {(card.deck_id, card.card_id): card for card in _replay(db)}
            rows = db.execute("SELECT id, deck_id, card_id, quality, study_day FROM effective_reviews ORDER BY id")
            for review_id, deck_id, card_id, quality, day_text in rows:
                if day_text == day.isoformat():
                    last_answer[(deck_id, card_id)] = (quality, review_id)
        learning = [
            LearningCard(deck_id, card_id, quality, review_id)
            for (deck_id, card_id), (quality, review_id) in last_answer.items()
            if quality < sm2.REDRILL_BELOW
            and (deck_id, card_id) in schedules
            and schedules[(deck_id, card_id)].due > day
        ]
        return sorted(learning, key=lambda card: card.review_id)

    def reviews_after(self, today: date | None = None) -> int:
        """Log rows dated on a study day after ``today``: made while the clock was ahead (or in another
        time zone). They cannot count for today, so ``studycards doctor`` points them out."""
        day = today or self.today()
        with self._reading() as db:
            return db.execute("SELECT COUNT(*) FROM review_log WHERE study_day > ?", (day.isoformat(),)).fetchone()[0]

    def differences_from_log(self) -> list[str]:
        """``deck/card`` of every card whose stored schedule differs from the replayed log."""
        with self._reading() as db:
            replayed = {(c.deck_id, c.card_id): c for c in _replay(db)}
            stored = {
                (c.deck_id, c.card_id): c for c in (_scheduled_card(row) for row in db.execute("SELECT * FROM cards"))
            }
        keys = sorted(set(replayed) | set(stored))
        return [f"{deck}/{card}" for deck, card in keys if replayed.get((deck, card)) != stored.get((deck, card))]

    def tally_differences(self) -> list[str]:
        """Where the statistics' tallies differ from a recount of the effective log (``day 2025-06-01 cnn:
        3 tallied, 4 in the log``); empty when they agree, as the triggers keep them."""
        with self._reading() as db:
            differences = []
            for table, columns, recount in (
                ("day_tally", "study_day, deck_id, answers", DAY_TALLY_FROM_LOG),
                (
                    "card_day_tally",
                    "deck_id, card_id, study_day, verdict, mistake_id, answers",
                    CARD_DAY_TALLY_FROM_LOG,
                ),
                ("outcome_tally", "deck_id, before_interval, verdict, reviews", OUTCOME_TALLY_FROM_LOG),
            ):
                logged = {tuple(row[:-1]): row[-1] for row in _plain_cursor(db).execute(recount)}
                tallied = {
                    tuple(row[:-1]): row[-1] for row in _plain_cursor(db).execute(f"SELECT {columns} FROM {table}")
                }
                for key in sorted(set(logged) | set(tallied), key=str):
                    if logged.get(key, 0) != tallied.get(key, 0):
                        where = " ".join(str(part) for part in key)
                        differences.append(
                            f"{table} {where}: {tallied.get(key, 0)} tallied, {logged.get(key, 0)} in the log"
                        )
        return differences

    def rebuild_cards(self) -> int:
        """Replace the cards table with the schedule replayed from the log, and refill the statistics'
        tallies from it; returns the number of cards."""
        with self._writing() as db:
            _fill_tallies(db)
            replayed = _replay(db)
            db.execute("DELETE FROM cards")
            db.executemany(
                "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (c.deck_id, c.card_id, *_state_values(c.state), c.due.isoformat(), c.first_seen.isoformat())
                    for c in replayed
                ],
            )
        return len(replayed)

    def integrity_problems(self, limit: int = 10) -> list[str]:
        """SQLite's own integrity check; an empty list means the file is sound."""
        with self._reading() as db:
            rows = db.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
        problems = [row[0] for row in rows]
        return [] if problems == ["ok"] else problems

    def counts(self) -> dict[str, int]:
        """Rows in the log (all, undo rows, undone reviews) and scheduled cards, for a health report."""
        with self._reading() as db:
            return {
                "log_rows": db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0],
                "undos": db.execute("SELECT COUNT(*) FROM review_log WHERE kind = 'undo'").fetchone()[0],
                "cards": db.execute("SELECT COUNT(*) FROM cards").fetchone()[0],
            }

    # --- transactions ---------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several queries see one consistent snapshot."""
        with self._lock, _as_store_errors(self.path):
            db = self._connection
            db.execute("BEGIN")
            try:
                yield db
            finally:
                if db.in_transaction:
                    db.execute("COMMIT")

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front (``BEGIN IMMEDIATE``), so it waits for
        another writer instead of failing on a lock upgrade; rolled back on any error."""
        with self._lock, _as_store_errors(self.path):
            db = self._connection
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


# --- opening -----------------------------------------------------------------------------------------


def _open_database(path: Path) -> sqlite3.Connection:
    """Connect to the database at ``path``, creating it if there is none; refuse anything not ours."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"{path.parent}: cannot create the data folder ({error.strerror})") from None
    if not path.exists():
        _create_database(path)
    _check_header(path)
    with _as_store_errors(path):
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
    try:
        with _as_store_errors(path):
            db.row_factory = sqlite3.Row
            _check_ours(db, path)
            # Only now, knowing the file is ours, may anything be written to it.
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                _upgrade(db)
    except BaseException:
        db.close()
        raise
    return db


def _create_database(path: Path) -> None:
    """Build an empty database under a temporary name, then link it into place (never over a file)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.creating")
    try:
        with _as_store_errors(path):
            db = sqlite3.connect(temporary, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(
                    f"PRAGMA application_id = {APPLICATION_ID}; BEGIN; {SCHEMA}"
                    + "".join(f"{statement};\n" for statement in TALLY_STATEMENTS)
                    + " INSERT INTO meta VALUES ('application', 'studycards');"
                    f" INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');"
                    f" PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                )
            finally:
                db.close()
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first; use theirs
        except OSError:
            if not path.exists():  # a file system without hard links
                os.rename(temporary, path)
    except OSError as error:
        raise StoreError(f"{path}: cannot create the database ({error.strerror})") from None
    finally:
        for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
            leftover.unlink(missing_ok=True)


def _check_header(path: Path) -> None:
    where = f"{path}: "
    untouched = "it was left untouched: move it aside to start afresh, or restore it from a backup"
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except IsADirectoryError:
        raise StoreError(f"{where}is a folder, not a database; move it aside so studycards can create one") from None
    except OSError as error:
        raise StoreError(f"{where}cannot read the database ({error.strerror})") from None
    if not head:
        raise StoreError(f"{where}the file is empty, not a studycards database; {untouched}")
    if head != SQLITE_MAGIC:
        raise StoreError(f"{where}not a SQLite database (damaged, or some other file); {untouched}")


def _check_ours(db: sqlite3.Connection, path: Path) -> None:
    untouched = "it was left untouched"
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    if application_id != APPLICATION_ID:
        raise StoreError(
            f"{path}: a SQLite database of some other program, not studycards; {untouched}:"
            " move it elsewhere, or use another --home"
        )
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer studycards (schema {version}, this one knows up to {SCHEMA_VERSION});"
            f" {untouched}: upgrade studycards to use it"
        )
    try:
        recorded = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        recorded = None
    if version < 1 or recorded is None or recorded[0] != str(version):
        raise StoreError(
            f"{path}: a damaged studycards database (its schema version is missing or inconsistent);"
            f" {untouched}: move it aside to start afresh, or restore it from a backup"
        )


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring a version-1 file (no tallies) up to this schema in one transaction: reshape two indexes and
    add the tallies, filled from its log. Nothing of the log or the schedules changes; a failure leaves
    the file as it was."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] == 1:  # another process may have just upgraded it
            for statement in UPGRADE_FROM_1:
                db.execute(statement)
            _fill_tallies(db)
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _fill_tallies(db: sqlite3.Connection) -> None:
    """Refill the tallies from the effective log (inside the caller's write transaction)."""
    db.execute("DELETE FROM day_tally")
    db.execute("DELETE FROM card_day_tally")
    db.execute("DELETE FROM outcome_tally")
    db.execute(f"INSERT INTO day_tally {DAY_TALLY_FROM_LOG}")
    db.execute(f"INSERT INTO card_day_tally {CARD_DAY_TALLY_FROM_LOG}")
    db.execute(f"INSERT INTO outcome_tally {OUTCOME_TALLY_FROM_LOG}")


@contextmanager
def _as_store_errors(path: Path) -> Iterator[None]:
    """SQLite failures a user can meet (a damaged file, a lock held too long) as one-line ``StoreError``s."""
    try:
        yield
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise  # our own bug, not the user's file
    except sqlite3.OperationalError as error:
        message = str(error)
        if "locked" in message or "busy" in message:
            raise StoreError(
                f"{path}: another studycards kept the database busy for over {BUSY_TIMEOUT_SECONDS:g} s;"
                " nothing was lost: try again"
            ) from None
        raise StoreError(f"{path}: cannot use the database ({message}); it was left as it was") from None
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{path}: the database is damaged ({error}); it was left untouched: restore it from a backup,"
            " or move it aside to start afresh (sqlite3's .recover may salvage its reviews)"
        ) from None


# --- rows and values ---------------------------------------------------------------------------------


def _check_review(
    deck_id: object,
    card_id: object,
    quality: int,
    kind: str,
    seed: object,
    answer: object,
    verdict: object,
    mistake_id: object,
    seconds: object,
) -> None:
    sm2.check_quality(quality)
    for name, value in (("deck_id", deck_id), ("card_id", card_id)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string, not {value!r}")
    if kind not in _REVIEW_KINDS_ACCEPTED:
        raise ValueError(f"kind must be one of {', '.join(_REVIEW_KINDS_ACCEPTED)}, not {kind!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not _INT64[0] <= seed <= _INT64[1]):
        raise ValueError(f"seed must be a 64-bit integer or None, not {seed!r}")
    for name, value in (("answer", answer), ("mistake_id", mistake_id)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string or None, not {type(value).__name__}")
    if verdict is not None and verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)} or None, not {verdict!r}")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0
    ):
        raise ValueError(f"seconds must be a finite number >= 0 or None, not {seconds!r}")


def _append(
    db: sqlite3.Connection,
    *,
    kind: str,
    deck_id: str,
    card_id: str,
    seed: int | None,
    answer: str | None,
    verdict: str | None,
    mistake_id: str | None,
    quality: int | None,
    seconds: float | None,
    before: Sm2State | None,
    before_due: date | None,
    after: Sm2State | None,
    after_due: date | None,
    moment: datetime,
    day: date,
    undoes: int | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO review_log (kind, deck_id, card_id, seed, answer, verdict, mistake_id, quality, seconds,"
        " before_repetitions, before_easiness, before_interval, before_due,"
        " after_repetitions, after_easiness, after_interval, after_due, reviewed_at, study_day, undoes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind,
            deck_id,
            card_id,
            seed,
            answer,
            verdict,
            mistake_id,
            quality,
            None if seconds is None else float(seconds),
            *_state_values(before),
            _iso(before_due),
            *_state_values(after),
            _iso(after_due),
            utc_timestamp(moment),
            day.isoformat(),
            undoes,
        ),
    )
    return int(cursor.lastrowid)


def _replay(db: sqlite3.Connection) -> list[ScheduledCard]:
    """The schedule the effective log implies: each scheduled review applied to the card's state."""
    cards: dict[tuple[str, str], ScheduledCard] = {}
    rows = db.execute(
        "SELECT deck_id, card_id, quality, study_day FROM effective_reviews WHERE kind IN ('new', 'review') ORDER BY id"
    )
    for deck_id, card_id, quality, day_text in rows:
        day = date.fromisoformat(day_text)
        previous = cards.get((deck_id, card_id))
        state = _clamped(sm2.review(previous.state if previous else Sm2State(), quality))
        cards[(deck_id, card_id)] = ScheduledCard(
            deck_id=deck_id,
            card_id=card_id,
            state=state,
            due=_due_after(day, state.interval),
            first_seen=previous.first_seen if previous else day,
        )
    return [cards[key] for key in sorted(cards)]


def _learning(db: sqlite3.Connection, day: date) -> list[LearningCard]:
    """The cards learning on ``day``, in the order they were failed (see the module docstring).

    Only the day's rows are read, along ``review_log_day``; SQLite takes the bare ``quality`` from the
    row with the largest id of each group, i.e. the card's last effective answer of the day.
    """
    rows = db.execute(
        "SELECT last.deck_id, last.card_id, last.quality, last.id FROM"
        " (SELECT deck_id, card_id, quality, MAX(id) AS id FROM effective_reviews WHERE study_day = ?"
        "  GROUP BY deck_id, card_id) AS last"
        " JOIN cards ON cards.deck_id = last.deck_id AND cards.card_id = last.card_id"
        " WHERE last.quality < ? AND cards.due > ? ORDER BY last.id",
        (day.isoformat(), sm2.REDRILL_BELOW, day.isoformat()),
    )
    return [LearningCard(deck_id, card_id, quality, review_id) for deck_id, card_id, quality, review_id in rows]


def _new_done(db: sqlite3.Connection, day: date) -> dict[str, int]:
    """New cards introduced on ``day`` per deck (undone introductions do not count)."""
    return dict(
        db.execute(
            "SELECT deck_id, COUNT(*) FROM effective_reviews WHERE study_day = ? AND kind = 'new' GROUP BY deck_id",
            (day.isoformat(),),
        ).fetchall()
    )


def _check_answer_query(columns: Sequence[str], kinds: Sequence[str]) -> bool:
    """Refuse unknown columns or kinds; True when every kind of answer is asked for."""
    unknown = [column for column in columns if column not in COUNTED_COLUMNS]
    if unknown:
        raise ValueError(f"cannot count by {unknown[0]!r}: choose from {', '.join(COUNTED_COLUMNS)}")
    if not kinds or set(kinds) - set(ANSWER_KINDS):
        raise ValueError(f"kinds must be some of {', '.join(ANSWER_KINDS)}, not {list(kinds)!r}")
    return set(kinds) == set(ANSWER_KINDS)


def _answer_terms(
    table: str,
    drive: bool,
    every_kind: bool,
    kinds: Sequence[str],
    deck_id: str | None,
    days: tuple[date | None, date | None],
) -> tuple[str, list[Any]]:
    """`` AND ...`` terms selecting answers of ``kinds`` of a deck on study days from ``days[0]`` on and
    before ``days[1]``, and their values.

    A unary + keeps SQLite (which has no table statistics) from using an index for that term: a query
    that ``drive``s is led by the day range when there is one (led by the deck's index, it would look
    up and sort every row of the deck); the others are led by the few undo rows.
    """

    since, before = days

    def term(column: str, test: str) -> str:
        indexed = drive and not (column == "deck_id" and (since, before) != (None, None))
        return f"{'' if indexed else '+'}{table}{column} {test}"

    terms: list[str] = []
    values: list[Any] = []
    if not every_kind:
        terms.append(term("kind", f"IN ({', '.join('?' for _ in kinds)})"))
        values.extend(kinds)
    if deck_id is not None:
        terms.append(term("deck_id", "= ?"))
        values.append(deck_id)
    if since is not None:
        terms.append(term("study_day", ">= ?"))
        values.append(since.isoformat())
    if before is not None:
        terms.append(term("study_day", "< ?"))
        values.append(before.isoformat())
    return "".join(f" AND {text}" for text in terms), values


def _plain_cursor(db: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor returning plain tuples: the statistics run thousands of small queries, and a
    ``sqlite3.Row`` for each result costs more than the lookup behind it."""
    cursor = db.cursor()
    cursor.row_factory = None
    return cursor


def _distinct_values(cursor: sqlite3.Cursor, column: str, where: str = "1", values: Sequence[Any] = ()) -> list[Any]:
    """The distinct values of ``column`` in the rows matching ``where``, in order.

    SQLite cannot skip along an index by itself without ANALYZE's statistics (which a learner's database
    never has), and a DISTINCT reads every row. So each value is found by its own lookup, the smallest
    one above the last, on an index whose columns are ``where``'s equalities and then ``column``.
    """
    first = f"SELECT MIN({column}) FROM review_log WHERE {where}"
    following = f"SELECT MIN({column}) FROM review_log WHERE {where} AND {column} > ?"
    found = []
    value = cursor.execute(first, values).fetchone()[0]
    while value is not None:
        found.append(value)
        value = cursor.execute(following, (*values, value)).fetchone()[0]
    return found


def _dropped_rows(db: sqlite3.Connection, deck_id: str | None) -> list[sqlite3.Row]:
    """The undo rows and the reviews they cancel (of ``deck_id``, if given): what a count over the whole
    log subtracts to count effective answers only. They are few, read through the partial index on
    ``undoes``; the CROSS JOIN fixes the loop order, so the planner never scans the log for them."""
    deck_term = "" if deck_id is None else " AND r.deck_id = ?"
    return db.execute(
        "SELECT r.kind, r.deck_id, r.card_id, r.study_day, r.verdict, r.mistake_id, r.before_interval"
        " FROM review_log AS u INDEXED BY review_log_undoes CROSS JOIN review_log AS r ON r.id IN (u.id, u.undoes)"
        f" WHERE u.undoes IS NOT NULL{deck_term}",
        () if deck_id is None else (deck_id,),
    ).fetchall()


def _card_row(db: sqlite3.Connection, deck_id: str, card_id: str) -> sqlite3.Row | None:
    return db.execute("SELECT * FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)).fetchone()


def _stored_card_ids(db: sqlite3.Connection, deck_id: str) -> set[str]:
    """The ids of the deck's cards that have a schedule. A mature deck has thousands: SQLite joins them
    into one text (ids never hold the unit separator, U+001F, unless a caller made them so), which Python
    splits in one call, instead of building a row object for each."""
    joined = db.execute("SELECT group_concat(card_id, char(31)), COUNT(*) FROM cards WHERE deck_id = ?", (deck_id,))
    text, count = joined.fetchone()
    if not count:
        return set()
    if text.count("\x1f") == count - 1:
        return set(text.split("\x1f"))
    # an id held the separator: read them one by one
    return {row[0] for row in db.execute("SELECT card_id FROM cards WHERE deck_id = ?", (deck_id,))}


def _card_sets(catalogue: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    return {deck_id: frozenset(card_ids) for deck_id, card_ids in catalogue.items()}


def _filters(**columns: str | None) -> tuple[str, tuple[str, ...]]:
    chosen = [(name, value) for name, value in columns.items() if value is not None]
    if not chosen:
        return "", ()
    return " WHERE " + " AND ".join(f"{name} = ?" for name, _ in chosen), tuple(v for _, v in chosen)


def _clamped(state: Sm2State) -> Sm2State:
    if state.interval <= MAX_INTERVAL_DAYS:
        return state
    return Sm2State(state.repetitions, state.easiness, MAX_INTERVAL_DAYS)


def _due_after(day: date, interval: int) -> date:
    try:
        return day + timedelta(days=interval)
    except OverflowError:
        return date.max


def _state_values(state: Sm2State | None) -> tuple[Any, Any, Any]:
    if state is None:
        return None, None, None
    return state.repetitions, state.easiness, state.interval


def _state(repetitions: Any, easiness: Any, interval: Any) -> Sm2State | None:
    if repetitions is None:
        return None
    return Sm2State(repetitions=repetitions, easiness=easiness, interval=interval)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _scheduled_card(row: sqlite3.Row) -> ScheduledCard:
    return ScheduledCard(
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        state=Sm2State(row["repetitions"], row["easiness"], row["interval"]),
        due=date.fromisoformat(row["due"]),
        first_seen=date.fromisoformat(row["first_seen"]),
    )


def _logged_review(row: sqlite3.Row) -> LoggedReview:
    return LoggedReview(
        id=row["id"],
        kind=row["kind"],
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        seed=row["seed"],
        answer=row["answer"],
        verdict=row["verdict"],
        mistake_id=row["mistake_id"],
        quality=row["quality"],
        seconds=row["seconds"],
        before=_state(row["before_repetitions"], row["before_easiness"], row["before_interval"]),
        before_due=_day(row["before_due"]),
        after=_state(row["after_repetitions"], row["after_easiness"], row["after_interval"]),
        after_due=_day(row["after_due"]),
        reviewed_at=datetime.fromisoformat(row["reviewed_at"]),
        study_day=date.fromisoformat(row["study_day"]),
        undoes=row["undoes"],
    )
