"""Each deck's count of scheduled cards, kept in the store file (``deck_coverage``) between processes.

``due_summary`` needs, per deck, how many of the catalogue's card ids have a schedule: the rest are new.
Counting means checking every card id of every deck against the cards table (about 30 ms over 100,000
cards), and ``studycards due`` is a new process each time, so an in-memory memo never helps it. The count
is therefore kept in the file, with what it was counted from: the digest and length of the deck's list.

Why a kept row can be trusted (``store_schema.COVERAGE_STATEMENTS``): triggers delete a deck's row in the
same transaction as anything that adds, deletes or re-keys a cards row of the deck (a first review, its
undo, a rebuild, another terminal, a hand edit), and a row is written only inside the read transaction it
was counted in (``keep``), so it can never describe an older cards table than the one committed. A row
is used only while the list's digest and length are the same, so a renamed, added, removed or reordered
card makes its deck count again. ``doctor`` recounts every row whose list it knows (``differences``).

Writing happens during a read command, so it is best effort: a locked, busy or read-only file keeps its
rows as they were and the caller's answer, counted anyway, stands. It never touches the log or the cards.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SEPARATOR = "\x1f"  # the unit separator: deck files' card ids never hold it


@dataclass(frozen=True)
class KeptCoverage:
    """One ``deck_coverage`` row: ``scheduled`` of the deck's list (``listed_digest``, ``listed_count``)
    have a schedule."""

    deck_id: str
    listed_digest: str
    listed_count: int
    scheduled: int


def listed_digest(card_ids: Sequence[str]) -> str | None:
    """The sha256 of the ids joined by the unit separator, in their order (about 1 ms over 100,000 ids);
    None when an id holds the separator, as no caller's ids should, since two lists could then join alike."""
    joined = SEPARATOR.join(card_ids)
    if joined.count(SEPARATOR) != max(0, len(card_ids) - 1):
        return None
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()


def kept(db: sqlite3.Connection) -> dict[str, KeptCoverage]:
    """Every kept row, by deck id (a row per deck ever counted: a few dozen)."""
    return {
        row[0]: KeptCoverage(*row)
        for row in db.execute("SELECT deck_id, listed_digest, listed_count, scheduled FROM deck_coverage")
    }


def keep(db: sqlite3.Connection, rows: Iterable[KeptCoverage]) -> bool:
    """Write ``rows`` (counted in the caller's read transaction) into that same transaction; whether they
    were written.

    The write lock is taken by upgrading the read transaction, which SQLite refuses at once, without the
    busy timeout's wait, when another connection holds the lock or has committed since the counts were
    read: the counts would then describe an older cards table, and are not kept. A read-only file, or any
    other failure, leaves the rows as they were. The caller commits (or ends) the transaction."""
    rows = list(rows)
    if not rows:
        return True
    try:
        db.execute("SAVEPOINT keep_coverage")
    except sqlite3.Error:
        return False
    try:
        db.executemany(
            "INSERT INTO deck_coverage VALUES (?, ?, ?, ?) ON CONFLICT (deck_id) DO UPDATE SET"
            " listed_digest = excluded.listed_digest, listed_count = excluded.listed_count,"
            " scheduled = excluded.scheduled",
            [(row.deck_id, row.listed_digest, row.listed_count, row.scheduled) for row in rows],
        )
    except sqlite3.Error:
        try:
            db.execute("ROLLBACK TO keep_coverage")
            db.execute("RELEASE keep_coverage")
        except sqlite3.Error:
            pass  # the transaction is gone: the caller's reads are done, and nothing was written
        return False
    db.execute("RELEASE keep_coverage")
    return True


def forget(db: sqlite3.Connection) -> None:
    """Delete every kept row (inside the caller's write transaction): for a rebuild."""
    db.execute("DELETE FROM deck_coverage")


def differences(db: sqlite3.Connection, catalogue: Mapping[str, Sequence[str]]) -> tuple[list[str], int]:
    """Kept rows that differ from a recount (``deck_coverage cnn: 5 of 12 kept, 4 recounted``), and how
    many rows were checked: those of ``catalogue``'s decks kept for the list the deck has now. A row kept
    for another list is never used while the list differs, so it is not checked.

    The recount reads the deck's cards one row at a time into a set, sharing no query with ``due_summary``."""
    found = []
    checked = 0
    rows = kept(db)
    for deck_id, card_ids in catalogue.items():
        row = rows.get(deck_id)
        if row is None or row.listed_digest != listed_digest(card_ids):
            continue
        checked += 1
        stored = {card_id for (card_id,) in db.execute("SELECT card_id FROM cards WHERE deck_id = ?", (deck_id,))}
        scheduled = len(set(card_ids) & stored)
        if (row.listed_count, row.scheduled) != (len(card_ids), scheduled):
            found.append(
                f"deck_coverage {deck_id}: {row.scheduled} of {row.listed_count} kept,"
                f" {scheduled} of {len(card_ids)} recounted"
            )
    return found, checked
