"""Bounds on what proving one question may cost: memory computed before anything is allocated, and time.

A deck's truth is written by whoever shared the deck, so ``attention_scale(16384, 1)`` or an LSTM over
20,000 steps must fail as a deck error, not take the machine. Memory is bounded up front: each CPU truth
function (``studycards.truth_compute``) computes what it would allocate from its arguments and refuses
past ``MAX_COMPUTE_BYTES``. Time is bounded by a deadline per truth, kept per thread (the TUI proves truths in a
worker thread, where a signal alarm cannot reach) and checked before each layer runs, each CPU truth
function, and each truth layer measured. Within one layer the work is bounded by its size: recurrent
layers run a short sequence (``studycards.short_sequence``), and CPU functions are bounded in memory. The
deadline is generous: the bundled decks' slowest truth takes well under a second.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

from studycards.errors import FormulaError

MAX_COMPUTE_BYTES = 64 * 2**20
MAX_TRUTH_SECONDS = 20.0  # a cold first truth (torch warming up) takes ~2 s; a busy CI machine several times that

_local = threading.local()


class TruthTooCostly(FormulaError):
    """A truth would use more memory or time than a truth may: a deck error, never torch's refusal."""


class TruthOutOfTime(TruthTooCostly):
    """A truth ran past its deadline: slow at one seed, most likely slow at all of them."""


def require_bytes(needed: int, what: str) -> None:
    """Refuse a CPU computation that would allocate more than ``MAX_COMPUTE_BYTES``."""
    if needed > MAX_COMPUTE_BYTES:
        raise TruthTooCostly(
            f"{what} would need {_size(needed)} of memory; a truth may use at most {_size(MAX_COMPUTE_BYTES)}"
        )


def check_deadline() -> None:
    """Raise if the truth being proved in this thread has run past its deadline."""
    deadline = getattr(_local, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        _local.deadline = None  # raised once: what runs after (error reporting) is not cut short
        raise TruthOutOfTime(f"proving it took more than {MAX_TRUTH_SECONDS:g} s, the most a truth may take")


@contextlib.contextmanager
def truth_deadline(seconds: float | None = None) -> Iterator[None]:
    """Bound the time of the truth proved in this block (in this thread) to ``seconds``: layers check it
    as they start (``deadline_hook``), CPU computations before they run."""
    ends = time.monotonic() + (MAX_TRUTH_SECONDS if seconds is None else seconds)
    outer = getattr(_local, "deadline", None)
    _local.deadline = ends if outer is None else min(outer, ends)
    try:
        yield
    finally:
        _local.deadline = outer


def deadline_hook(_module: Any, _inputs: Any) -> None:
    """A forward pre-hook: every layer, however deeply nested, checks the deadline before it runs."""
    check_deadline()


def _size(count: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if count >= scale:
            return f"{count / scale:,.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"
