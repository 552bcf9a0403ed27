"""What a file was read into, remembered until the file changes.

Reading and validating a deck (TOML, then every formula and layer spec) takes tens of milliseconds, and
the Python API's ``grade(ref, seed, text)`` needs its deck on every call. ``FileMemo`` keeps one result
per file path, keyed on the file's ``(st_mtime_ns, st_size)``: an unchanged file is not read again, and a
file edited in an editor (new mtime, usually a new size) is read afresh on the next call. A broken deck's
outcome (its error) is a result like any other: not re-parsed either, and retried once the file changes.
"""

from __future__ import annotations

import fnmatch
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

Result = TypeVar("Result")


class FileMemo(Generic[Result]):
    """``read(path)``, remembered per path until the file's mtime or size changes."""

    def __init__(self, read: Callable[[Path], Result]) -> None:
        self._read = read
        self._known: dict[Path, tuple[tuple[int, int], Result]] = {}
        self._lock = threading.Lock()

    def __call__(self, path: Path) -> Result:
        try:
            stat = os.stat(path)
        except OSError:
            return self._read(path)  # missing or unreadable: the reader says so in its own words
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            known = self._known.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        outcome = self._read(path)
        with self._lock:
            self._known[path] = (stamp, outcome)
        return outcome

    def forget(self) -> None:
        """Drop everything remembered (tests that rewrite a file within one mtime tick use this)."""
        with self._lock:
            self._known.clear()


_LISTINGS: dict[tuple[Path, str], tuple[int, tuple[str, ...]]] = {}


def names_in(folder: Path, pattern: str) -> tuple[str, ...]:
    """The sorted names in ``folder`` that match ``pattern`` as ``folder.glob(pattern)`` would (empty when
    there is no such folder), remembered until the folder's mtime changes, which adding, removing or
    renaming a file in it does. Names, not paths: a folder of 100,000 files lists in a tenth of the time."""
    try:
        stamp = os.stat(folder).st_mtime_ns
    except OSError:
        return ()
    known = _LISTINGS.get((folder, pattern))
    if known is not None and known[0] == stamp:
        return known[1]
    try:
        names = tuple(sorted(name for name in os.listdir(folder) if fnmatch.fnmatchcase(name, pattern)))
    except OSError:  # not a folder, or not readable
        names = ()
    _LISTINGS[(folder, pattern)] = (stamp, names)
    return names


def listing(folder: Path, pattern: str, limit: int | None = None) -> list[Path]:
    """``sorted(folder.glob(pattern))``, the first ``limit`` of them when given (see ``names_in``)."""
    return [folder / name for name in names_in(folder, pattern)[:limit]]
