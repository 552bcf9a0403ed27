"""The store's file: the SQLite schema, the statistics' tallies, and opening a data home's database safely.

Two tables matter. ``review_log`` is append-only (triggers refuse UPDATE and DELETE): one row per review
(``review_log.py`` says what a row holds and how undo works without editing it). ``cards`` holds each
card's current SM-2 state and due day, derived from the log. The ``effective_reviews`` view is the log
without undo rows and the reviews they cancel. Triggers keep the statistics' tallies (below) in the same
transaction as the review that changes them.

Safety: WAL and a busy timeout, so a killed process loses nothing it committed and two terminals wait for
each other instead of failing with "database is locked" (``Store`` takes one ``BEGIN IMMEDIATE``
transaction per review). A new database is built under a temporary name and linked into place, so the
real path never holds a half-made file. An existing file is checked before anything is written to it: an
empty, damaged or foreign file, or a schema newer than this code, raises ``StoreError`` naming the file,
and the file is left byte-identical. A file of an older schema (1 or 2) is upgraded in place, in one
transaction.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from studycards.errors import StoreError
from studycards.review_log import KINDS, VERDICTS

DB_FILE = "studycards.db"
SCHEMA_VERSION = 3  # 2 added the tallies, 3 the kept deck coverage; older files are upgraded in place when opened
APPLICATION_ID = 0x53435244  # "SCRD" in the SQLite header: tells our files from other SQLite files
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 30.0


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
# Each deck's count of scheduled cards, kept for ``due_summary`` (``store_coverage`` says how it is read and
# written): the first ``studycards due`` of a process would otherwise check every card id of every deck
# against the cards table. A row holds the count for one list of the deck's card ids (its digest and
# length), and is trusted only while the list is the same. Whatever adds, deletes or re-keys a row of
# ``cards`` (a first review, the undo of one, a rebuild, a hand edit) deletes its deck's row in the same
# transaction, so a row that is there counts the cards table as it is. ``doctor`` recounts the rows.
COVERAGE_STATEMENTS = (
    """CREATE TABLE deck_coverage (
    deck_id TEXT PRIMARY KEY,
    listed_digest TEXT NOT NULL,  -- sha256 of the list's card ids joined by U+001F, in their order
    listed_count INTEGER NOT NULL,  -- ids in the list, repeats included
    scheduled INTEGER NOT NULL  -- distinct ids of the list with a row in cards
) WITHOUT ROWID""",
    """CREATE TRIGGER cards_insert_uncovers AFTER INSERT ON cards
BEGIN
    DELETE FROM deck_coverage WHERE deck_id = NEW.deck_id;
END""",
    """CREATE TRIGGER cards_delete_uncovers AFTER DELETE ON cards
BEGIN
    DELETE FROM deck_coverage WHERE deck_id = OLD.deck_id;
END""",
    """CREATE TRIGGER cards_rekey_uncovers AFTER UPDATE OF deck_id, card_id ON cards
BEGIN
    DELETE FROM deck_coverage WHERE deck_id IN (OLD.deck_id, NEW.deck_id);
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
# From schema 2: the kept deck coverage, empty (``due_summary`` fills it as it counts).
UPGRADE_FROM_2 = COVERAGE_STATEMENTS
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


def database_path(home: str | os.PathLike[str]) -> Path:
    """Where a data home keeps its review store."""
    return Path(home) / DB_FILE


def open_database(path: Path) -> sqlite3.Connection:
    """Connect to the database at ``path``, creating it if there is none; refuse anything not ours."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"{path.parent}: cannot create the data folder ({error.strerror})") from None
    if not path.exists():
        _create_database(path)
    _check_header(path)
    with as_store_errors(path):
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
    try:
        with as_store_errors(path):
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
        with as_store_errors(path):
            db = sqlite3.connect(temporary, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(
                    f"PRAGMA application_id = {APPLICATION_ID}; BEGIN; {SCHEMA}"
                    + "".join(f"{statement};\n" for statement in (*TALLY_STATEMENTS, *COVERAGE_STATEMENTS))
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
    """Bring a file of an older schema up to this one in one transaction, a step per version: from 1,
    reshape two indexes and add the tallies, filled from its log; from 2, add the (empty) deck coverage.
    Nothing of the log or the schedules changes; a failure leaves the file as it was."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have just upgraded it
        if version == 1:
            for statement in UPGRADE_FROM_1:
                db.execute(statement)
            fill_tallies(db)
        if version in (1, 2):
            for statement in UPGRADE_FROM_2:
                db.execute(statement)
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def fill_tallies(db: sqlite3.Connection) -> None:
    """Refill the tallies from the effective log (inside the caller's write transaction)."""
    db.execute("DELETE FROM day_tally")
    db.execute("DELETE FROM card_day_tally")
    db.execute("DELETE FROM outcome_tally")
    db.execute(f"INSERT INTO day_tally {DAY_TALLY_FROM_LOG}")
    db.execute(f"INSERT INTO card_day_tally {CARD_DAY_TALLY_FROM_LOG}")
    db.execute(f"INSERT INTO outcome_tally {OUTCOME_TALLY_FROM_LOG}")


@contextmanager
def as_store_errors(path: Path) -> Iterator[None]:
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

