"""The review log: appending reviews and undos to it, and replaying it into each card's schedule.

The log (table ``review_log``, append-only: triggers refuse UPDATE and DELETE) has one row per review with
what was asked and answered, the verdict, the quality, the time taken, the SM-2 state before and after, the
UTC time and the study day. The ``cards`` table holds each card's current SM-2 state and due day; it is
derived from the log, and ``replay`` recomputes it by running the log through ``sm2.review``
(``studycards doctor --rebuild``).

Kinds of log row: ``new`` (a card's first scheduled review), ``review`` (a later one), ``redrill`` (asked
again the same day after a grade below 4), ``practice`` (extra practice), and ``undo``. Only ``new`` and
``review`` move the schedule; re-drills and practice are logged with before = after.

Undo never edits the log: ``undo`` appends an ``undo`` row naming the review it cancels (``undoes``) and
puts the card back in the state recorded before that review (a cancelled ``new`` review makes the card new
again). A review is "effective" unless it is an undo row or has been undone; the replay uses effective
``new``/``review`` rows only, so a rebuild gives the same states after undos. Only a card's latest
effective scheduled review can be undone, which is what makes the two agree.

Every function here works inside a transaction its caller holds (``Store`` opens them).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from studycards import sm2
from studycards.errors import StudycardsError
from studycards.sm2 import Sm2State
from studycards.study_day import utc_timestamp

# SM-2 intervals grow without bound; the store keeps at most a century so dates and integers stay valid.
MAX_INTERVAL_DAYS = 36_500

KINDS = ("new", "review", "redrill", "practice", "undo")
SCHEDULED_KINDS = ("new", "review")
ANSWER_KINDS = ("new", "review", "redrill", "practice")  # every kind of row that logs an answer
VERDICTS = ("correct", "incorrect", "unreadable")

_REVIEW_KINDS_ACCEPTED = ("review", "new", "redrill", "practice")
_INT64 = (-(2**63), 2**63 - 1)


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

def check_review(
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
    """Refuse, before any transaction, a review the log cannot hold (a bad quality, kind, id, seed, answer,
    verdict or time) with a ``ValueError`` or ``TypeError`` naming the argument."""
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


def record(
    db: sqlite3.Connection,
    deck_id: str,
    card_id: str,
    quality: int,
    *,
    kind: str,
    seed: int | None,
    answer: str | None,
    verdict: str | None,
    mistake_id: str | None,
    seconds: float | None,
    moment: datetime,
    day: date,
) -> LoggedReview:
    """Log one review (checked by ``check_review``) made at ``moment`` on study ``day`` and, for a
    scheduled one, move the card's schedule from the state ``db`` holds now. Returns the logged row."""
    current = _card_row(db, deck_id, card_id)
    before = None if current is None else scheduled_card(current)
    if kind in SCHEDULED_KINDS:
        logged_kind = "new" if before is None else "review"
        after_state = _clamped(sm2.review(before.state if before else Sm2State(), quality))
        after_due = _due_after(day, after_state.interval)
        if before is None:
            db.execute(
                "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?)",
                (deck_id, card_id, *state_values(after_state), after_due.isoformat(), day.isoformat()),
            )
        else:
            db.execute(
                "UPDATE cards SET repetitions = ?, easiness = ?, interval = ?, due = ?"
                " WHERE deck_id = ? AND card_id = ?",
                (*state_values(after_state), after_due.isoformat(), deck_id, card_id),
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
    return logged_review(db.execute("SELECT * FROM review_log WHERE id = ?", (review_id,)).fetchone())


def undo(db: sqlite3.Connection, review_id: int | None, *, moment: datetime, day: date) -> LoggedReview | None:
    """Cancel review ``review_id`` (None: the latest effective one) by appending an ``undo`` row at
    ``moment`` on study ``day`` and restoring the card's state from before it; returns the review undone,
    or None when there was none. ``UndoError`` when it cannot be undone (see the module docstring)."""
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
    target = logged_review(row)
    current_row = _card_row(db, target.deck_id, target.card_id)
    current = None if current_row is None else scheduled_card(current_row)
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
                    *state_values(target.before),
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
            *state_values(before),
            _iso(before_due),
            *state_values(after),
            _iso(after_due),
            utc_timestamp(moment),
            day.isoformat(),
            undoes,
        ),
    )
    return int(cursor.lastrowid)


def replay(db: sqlite3.Connection) -> list[ScheduledCard]:
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


def _card_row(db: sqlite3.Connection, deck_id: str, card_id: str) -> sqlite3.Row | None:
    return db.execute("SELECT * FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)).fetchone()


def _clamped(state: Sm2State) -> Sm2State:
    if state.interval <= MAX_INTERVAL_DAYS:
        return state
    return Sm2State(state.repetitions, state.easiness, MAX_INTERVAL_DAYS)


def _due_after(day: date, interval: int) -> date:
    try:
        return day + timedelta(days=interval)
    except OverflowError:
        return date.max


def state_values(state: Sm2State | None) -> tuple[Any, Any, Any]:
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


def scheduled_card(row: sqlite3.Row) -> ScheduledCard:
    return ScheduledCard(
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        state=Sm2State(row["repetitions"], row["easiness"], row["interval"]),
        due=date.fromisoformat(row["due"]),
        first_seen=date.fromisoformat(row["first_seen"]),
    )


def logged_review(row: sqlite3.Row) -> LoggedReview:
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
