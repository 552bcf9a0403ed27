"""What is due on a study day: the cards due, the new cards a deck may introduce, the learning cards, and
the per-deck summary ``studycards due`` and the home screen print.

Learning cards are derived from the log, and never stored: a card is **learning** on a study day when its
last effective answer that day (of any kind: new, review, re-drill or practice) was graded below 4
(``sm2.REDRILL_BELOW``), it has a schedule, and it is not due that day (a due card is asked as a scheduled
review, which comes first). So a card failed today comes back today in any later session, in any
terminal, until it is answered with 4 or 5; an undo of that answer brings back whatever came before it.
``learning_cards`` reads only the day's rows, through ``review_log_day``; ``store_doctor.learning_from_log``
recomputes the same set by replaying the whole log, for ``studycards doctor``.

A ``catalogue`` (``{deck id: [card ids in deck order]}``) says which cards the decks still hold: a card
whose template was renamed or removed keeps its rows and state but is not scheduled while it is missing.
How many of a deck's cards are new is counted exactly, id by id, and kept between calls by a
``CatalogueMemo`` (its docstring says when a count is counted again), and between processes in the store
file (``store_coverage``).
Every function here reads inside a transaction its caller holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from studycards import sm2, store_coverage
from studycards.review_log import ScheduledCard, scheduled_card


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


def card(db: sqlite3.Connection, deck_id: str, card_id: str) -> ScheduledCard | None:
    """The card's schedule, or None if it has never been reviewed (or its first review was undone)."""
    row = db.execute("SELECT * FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)).fetchone()
    return None if row is None else scheduled_card(row)


def cards(db: sqlite3.Connection) -> list[ScheduledCard]:
    """Every card the store has a schedule for, ordered by deck and card id."""
    return [scheduled_card(row) for row in db.execute("SELECT * FROM cards ORDER BY deck_id, card_id")]


def due_cards(
    db: sqlite3.Connection, day: date, deck: str | None, catalogue: Mapping[str, Sequence[str]] | None
) -> list[ScheduledCard]:
    """Cards due on ``day``, most overdue first; of ``deck`` only, if given, and listed in ``catalogue``,
    if given."""
    if deck is None:
        rows = db.execute(
            "SELECT * FROM cards WHERE due <= ? ORDER BY due, deck_id, card_id", (day.isoformat(),)
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT * FROM cards WHERE deck_id = ? AND due <= ? ORDER BY due, card_id", (deck, day.isoformat())
        ).fetchall()
    due = [scheduled_card(row) for row in rows]
    if catalogue is None:
        return due
    decks = _card_sets(catalogue)
    return [card for card in due if card.card_id in decks.get(card.deck_id, ())]


def new_cards_left(db: sqlite3.Connection, deck_id: str, day: date, per_day: int) -> int:
    """How many more new cards ``deck_id`` may introduce on ``day``: ``per_day`` minus those introduced."""
    return max(0, per_day - _new_done(db, day).get(deck_id, 0))


def new_cards(db: sqlite3.Connection, deck_id: str, card_ids: Sequence[str], day: date, per_day: int) -> list[str]:
    """The card ids (from ``card_ids``, in deck order) to introduce on ``day``: never reviewed before, at
    most the day's remaining allowance of ``per_day`` new cards for the deck."""
    left = new_cards_left(db, deck_id, day, per_day)
    seen = set(_stored_card_ids(db, deck_id))
    unseen = [card_id for card_id in dict.fromkeys(card_ids) if card_id not in seen]
    return unseen[:left]


def learning_cards(
    db: sqlite3.Connection, day: date, deck: str | None, catalogue: Mapping[str, Sequence[str]] | None
) -> list[LearningCard]:
    """Cards learning on ``day``, in the order they were failed; narrowed as for ``due_cards``."""
    decks = None if catalogue is None else _card_sets(catalogue)
    return [
        card
        for card in _learning(db, day)
        if (deck is None or card.deck_id == deck) and (decks is None or card.card_id in decks.get(card.deck_id, ()))
    ]


def due_summary(
    db: sqlite3.Connection,
    catalogue: Mapping[str, Sequence[str]],
    day: date,
    per_day: int,
    memo: CatalogueMemo | None = None,
) -> list[DeckToday]:
    """One ``DeckToday`` per deck of ``catalogue``, in its order, for ``day`` with ``per_day`` new cards.

    ``memo`` keeps what this costs most (how many of each deck's cards have a schedule) between calls on
    one connection; without one, it is counted afresh."""
    decks = (memo if memo is not None else CatalogueMemo()).coverage(db, catalogue)
    learning_counts: dict[str, int] = {}
    for learning in _learning(db, day):
        deck = decks.get(learning.deck_id)
        if deck is not None and learning.card_id in deck.card_ids:
            learning_counts[learning.deck_id] = learning_counts.get(learning.deck_id, 0) + 1
    due_counts: dict[str, int] = {}
    for deck_id, card_id in db.execute("SELECT deck_id, card_id FROM cards WHERE due <= ?", (day.isoformat(),)):
        deck = decks.get(deck_id)
        if deck is not None and card_id in deck.card_ids:
            due_counts[deck_id] = due_counts.get(deck_id, 0) + 1
    new_done = _new_done(db, day)
    reviewed = dict(
        db.execute(
            "SELECT deck_id, COUNT(*) FROM effective_reviews WHERE study_day = ?"
            " AND kind IN ('new', 'review') GROUP BY deck_id",
            (day.isoformat(),),
        ).fetchall()
    )
    return [
        DeckToday(
            deck=deck_id,
            due=due_counts.get(deck_id, 0),
            new=min(len(deck.card_ids) - deck.scheduled, max(0, per_day - new_done.get(deck_id, 0))),
            reviewed_today=reviewed.get(deck_id, 0),
            learning=learning_counts.get(deck_id, 0),
        )
        for deck_id, deck in decks.items()
    ]


@dataclass(frozen=True)
class DeckCoverage:
    """How much of a catalogue deck the store has scheduled: its card ids, and how many of them have a
    schedule (the rest are new). ``listed`` is the catalogue's list as it was when they were counted."""

    listed: tuple[str, ...]
    card_ids: frozenset[str]
    scheduled: int


class CatalogueMemo:
    """Each deck's ``DeckCoverage``, kept between calls on one connection, because counting it is most of
    ``due_summary``'s work: every card id of the deck is checked against the store (2,000 for a mature deck,
    100,000 over a large collection), yet the count only changes when the deck's list does or the deck's
    cards gain or lose a schedule.

    A deck's cards gain or lose a schedule only in the transaction that appends a log row of that deck (a
    first review, or the undo of one); ``doctor`` proves the cards table against the log. So a deck's count is
    kept while its list equals the one it was counted from and the log holds no row of the deck after the
    last row seen. A commit by another connection (``PRAGMA data_version``: another terminal's
    reviews, a rebuild, a hand edit) drops them all; so does ``forget()``, for a rebuild on this one.

    A deck the memo does not know (every deck, on a connection's first call, which is all ``studycards
    due`` makes) takes its count from the store file's ``deck_coverage`` when a row there was counted from
    the same list (``store_coverage`` says why such a row is right); the decks counted afresh are written
    back there, best effort, for the next process.
    """

    def __init__(self) -> None:
        self._decks: dict[str, DeckCoverage] = {}
        self._data_version: int | None = None
        self._log_end = 0

    def forget(self) -> None:
        """Drop every deck's coverage (the cards table was rewritten without a log row saying so)."""
        self._decks.clear()
        self._data_version = None

    def coverage(self, db: sqlite3.Connection, catalogue: Mapping[str, Sequence[str]]) -> dict[str, DeckCoverage]:
        """Each deck of ``catalogue``, in its order, with its coverage, counted again only where it may have
        changed. Reads inside the caller's transaction, so the counts and the log rows seen agree."""
        self._follow_log(db)
        unknown = {}
        for deck_id, card_ids in catalogue.items():
            listed = tuple(card_ids)
            known = self._decks.get(deck_id)
            if known is None or known.listed != listed:
                unknown[deck_id] = listed
        if unknown:
            self._decks.update(_coverage_from_store(db, unknown))
        return {deck_id: self._decks[deck_id] for deck_id in catalogue}

    def _follow_log(self, db: sqlite3.Connection) -> None:
        """Drop the coverage of decks the log has gained rows for since the last call (of all decks after
        another connection's commit), and note where the log ends now."""
        data_version = db.execute("PRAGMA data_version").fetchone()[0]
        log_end = db.execute("SELECT coalesce(MAX(id), 0) FROM review_log").fetchone()[0]
        if data_version != self._data_version or log_end < self._log_end:
            self._decks.clear()
        elif log_end > self._log_end:
            for (deck_id,) in db.execute("SELECT DISTINCT deck_id FROM review_log WHERE id > ?", (self._log_end,)):
                self._decks.pop(deck_id, None)
        self._data_version, self._log_end = data_version, log_end


def _coverage_from_store(db: sqlite3.Connection, lists: Mapping[str, tuple[str, ...]]) -> dict[str, DeckCoverage]:
    """Each deck's coverage of its list: kept in ``deck_coverage`` for the same list, else counted id by id
    against the cards table and kept there (best effort) for the next process."""
    kept = store_coverage.kept(db)
    coverage = {}
    counted = []
    for deck_id, listed in lists.items():
        distinct = frozenset(listed)
        digest = store_coverage.listed_digest(listed)
        row = kept.get(deck_id)
        if digest is not None and row is not None and (row.listed_digest, row.listed_count) == (digest, len(listed)):
            scheduled = row.scheduled
        else:
            scheduled = len(distinct.intersection(_stored_card_ids(db, deck_id)))
            if digest is not None:
                counted.append(store_coverage.KeptCoverage(deck_id, digest, len(listed), scheduled))
        coverage[deck_id] = DeckCoverage(listed, distinct, scheduled)
    store_coverage.keep(db, counted)
    return coverage


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


def _stored_card_ids(db: sqlite3.Connection, deck_id: str) -> list[str]:
    """The ids of the deck's cards that have a schedule, each once. A mature deck has thousands: SQLite joins
    them into one text (ids never hold the unit separator, U+001F, unless a caller made them so), which
    Python splits in one call, instead of building a row object for each."""
    joined = db.execute("SELECT group_concat(card_id, char(31)), COUNT(*) FROM cards WHERE deck_id = ?", (deck_id,))
    text, count = joined.fetchone()
    if not count:
        return []
    if text.count("\x1f") == count - 1:
        return text.split("\x1f")
    # an id held the separator: read them one by one
    return [row[0] for row in db.execute("SELECT card_id FROM cards WHERE deck_id = ?", (deck_id,))]


def _card_sets(catalogue: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    return {deck_id: frozenset(card_ids) for deck_id, card_ids in catalogue.items()}
