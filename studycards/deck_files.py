"""Reading a deck file's bytes when the file may come from anyone: regular files only, never blocking,
never more than the size limit.

A ``*.toml`` in the decks folder may be a FIFO (opening it for reading would wait forever for a
writer), a symlink to ``/dev/zero`` (endless), or simply far too large. The file is opened without
blocking, the *opened* descriptor is checked (so a file swapped between a check and the open cannot slip
through), and at most ``limit + 1`` bytes are read: enough to know the file is too big, never more.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

_READ_CHUNK = 1 << 16
MAX_KEY_PARTS = 64
# A dotted key (``a.b.c``, possibly quoted parts, in a table header or not) with more than MAX_KEY_PARTS
# parts. tomllib's memory grows with the square of a key's length (a 200 kB key needs tens of GB), so such
# a file is refused before it is parsed. Atomic groups keep the scan linear.
_DEEP_KEY = re.compile(
    r"(?>(?>[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')[ \t]*\.[ \t]*){" + str(MAX_KEY_PARTS) + ",}"
)


class NotADeckFile(Exception):
    """The path cannot be read as a deck file; the message says why, in a few words."""


def read_deck_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, if it is a regular file (or a symlink to one) of at most ``limit`` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise NotADeckFile(f"cannot read the file ({error.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotADeckFile(f"not a regular file (it is {_kind(info.st_mode)}), so it is not read")
        if info.st_size > limit:
            raise NotADeckFile(f"the file is larger than {limit:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew after fstat
            raise NotADeckFile(f"the file is larger than {limit:,} bytes")
        return b"".join(chunks)
    except OSError as error:
        raise NotADeckFile(f"cannot read the file ({error.strerror})") from None
    finally:
        os.close(fd)


def deep_key(text: str) -> bool:
    """Whether ``text`` holds a dotted key too long for the TOML reader to take in bounded memory."""
    return _DEEP_KEY.search(text) is not None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something else"
