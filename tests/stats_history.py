"""Review histories for the statistics tests, made through the store's public API with a fixed clock.

``small_history`` is a week of two cards whose every statistic is worked out by hand in its docstring;
``year_history`` is a year of a simulated learner, with a ledger of every effective answer kept by the
test itself, so the expected numbers can be counted from the ledger without the code under test.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from studycards.config import Config
from studycards.store import Store


class Clock:
    """A settable local wall clock (naive datetimes are local time to the store)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def on(self, day: date, hour: int = 18) -> None:
        self.moment = datetime.combine(day, datetime.min.time()).replace(hour=hour)


SMALL_START = date(2024, 3, 1)
SMALL_TODAY = SMALL_START + timedelta(days=20)  # 2024-03-21
# The day-7 padding-once answer: conv-output-size's question for seed 3 (i 25, k 7, s 1, p 3), answered
# with the padding counted once, (25 − 7 + 3)/1 + 1 = 22 (the right answer is 25).
SMALL_SEED = 3
SMALL_ANSWER = "22"


# The anticipated mistakes each simulated miss is drawn from (ids from decks/cnn.toml).
MISTAKE_IDS = {
    "conv-output-size": ("forgot-plus-one", "padding-once"),
    "conv-params": ("forgot-bias", "forgot-input-channels"),
    "pool-output-shape": ("just-halved",),
    "receptive-field": ("summed-kernels", "multiplied"),
    "same-padding": ("both-sides-total",),
    "conv-output-floor": ("rounded-up",),
}


def small_history(home: Path) -> None:
    """Two cnn cards over a week, then nothing until SMALL_TODAY (day 20).

    day 0: size new ✓ q4 (interval 1, due day 1); params new ✗ forgot-bias q2 (lapse, due day 1),
           params re-drill ✓ q4
    day 1: size ✗ q1 undone at once (not effective), then size ✓ q4 (before interval 1 → 6, due day 7);
           params ✗ forgot-bias q2 (before 1 → 1, due day 2), params re-drill ✓ q4
    day 2: params ✓ q3 (before 1 → 1, easiness 2.5 → 2.36, due day 3)
    day 7: size ✗ padding-once q2 (seed 3, answered 22; before 6 → 1, due day 8), size re-drill ✓ q4;
           params ✓ q4 (before 1, though 5 days late → 6, due day 13)

    By hand, on day 20: answers per day 3, 3, 1, 3 (days 0, 1, 2, 7); streak 0 (nothing on days 19, 20);
    both cards overdue, so the forecast is 2 today. Retention (kind review only, by the interval before):
    1d: 4 reviews (size day 1 ✓, params day 1 ✗, day 2 ✓, day 7 ✓), 3 correct; 2-6d: 1 (size day 7 ✗),
    0 correct; cnn: 5 reviews, 3 correct. Recent accuracy (all 30 days): size 3 of 4, params 4 of 6
    (easiness 2.36), so params is weakest, then size. Halves: earlier = days -9..5, later = days 6..20.
    forgot-bias: 2 earlier (of params' 5 answers), 0 later (of 1): fading. padding-once: 0 earlier (of
    size's 2), 1 later (of 2): growing.
    """
    clock = Clock(datetime(2024, 3, 1, 18, 0))
    with Store(home, config=Config(), now=clock) as store:
        size, params = "conv-output-size", "conv-params"
        store.record_review("cnn", size, 4, verdict="correct", answer="28")
        store.record_review("cnn", params, 2, verdict="incorrect", mistake_id="forgot-bias", answer="864")
        store.record_review("cnn", params, 4, kind="redrill", verdict="correct", answer="872")
        clock.on(SMALL_START + timedelta(days=1))
        slip = store.record_review("cnn", size, 1, verdict="incorrect", mistake_id="forgot-plus-one")
        store.undo_last_review(slip.id)
        store.record_review("cnn", size, 4, verdict="correct")
        store.record_review("cnn", params, 2, verdict="incorrect", mistake_id="forgot-bias")
        store.record_review("cnn", params, 4, kind="redrill", verdict="correct")
        clock.on(SMALL_START + timedelta(days=2))
        store.record_review("cnn", params, 3, verdict="correct")
        clock.on(SMALL_START + timedelta(days=7))
        store.record_review(
            "cnn", size, 2, verdict="incorrect", mistake_id="padding-once", seed=SMALL_SEED, answer=SMALL_ANSWER
        )
        store.record_review("cnn", size, 4, kind="redrill", verdict="correct")
        store.record_review("cnn", params, 4, verdict="correct")


YEAR_TODAY = date(2025, 6, 30)
YEAR_START = YEAR_TODAY - timedelta(days=364)  # the first day of the heatmap's year
YEAR_CARDS = (
    "conv-output-size",
    "conv-params",
    "pool-output-shape",
    "receptive-field",
    "same-padding",
    "conv-output-floor",
)
SKIPPED_LAST = YEAR_TODAY - timedelta(days=24)  # the last day off, so the streak is 24 days


@dataclass(frozen=True)
class Answer:
    """One effective answer, as the simulated learner gave it."""

    day: date
    card_id: str
    kind: str
    verdict: str
    mistake_id: str | None
    interval_before: int | None  # the scheduled interval before it (None for a card's first review)


@dataclass
class Ledger:
    answers: list[Answer] = field(default_factory=list)


def year_history(home: Path) -> Ledger:
    """A learner's year with the cnn deck: six cards introduced ten days apart, every due card reviewed
    on study days, a re-drill after each miss, one practice answer a day, one review undone, days off.

    Days off: every ninth day for the first 300 days, and SKIPPED_LAST. Misses follow a seeded random
    draw (about one in four), each with one of the card's anticipated mistake ids.
    """
    rng = random.Random(9)
    mistakes = MISTAKE_IDS
    ledger = Ledger()
    clock = Clock(datetime.combine(YEAR_START, datetime.min.time()).replace(hour=19))
    with Store(home, config=Config(new_cards_per_day=20), now=clock) as store:
        for offset in range(365):
            day = YEAR_START + timedelta(days=offset)
            if (offset < 300 and offset % 9 == 4) or day == SKIPPED_LAST:
                continue
            clock.on(day, hour=19 if offset % 2 else 9)
            due = [card.card_id for card in store.due_cards(today=day)]
            new = [c for i, c in enumerate(YEAR_CARDS) if i * 10 == offset]
            for card_id in due + new:
                if offset == 200 and card_id == due[0]:  # a slip of the finger, undone at once
                    slip = store.record_review("cnn", card_id, 0, verdict="incorrect", mistake_id="nonsense")
                    store.undo_last_review(slip.id)
                missed = rng.random() < 0.25
                mistake = rng.choice(mistakes[card_id]) if missed else None
                quality = 2 if missed else rng.choice((3, 4, 4, 5))
                verdict = "incorrect" if missed else "correct"
                logged = store.record_review("cnn", card_id, quality, verdict=verdict, mistake_id=mistake)
                before = logged.before.interval if logged.before is not None else None
                ledger.answers.append(Answer(day, card_id, logged.kind, verdict, mistake, before))
                if missed:
                    store.record_review("cnn", card_id, 4, kind="redrill", verdict="correct")
                    ledger.answers.append(Answer(day, card_id, "redrill", "correct", None, None))
            # Some practice every study day, so every one of them shows on the heatmap.
            introduced = YEAR_CARDS[: offset // 10 + 1]
            card_id = introduced[offset % len(introduced)]
            missed = rng.random() < 0.2
            mistake = rng.choice(mistakes[card_id]) if missed else None
            verdict = "incorrect" if missed else "correct"
            store.record_review(
                "cnn", card_id, 2 if missed else 5, kind="practice", verdict=verdict, mistake_id=mistake
            )
            ledger.answers.append(Answer(day, card_id, "practice", verdict, mistake, None))
    return ledger
