"""torch's readings kept on disk, so that a later process answers the same question without torch.

``show DECK --truth``, ``count NAME`` and the quiz's torch line each cost a fresh process ``import torch``
and torch's meta start-up (it imports ``torch._dynamo`` and sympy on the first Python meta kernel): two
or three seconds for a reading that takes milliseconds. What torch reads on meta depends only on what it
is given, so a reading is kept in ``<home>/cache/readings.sqlite3`` under a key made of exactly that
(the card's truth as written, the question's values and answer; or the spec and input of a count) plus a
fingerprint of the code that reads it: the installed torch's version file and every core module of
studycards. A new torch, a changed module or an edited card is a new key, never a stale answer.

``studycards check`` does not use this: it is the proof, so it asks torch every time. The cache is only
ever a shortcut: a file that cannot be read, written or parsed is worked around (a damaged one is
replaced), and nothing here raises. Errors are not kept; they are computed again and raised as before.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studycards.readings import Count, TruthResult, exact, plain

FILE_NAME = "readings.sqlite3"
MAX_READINGS = 20_000  # rows kept; the oldest written go first
MAX_READING_BYTES = 1_000_000  # a resnet152 count with every row is about 80 kB
PRUNE_EVERY = 500  # writes between prunes
_SCHEMA = "CREATE TABLE IF NOT EXISTS readings (key TEXT PRIMARY KEY, reading TEXT NOT NULL)"
_READ = "SELECT reading FROM readings WHERE key = ?"


class ReadingCache:
    """Readings under ``<home>/cache``: ``truth(question)`` and ``count(spec, input)`` give what
    ``ground_truth.truth_of`` and ``ground_truth.count`` would, from disk when this code already read it."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "cache" / FILE_NAME
        self._db: sqlite3.Connection | None = None
        self._unusable = False  # could not be opened or made: readings are then neither read nor kept
        self._lock = threading.Lock()  # the quiz reads torch lines from a background thread

    def truth(self, question: Any) -> TruthResult | None:
        """torch's verdict on ``question`` (None when its card has no torch truth)."""
        if question.card.truth is None:
            return None
        return self._kept_or_read(_key("truth", lambda: _truth_source(question)), TruthResult, _truth_of, question)

    def count(self, spec: str, input: str | None = None) -> Count:  # noqa: A002 - ground_truth.count's word
        """``ground_truth.count(spec, input)``: parameters, shapes and FLOPs of a spec or named network."""
        return self._kept_or_read(_key("count", lambda: [spec, input]), Count, _count, spec, input)

    def _kept_or_read(self, key: str | None, kind: type, read: Any, *args: Any) -> Any:
        """The reading kept under ``key``, else ``read(*args)`` (torch), kept for next time."""
        kept = self._get(key, kind)
        if kept is not None:
            return kept
        reading = read(*args)
        self._put(key, reading)
        return reading

    # --- the file --------------------------------------------------------------------------------------

    def _get(self, key: str | None, kind: type) -> Any:
        if key is None:
            return None
        try:
            row = self._use(False, lambda db: db.execute(_READ, (key,)).fetchone())
            reading = exact(json.loads(row[0])) if row is not None else None
        except (sqlite3.Error, ValueError, TypeError, RecursionError):
            return None
        return reading if isinstance(reading, kind) else None

    def _put(self, key: str | None, reading: Any) -> None:
        if key is None:
            return
        try:
            text = json.dumps(plain(reading), ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):  # a value with no plain form is not kept
            return
        if len(text) > MAX_READING_BYTES:
            return

        def keep(db: sqlite3.Connection) -> None:
            row = db.execute("INSERT OR REPLACE INTO readings (key, reading) VALUES (?, ?)", (key, text))
            if row.lastrowid is not None and row.lastrowid % PRUNE_EVERY == 0:
                db.execute("DELETE FROM readings WHERE rowid <= ?", (row.lastrowid - MAX_READINGS,))

        with contextlib.suppress(sqlite3.Error):
            self._use(True, keep)

    def _use(self, create: bool, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """``work(db)`` on the open file (None when there is no usable file). A file found damaged on the way
        ("database disk image is malformed") is dropped, to be made again by the next reading kept."""
        with self._lock:
            db = self._connection(create)
            if db is None:
                return None
            try:
                return work(db)
            except sqlite3.DatabaseError as error:
                if type(error) is sqlite3.DatabaseError:  # damage, not a lock or a full disk
                    self._drop_file()
                raise

    def _connection(self, create: bool) -> sqlite3.Connection | None:
        """The open file, created only when there is something to write; None when it cannot be used."""
        if self._db is not None or self._unusable:
            return self._db
        if not create and not self.path.is_file():
            return None
        for attempt in range(2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=0.2, isolation_level=None, check_same_thread=False)
                self._db.execute("PRAGMA synchronous = OFF")  # a reading lost in a crash is only read again
                self._db.execute(_SCHEMA)
                return self._db
            except sqlite3.OperationalError:  # locked, read-only, no room: leave the file as it is
                pass
            except sqlite3.DatabaseError:  # not a database (damaged): made again, once
                if attempt == 0 and self._drop_file():
                    continue
            except OSError:
                pass
            break
        self._close()
        self._unusable = True
        return None

    def _drop_file(self) -> bool:
        """Close and delete a damaged file (never through a symlink); whether it is gone."""
        self._close()
        if not self.path.is_file() or self.path.is_symlink():
            return False
        try:
            self.path.unlink()
        except OSError:
            return False
        return True

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _truth_of(question: Any) -> TruthResult | None:
    from studycards.ground_truth import truth_of  # imported only when torch must be asked

    return truth_of(question)


def _count(spec: str, input: str | None) -> Count:  # noqa: A002
    from studycards.ground_truth import count

    return count(spec, input)


def _key(kind: str, source: Any) -> str | None:
    """The row's key: a digest of the code's fingerprint, the kind and what torch is given; None when
    what torch is given has no plain form (then the reading is neither looked up nor kept)."""
    try:
        text = json.dumps([code_fingerprint(), kind, source()], sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(text.encode()).hexdigest()


def _truth_source(question: Any) -> list[Any]:
    """Everything a question's torch verdict depends on, besides the code: its card's truth as written,
    the card's tolerance, and the question's values and answer."""
    card, truth = question.card, question.card.truth

    def text(formula: Any) -> str | None:
        return formula if formula is None or isinstance(formula, str) else formula.text

    return [
        {name: text(spec) for name, spec in truth.layers.items()},
        {name: text(formula) for name, formula in truth.inputs.items()},
        text(truth.read),
        text(truth.holds),
        truth.note,
        plain(card.tolerance),
        {name: plain(value) for name, value in question.values.items()},
        plain(question.answer),
    ]


@functools.cache
def code_fingerprint() -> str:
    """A digest of the code that makes readings: torch's version file and studycards' core modules
    (every ``.py`` beside this one; the CLI and TUI only show readings)."""
    digest = hashlib.sha256()
    torch_dir = _torch_dir()
    for path in [torch_dir / "version.py" if torch_dir else None, *sorted(Path(__file__).parent.glob("*.py"))]:
        if path is None:
            continue
        digest.update(path.name.encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _torch_dir() -> Path | None:
    torch = sys.modules.get("torch")
    origin = getattr(torch, "__file__", None) if torch is not None else None
    if origin is None:
        spec = importlib.util.find_spec("torch")
        origin = spec.origin if spec is not None else None
    return Path(origin).parent if origin else None
