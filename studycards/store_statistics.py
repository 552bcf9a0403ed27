"""The review log read for the statistics: reviews, answers counted by day, card, verdict and mistake,
retention by interval, and the streak.

Most of these read the tallies the schema's triggers keep (``day_tally``, ``card_day_tally``,
``outcome_tally``: a few hundred rows instead of a million log rows); ``answer_counts`` counts the log
itself for any other question. Every function here reads inside a transaction its caller holds.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from studycards.review_log import ANSWER_KINDS, KINDS, SCHEDULED_KINDS, LoggedReview, logged_review

# Columns ``answer_counts`` may group by: what a statistic needs to know about an answer.
COUNTED_COLUMNS = ("study_day", "deck_id", "card_id", "kind", "verdict", "quality", "mistake_id", "before_interval")


@dataclass(frozen=True)
class MistakeCount:
    """How often one anticipated mistake was made on one card."""

    deck_id: str
    card_id: str
    mistake_id: str
    count: int


def reviews(
    db: sqlite3.Connection, deck_id: str | None = None, card_id: str | None = None, *, include_undone: bool = False
) -> list[LoggedReview]:
    """Reviews in the order they were made. By default only effective ones (no undo rows, nothing
    undone); each carries its before-state, so ``review.before.interval`` is the interval before it."""
    source = "review_log" if include_undone else "effective_reviews"
    where, params = _filters(deck_id=deck_id, card_id=card_id)
    rows = db.execute(f"SELECT * FROM {source}{where} ORDER BY id", params).fetchall()
    return [logged_review(row) for row in rows]


def reviews_per_day(
    db: sqlite3.Connection, deck_id: str | None = None, kinds: Sequence[str] = SCHEDULED_KINDS
) -> list[tuple[date, int]]:
    """``(study day, effective reviews of these kinds)`` for each day with any, oldest first."""
    unknown = set(kinds) - set(KINDS[:-1])
    if unknown:
        raise ValueError(f"unknown review kinds: {sorted(unknown)}")
    where, params = _filters(deck_id=deck_id)
    kind_clause = f"kind IN ({', '.join('?' for _ in kinds)})"
    where = f"{where} AND {kind_clause}" if where else f" WHERE {kind_clause}"
    rows = db.execute(
        f"SELECT study_day, COUNT(*) FROM effective_reviews{where} GROUP BY study_day ORDER BY study_day",
        (*params, *kinds),
    ).fetchall()
    return [(date.fromisoformat(day), count) for day, count in rows]


def latest_mistake(
    db: sqlite3.Connection, deck_id: str, card_id: str, mistake_id: str, since: date | None = None
) -> tuple[int | None, str | None] | None:
    """``(seed, answer)`` of the latest effective answer to the card that made ``mistake_id`` (on or
    after the study day ``since``), or None.

    The seed regenerates the question the learner was asked, so the statistics can show a mistake's
    feedback with the numbers they saw rather than the template's names. ``since`` keeps the lookup to
    a range of the card's index (deck, card, study day) however long the log is."""
    day_term, day_values = ("", ()) if since is None else (" AND study_day >= ?", (since.isoformat(),))
    row = db.execute(
        "SELECT seed, answer FROM effective_reviews WHERE deck_id = ? AND card_id = ? AND mistake_id = ?"
        f"{day_term} ORDER BY id DESC LIMIT 1",
        (deck_id, card_id, mistake_id, *day_values),
    ).fetchone()
    return None if row is None else (row[0], row[1])


def mistake_counts(db: sqlite3.Connection, deck_id: str | None = None) -> list[MistakeCount]:
    """How often each anticipated mistake was made (effective reviews), most frequent first."""
    where, params = _filters(deck_id=deck_id)
    where = f"{where} AND mistake_id IS NOT NULL" if where else " WHERE mistake_id IS NOT NULL"
    rows = db.execute(
        f"SELECT deck_id, card_id, mistake_id, COUNT(*) AS n FROM effective_reviews{where}"
        " GROUP BY deck_id, card_id, mistake_id ORDER BY n DESC, deck_id, card_id, mistake_id",
        params,
    ).fetchall()
    return [MistakeCount(*row) for row in rows]


def answer_counts(
    db: sqlite3.Connection,
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


def answers_per_day(
    db: sqlite3.Connection, since: date, until: date, *, deck_id: str | None = None
) -> list[tuple[date, int]]:
    """``(study day, effective answers of every kind)`` for each day from ``since`` to ``until`` that has
    any, oldest first: the statistics' year heatmap. Read from ``day_tally`` (a row per day and deck)."""
    deck_term, deck_values = ("", ()) if deck_id is None else (" AND deck_id = ?", (deck_id,))
    rows = (
        plain_cursor(db)
        .execute(
            "SELECT study_day, SUM(answers) FROM day_tally WHERE study_day BETWEEN ? AND ?"
            f"{deck_term} GROUP BY study_day HAVING SUM(answers) > 0 ORDER BY study_day",
            (since.isoformat(), until.isoformat(), *deck_values),
        )
        .fetchall()
    )
    return [(date.fromisoformat(day), n) for day, n in rows]


def review_outcomes(
    db: sqlite3.Connection, longest: Sequence[int | None], *, deck_id: str | None = None
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
    rows = (
        plain_cursor(db)
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
    db: sqlite3.Connection, periods: Sequence[tuple[date, date]], *, deck_id: str | None = None
) -> list[tuple[str, str, int, str | None, str | None, int]]:
    """Effective answers of every kind per card in each period (its first and last study day), by
    verdict and mistake id: ``(deck id, card id, period, verdict, mistake id, count)`` for each
    combination with any, ``period`` being its index in ``periods``; in no set order.

    For recent accuracy and misconceptions, read from ``card_day_tally`` (a row per card, day,
    verdict and mistake): each period is one range of its days.
    """
    deck_term, deck_values = ("", ()) if deck_id is None else (" AND deck_id = ?", (deck_id,))
    found: list[tuple[str, str, int, str | None, str | None, int]] = []
    cursor = plain_cursor(db)
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


def last_day_without_answers(db: sqlite3.Connection, before: date, deck_id: str | None = None) -> date:
    """The latest study day before ``before`` with no effective answer (of ``deck_id``, if given).

    For a study streak that outlasts the statistics' year: the days with answers are read from
    ``day_tally`` newest first, and the walk stops at the first gap.
    """
    deck_term, deck_values = ("", ()) if deck_id is None else (" AND deck_id = ?", (deck_id,))
    day = before - timedelta(days=1)
    days = plain_cursor(db).execute(
        f"SELECT study_day FROM day_tally WHERE study_day < ?{deck_term}"
        " GROUP BY study_day HAVING SUM(answers) > 0 ORDER BY study_day DESC",
        (before.isoformat(), *deck_values),
    )
    for (answered,) in days:
        if answered != day.isoformat():
            break
        day -= timedelta(days=1)
    return day


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


def plain_cursor(db: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor returning plain tuples: the statistics run thousands of small queries, and a
    ``sqlite3.Row`` for each result costs more than the lookup behind it."""
    cursor = db.cursor()
    cursor.row_factory = None
    return cursor


def _filters(**columns: str | None) -> tuple[str, tuple[str, ...]]:
    chosen = [(name, value) for name, value in columns.items() if value is not None]
    if not chosen:
        return "", ()
    return " WHERE " + " AND ".join(f"{name} = ?" for name, _ in chosen), tuple(v for _, v in chosen)
