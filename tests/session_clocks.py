"""The two clocks a quiz session reads, moved by hand in tests: the store's wall clock (which study day it
is) and the session's monotonic clock (how long an answer took)."""

from __future__ import annotations

from datetime import datetime


class Clocks:
    """``wall`` for ``Store(now=...)``, ``monotonic`` for ``QuizSession(clock=...)``; set ``now`` and
    ``seconds`` to move them."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.seconds = 1000.0

    def wall(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.seconds
