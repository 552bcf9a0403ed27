"""``studycards doctor``'s checks of the store: the schedules, learning cards and tallies recomputed from
the log and compared with what is stored, SQLite's integrity check, and the rebuild that makes them agree
(the kept deck coverage is recounted by ``store_coverage``, and dropped by the rebuild).

The recomputations share neither query nor index with the fast reads they check (``store_queries``,
``store_statistics``): they replay the whole log. Every function here works inside a transaction its
caller holds.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from studycards import sm2, store_coverage
from studycards.review_log import replay, scheduled_card, state_values
from studycards.store_queries import LearningCard
from studycards.store_schema import CARD_DAY_TALLY_FROM_LOG, DAY_TALLY_FROM_LOG, OUTCOME_TALLY_FROM_LOG, fill_tallies
from studycards.store_statistics import plain_cursor


def learning_from_log(db: sqlite3.Connection, day: date) -> list[LearningCard]:
    """The learning cards of ``day`` recomputed the slow way: every effective row of the log read in
    order, with each card's schedule replayed from it (not read from the cards table), so it shares neither
    query nor index with ``store_queries.learning_cards``."""
    last_answer: dict[tuple[str, str], tuple[int, int]] = {}
    schedules = {(card.deck_id, card.card_id): card for card in replay(db)}
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


def reviews_after(db: sqlite3.Connection, day: date) -> int:
    """Log rows dated on a study day after ``day``: made while the clock was ahead (or in another time
    zone). They cannot count for that day, so ``studycards doctor`` points them out."""
    return db.execute("SELECT COUNT(*) FROM review_log WHERE study_day > ?", (day.isoformat(),)).fetchone()[0]


def differences_from_log(db: sqlite3.Connection) -> list[str]:
    """``deck/card`` of every card whose stored schedule differs from the replayed log."""
    replayed = {(c.deck_id, c.card_id): c for c in replay(db)}
    stored = {(c.deck_id, c.card_id): c for c in (scheduled_card(row) for row in db.execute("SELECT * FROM cards"))}
    keys = sorted(set(replayed) | set(stored))
    return [f"{deck}/{card}" for deck, card in keys if replayed.get((deck, card)) != stored.get((deck, card))]


def tally_differences(db: sqlite3.Connection) -> list[str]:
    """Where the statistics' tallies differ from a recount of the effective log (``day 2025-06-01 cnn:
    3 tallied, 4 in the log``); empty when they agree, as the triggers keep them."""
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
        logged = {tuple(row[:-1]): row[-1] for row in plain_cursor(db).execute(recount)}
        tallied = {tuple(row[:-1]): row[-1] for row in plain_cursor(db).execute(f"SELECT {columns} FROM {table}")}
        for key in sorted(set(logged) | set(tallied), key=str):
            if logged.get(key, 0) != tallied.get(key, 0):
                where = " ".join(str(part) for part in key)
                differences.append(f"{table} {where}: {tallied.get(key, 0)} tallied, {logged.get(key, 0)} in the log")
    return differences


def rebuild_cards(db: sqlite3.Connection) -> int:
    """Replace the cards table with the schedule replayed from the log, refill the statistics' tallies from
    it, and drop the kept deck coverage (``due_summary`` counts it again); returns the number of cards."""
    fill_tallies(db)
    store_coverage.forget(db)
    replayed = replay(db)
    db.execute("DELETE FROM cards")
    db.executemany(
        "INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (c.deck_id, c.card_id, *state_values(c.state), c.due.isoformat(), c.first_seen.isoformat())
            for c in replayed
        ],
    )
    return len(replayed)


def integrity_problems(db: sqlite3.Connection, limit: int = 10) -> list[str]:
    """SQLite's own integrity check; an empty list means the file is sound."""
    rows = db.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems


def counts(db: sqlite3.Connection) -> dict[str, int]:
    """Rows in the log (all, undo rows, undone reviews) and scheduled cards, for a health report."""
    return {
        "log_rows": db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0],
        "undos": db.execute("SELECT COUNT(*) FROM review_log WHERE kind = 'undo'").fetchone()[0],
        "cards": db.execute("SELECT COUNT(*) FROM cards").fetchone()[0],
    }
