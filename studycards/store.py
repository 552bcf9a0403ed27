"""The review store: every review ever made, in SQLite at ``<home>/studycards.db``, and each card's schedule.

``Store`` is the one door to it: it opens the file, holds the connection, and runs each call in one
transaction, a read (``BEGIN``: several queries see one snapshot) or a write (``BEGIN IMMEDIATE``: one per
review or undo, taking the write lock up front, so a second terminal waits for it rather than failing on a
lock upgrade). The work is done by one module per job, whose docstrings hold the contracts:

- ``store_schema``: the schema (the append-only log's triggers, the statistics' tallies), opening and
  checking a file (WAL, busy timeout, never writing to a file that is not ours), upgrading schemas 1, 2;
- ``review_log``: appending reviews and undos to the log, and replaying it into schedules;
- ``store_queries``: what is due on a study day (due, new and learning cards, the per-deck summary);
- ``store_coverage``: each deck's count of scheduled cards, kept in the file for the summary;
- ``store_statistics``: the log read for ``studycards stats``;
- ``store_doctor``: the schedules, learning cards and tallies recomputed from the log, and the rebuild.

The store knows nothing of deck files: callers pass a catalogue ``{deck id: [card ids in deck order]}``
(``catalogue(decks)`` builds one). A card whose template was renamed or removed keeps its rows and state
but is not scheduled while it is missing from the catalogue.

Every name callers use is importable from here.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from studycards import review_log, store_coverage, store_doctor, store_queries, store_statistics
from studycards.config import Config, load_config
from studycards.review_log import (
    ANSWER_KINDS,
    KINDS,
    MAX_INTERVAL_DAYS,
    SCHEDULED_KINDS,
    VERDICTS,
    LoggedReview,
    ScheduledCard,
    UndoError,
)
from studycards.store_queries import DeckToday, LearningCard
from studycards.store_schema import (
    APPLICATION_ID,
    BUSY_TIMEOUT_SECONDS,
    DB_FILE,
    SCHEMA_VERSION,
    as_store_errors,
    database_path,
    open_database,
)
from studycards.store_statistics import COUNTED_COLUMNS, MistakeCount
from studycards.study_day import study_day, utc_now

__all__ = [
    "ANSWER_KINDS",
    "APPLICATION_ID",
    "BUSY_TIMEOUT_SECONDS",
    "COUNTED_COLUMNS",
    "DB_FILE",
    "KINDS",
    "MAX_INTERVAL_DAYS",
    "SCHEDULED_KINDS",
    "SCHEMA_VERSION",
    "VERDICTS",
    "DeckToday",
    "LearningCard",
    "LoggedReview",
    "MistakeCount",
    "ScheduledCard",
    "Store",
    "UndoError",
    "catalogue",
    "database_path",
]


def catalogue(decks: Iterable[Any]) -> dict[str, list[str]]:
    """``{deck id: [card ids in deck order]}`` from loaded decks (anything with ``.id`` and ``.cards``)."""
    return {deck.id: [card.id for card in deck.cards] for deck in decks}


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
        self._connection = open_database(self.path)
        self._catalogue_memo = store_queries.CatalogueMemo()  # due_summary's per-deck counts, between calls

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
            return store_queries.card(db, deck_id, card_id)

    def cards(self) -> list[ScheduledCard]:
        """Every card the store has a schedule for, ordered by deck and card id."""
        with self._reading() as db:
            return store_queries.cards(db)

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
        day = today or self.today()
        with self._reading() as db:
            return store_queries.due_cards(db, day, deck, catalogue)

    def new_cards_left(self, deck_id: str, today: date | None = None) -> int:
        """How many more new cards ``deck_id`` may introduce today (the daily limit minus those done)."""
        day = today or self.today()
        with self._reading() as db:
            return store_queries.new_cards_left(db, deck_id, day, self.config.new_cards_per_day)

    def new_cards(self, deck_id: str, card_ids: Sequence[str], today: date | None = None) -> list[str]:
        """The card ids (from ``card_ids``, in deck order) to introduce today: never reviewed before,
        at most the day's remaining new-card allowance for the deck."""
        day = today or self.today()
        with self._reading() as db:
            return store_queries.new_cards(db, deck_id, card_ids, day, self.config.new_cards_per_day)

    def learning_cards(
        self,
        deck: str | None = None,
        today: date | None = None,
        catalogue: Mapping[str, Sequence[str]] | None = None,
    ) -> list[LearningCard]:
        """Cards learning on ``today`` (default: the current study day), in the order they were failed
        (``store_queries`` says what makes a card learning).

        ``deck`` and ``catalogue`` narrow them as for ``due_cards``. Only the day's rows are read.
        """
        day = today or self.today()
        with self._reading() as db:
            return store_queries.learning_cards(db, day, deck, catalogue)

    def due_summary(self, catalogue: Mapping[str, Sequence[str]], today: date | None = None) -> list[DeckToday]:
        """One ``DeckToday`` per deck of ``catalogue``, in its order (what ``studycards due`` prints).

        ``reviewed_today`` counts today's effective scheduled reviews (new and review; not re-drills,
        practice, or undone reviews); ``learning`` counts the deck's ``learning_cards``.

        A read that may write: the decks it had to count are kept in the file for the next process
        (``store_coverage``), best effort, inside the same transaction; a locked or read-only file is
        only read.
        """
        day = today or self.today()
        with self._reading(may_keep=True) as db:
            return store_queries.due_summary(db, catalogue, day, self.config.new_cards_per_day, self._catalogue_memo)

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
        review_log.check_review(deck_id, card_id, quality, kind, seed, answer, verdict, mistake_id, seconds)
        moment = self._now()
        day = study_day(moment, self.config.day_starts_at_hour)
        with self._writing() as db:
            return review_log.record(
                db,
                deck_id,
                card_id,
                quality,
                kind=kind,
                seed=seed,
                answer=answer,
                verdict=verdict,
                mistake_id=mistake_id,
                seconds=seconds,
                moment=moment,
                day=day,
            )

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
            return review_log.undo(db, review_id, moment=moment, day=day)

    # --- the log, and queries for statistics ------------------------------------------------------------

    def reviews(
        self, deck_id: str | None = None, card_id: str | None = None, *, include_undone: bool = False
    ) -> list[LoggedReview]:
        """Reviews in the order they were made. By default only effective ones (no undo rows, nothing
        undone); each carries its before-state, so ``review.before.interval`` is the interval before it."""
        with self._reading() as db:
            return store_statistics.reviews(db, deck_id, card_id, include_undone=include_undone)

    def reviews_per_day(
        self, deck_id: str | None = None, kinds: Sequence[str] = SCHEDULED_KINDS
    ) -> list[tuple[date, int]]:
        """``(study day, effective reviews of these kinds)`` for each day with any, oldest first."""
        with self._reading() as db:
            return store_statistics.reviews_per_day(db, deck_id, kinds)

    def latest_mistake(
        self, deck_id: str, card_id: str, mistake_id: str, since: date | None = None
    ) -> tuple[int | None, str | None] | None:
        """``(seed, answer)`` of the latest effective answer to the card that made ``mistake_id`` (on or
        after the study day ``since``), or None.

        The seed regenerates the question the learner was asked, so the statistics can show a mistake's
        feedback with the numbers they saw rather than the template's names. ``since`` keeps the lookup to
        a range of the card's index (deck, card, study day) however long the log is."""
        with self._reading() as db:
            return store_statistics.latest_mistake(db, deck_id, card_id, mistake_id, since)

    def mistake_counts(self, deck_id: str | None = None) -> list[MistakeCount]:
        """How often each anticipated mistake was made (effective reviews), most frequent first."""
        with self._reading() as db:
            return store_statistics.mistake_counts(db, deck_id)

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
        (``store_statistics.answer_counts`` says how.)"""
        with self._reading() as db:
            return store_statistics.answer_counts(db, by, kinds=kinds, deck_id=deck_id, since=since, before=before)

    def answers_per_day(self, since: date, until: date, *, deck_id: str | None = None) -> list[tuple[date, int]]:
        """``(study day, effective answers of every kind)`` for each day from ``since`` to ``until`` that has
        any, oldest first: the statistics' year heatmap. Read from ``day_tally`` (a row per day and deck)."""
        with self._reading() as db:
            return store_statistics.answers_per_day(db, since, until, deck_id=deck_id)

    def review_outcomes(
        self, longest: Sequence[int | None], *, deck_id: str | None = None
    ) -> list[tuple[str, int, int, int]]:
        """Effective scheduled reviews (kind ``review``) with a verdict, by deck and interval bucket:
        ``(deck id, bucket, reviews, correct)`` for each pair with any, by deck then bucket. Bucket ``i``
        holds the reviews whose interval before the review (``before_interval``) is above ``longest[i - 1]``
        and at most ``longest[i]``; the last bound may be None (no upper end). Rows without an interval
        are left out. Read from ``outcome_tally``.
        """
        with self._reading() as db:
            return store_statistics.review_outcomes(db, longest, deck_id=deck_id)

    def answers_by_card(
        self, periods: Sequence[tuple[date, date]], *, deck_id: str | None = None
    ) -> list[tuple[str, str, int, str | None, str | None, int]]:
        """Effective answers of every kind per card in each period (its first and last study day), by
        verdict and mistake id: ``(deck id, card id, period, verdict, mistake id, count)`` for each
        combination with any, ``period`` being its index in ``periods``; in no set order. Read from
        ``card_day_tally``."""
        with self._reading() as db:
            return store_statistics.answers_by_card(db, periods, deck_id=deck_id)

    def last_day_without_answers(self, before: date, deck_id: str | None = None) -> date:
        """The latest study day before ``before`` with no effective answer (of ``deck_id``, if given)."""
        with self._reading() as db:
            return store_statistics.last_day_without_answers(db, before, deck_id)

    # --- maintenance (studycards doctor) -----------------------------------------------------------------

    def cards_from_log(self) -> list[ScheduledCard]:
        """Every card's schedule recomputed by replaying the effective log through SM-2."""
        with self._reading() as db:
            return review_log.replay(db)

    def learning_from_log(self, today: date | None = None) -> list[LearningCard]:
        """The learning cards of ``today`` recomputed the slow way, for ``studycards doctor``: every
        effective row of the log read in order, with each card's schedule replayed from it (not read
        from the cards table), so it shares neither query nor index with ``learning_cards``."""
        day = today or self.today()
        with self._reading() as db:
            return store_doctor.learning_from_log(db, day)

    def reviews_after(self, today: date | None = None) -> int:
        """Log rows dated on a study day after ``today``: made while the clock was ahead (or in another
        time zone). They cannot count for today, so ``studycards doctor`` points them out."""
        day = today or self.today()
        with self._reading() as db:
            return store_doctor.reviews_after(db, day)

    def differences_from_log(self) -> list[str]:
        """``deck/card`` of every card whose stored schedule differs from the replayed log."""
        with self._reading() as db:
            return store_doctor.differences_from_log(db)

    def tally_differences(self) -> list[str]:
        """Where the statistics' tallies differ from a recount of the effective log (``day 2025-06-01 cnn:
        3 tallied, 4 in the log``); empty when they agree, as the triggers keep them."""
        with self._reading() as db:
            return store_doctor.tally_differences(db)

    def coverage_differences(self, catalogue: Mapping[str, Sequence[str]]) -> tuple[list[str], int]:
        """Where the kept deck coverage (each deck's count of scheduled cards, for ``due_summary``) differs
        from a recount, for the decks of ``catalogue`` whose list it was kept for; and how many rows were
        checked. Empty when they agree, as the triggers keep them."""
        with self._reading() as db:
            return store_coverage.differences(db, catalogue)

    def rebuild_cards(self) -> int:
        """Replace the cards table with the schedule replayed from the log, refill the statistics' tallies
        from it and drop the kept deck coverage; returns the number of cards."""
        with self._writing() as db:
            self._catalogue_memo.forget()  # the cards change with no log row to say so
            return store_doctor.rebuild_cards(db)

    def integrity_problems(self, limit: int = 10) -> list[str]:
        """SQLite's own integrity check; an empty list means the file is sound."""
        with self._reading() as db:
            return store_doctor.integrity_problems(db, limit)

    def counts(self) -> dict[str, int]:
        """Rows in the log (all, undo rows, undone reviews) and scheduled cards, for a health report."""
        with self._reading() as db:
            return store_doctor.counts(db)

    # --- transactions ---------------------------------------------------------------------------------

    @contextmanager
    def _reading(self, *, may_keep: bool = False) -> Iterator[sqlite3.Connection]:
        """A read transaction: several queries see one consistent snapshot. With ``may_keep``, the reads may
        also have written what they derived (``store_coverage.keep``): if that commit fails, the writes are
        rolled back instead of raising, since nothing the caller read depends on them."""
        with self._lock, as_store_errors(self.path):
            db = self._connection
            db.execute("BEGIN")
            try:
                yield db
            finally:
                if db.in_transaction:
                    if may_keep:
                        _commit_or_drop(db)
                    else:
                        db.execute("COMMIT")

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front (``BEGIN IMMEDIATE``), so it waits for
        another writer instead of failing on a lock upgrade; rolled back on any error."""
        with self._lock, as_store_errors(self.path):
            db = self._connection
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


def _commit_or_drop(db: sqlite3.Connection) -> None:
    """Commit a read transaction that may have kept derived rows; if the commit fails (a full disk, an I/O
    error), roll them back: they are only ever a shortcut, and the answer already read stands."""
    try:
        db.execute("COMMIT")
    except sqlite3.Error:
        try:
            if db.in_transaction:
                db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite has already ended the transaction
