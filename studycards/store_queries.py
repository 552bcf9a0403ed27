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
Every function here reads inside a transaction its caller holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from studycards import sm2
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
    seen = _stored_card_ids(db, deck_id)
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
    db: sqlite3.Connection, catalogue: Mapping[str, Sequence[str]], day: date, per_day: int
) -> list[DeckToday]:
    """One ``DeckToday`` per deck of ``catalogue``, in its order, for ``day`` with ``per_day`` new cards."""
    decks = _card_sets(catalogue)
    learning_counts: dict[str, int] = {}
    for learning in _learning(db, day):
        if learning.card_id in decks.get(learning.deck_id, ()):
            learning_counts[learning.deck_id] = learning_counts.get(learning.deck_id, 0) + 1
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
        left = max(0, per_day - new_done.get(deck_id, 0))
        # Cards stored for the deck but gone from it (orphans) can only make more of it unseen, so the exact
        # count is needed only when this lower bound falls short of today's allowance.
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

