"""SM-2 scheduling, exactly as in Wozniak's description; pure, no I/O (storage is the store's job).

A card's state is ``Sm2State(repetitions, easiness, interval)``; ``review(state, quality)`` returns the
next state for a grade ``quality`` from 0 (blackout) to 5 (perfect):

* quality >= 3 (a pass): the interval becomes 1 if ``repetitions`` was 0, 6 if it was 1, otherwise
  ``ceil(interval * easiness)`` using the easiness from *before* this review; ``repetitions`` grows by 1;
  then ``easiness <- max(1.3, easiness + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))``.
* quality < 3 (a lapse): ``repetitions <- 0`` and ``interval <- 1``; easiness is unchanged ("start
  repetitions from the beginning without changing the E-Factor").
* Same day, after the session, cards graded below 4 are asked again until they score >= 4
  (``needs_redrill``). Those re-drills are logged but never passed to ``review``: they do not change
  the state.

So q = 4, 4, 4, 4 gives intervals 1, 6, 15, 38 (easiness stays 2.5: q = 4 adds 0.1 - 0.1); q = 5, 5, 5
gives 1, 6, 17 (easiness 2.6, then 2.7 when ceil(6 x 2.7) is taken); q = 5, 5, 2, 4 gives 1, 6, 1, 1
with easiness 2.7 kept through the lapse.

Floating point: easiness is a decimal with at most ``EASINESS_DIGITS`` (6) places. It is stored as a
float for convenience, but every computation reads it back as the exact decimal it stands for (a
``Fraction``), does the arithmetic exactly, and rounds the new easiness to 6 places. So 2.5 + 0.1 + 0.1
is exactly 2.7, and ``ceil(25 x 2.2)`` is 55 where floats give 55.00000000000001 and a ceil of 56.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

MIN_EASINESS = Fraction(13, 10)
EASINESS_DIGITS = 6
QUALITIES = range(0, 6)
PASSING_QUALITY = 3  # quality >= 3 moves the card on; below restarts its repetitions
REDRILL_BELOW = 4  # same-day re-drills go on until the card scores at least this


@dataclass(frozen=True)
class Sm2State:
    """Where a card stands: successful reviews in a row, its E-Factor, and the last interval in days."""

    repetitions: int = 0
    easiness: float = 2.5
    interval: int = 0


def review(state: Sm2State, quality: int) -> Sm2State:
    """The state after grading a review of a card in ``state`` with ``quality`` (an int 0-5)."""
    check_quality(quality)
    if quality < PASSING_QUALITY:
        return Sm2State(repetitions=0, easiness=state.easiness, interval=1)
    easiness = exact_easiness(state.easiness)
    if state.repetitions == 0:
        interval = 1
    elif state.repetitions == 1:
        interval = 6
    else:
        interval = math.ceil(state.interval * easiness)
    miss = 5 - quality
    new_easiness = max(MIN_EASINESS, easiness + Fraction(1, 10) - miss * (Fraction(8, 100) + miss * Fraction(2, 100)))
    return Sm2State(
        repetitions=state.repetitions + 1,
        easiness=float(round(new_easiness, EASINESS_DIGITS)),
        interval=interval,
    )


def needs_redrill(quality: int) -> bool:
    """Whether a card graded ``quality`` must be asked again before the session ends."""
    check_quality(quality)
    return quality < REDRILL_BELOW


def exact_easiness(easiness: float) -> Fraction:
    """The decimal (6 places) a stored easiness stands for, as an exact fraction."""
    scale = 10**EASINESS_DIGITS
    return Fraction(round(Fraction(easiness) * scale), scale)


def check_quality(quality: object) -> None:
    if isinstance(quality, bool) or not isinstance(quality, int):
        raise TypeError(f"quality must be an int from 0 to 5, not {type(quality).__name__}")
    if quality not in QUALITIES:
        raise ValueError(f"quality must be from 0 to 5, not {quality}")
