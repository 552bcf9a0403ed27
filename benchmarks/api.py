"""``studycards.grade(ref, seed, text)`` from Python, warm, beside the naive pass that re-reads every deck.

Every call resolves ``DECK/CARD`` through the deck files. Decks are remembered per file until its mtime or
size changes (``studycards.file_memo``); the naive pass forgets them before each call, which is what every
call used to cost. Each call is timed in this process's CPU time, the median of three repeats, so another
process taking the shared CPU does not count as grading time, over every card of every deck, a few seeds
and four kinds of answer. The verdicts of both passes must agree.

Targets: warm p99 ≤ 2 ms, and the naive pass's median ≥ 20× the warm one, measured in the same run.

    python benchmarks/api.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from timing import targets_line  # benchmarks/timing.py, beside this script

import studycards
from studycards.deck import _DECK_FILES, load_decks

WARM_P99_MS = 2.0
NAIVE_RATIO = 20.0
ANSWERS = ("7", "(1, 8, 18, 18)", "k*k*c + 1", "2")


def timed(call, forget: bool) -> tuple[float, str]:
    """Median ms of three calls (forgetting the decks before each, for the naive pass) and the verdict."""
    times = []
    verdict = ""
    for _ in range(3):
        if forget:
            _DECK_FILES.forget()
        started = time.process_time_ns()
        verdict = call().verdict
        times.append((time.process_time_ns() - started) / 1e6)
    return statistics.median(times), verdict


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    refs = [card.ref for deck in load_decks() for card in deck.cards]
    calls = [(ref, seed, text) for ref in refs for seed in range(args.seeds) for text in ANSWERS]
    for ref, seed, text in calls:  # warm: each card's comparison points are drawn once per process
        studycards.grade(ref, seed, text)
    warm, naive, disagree = [], [], 0
    for ref, seed, text in calls:
        warm_ms, warm_verdict = timed(lambda: studycards.grade(ref, seed, text), forget=False)  # noqa: B023
        warm.append(warm_ms)
    for ref, seed, text in calls[:: max(1, len(calls) // 200)]:  # the naive pass on a sample: it is slow
        naive_ms, naive_verdict = timed(lambda: studycards.grade(ref, seed, text), forget=True)  # noqa: B023
        naive.append(naive_ms)
        disagree += naive_verdict != studycards.grade(ref, seed, text).verdict
    warm_p99, warm_p50, naive_p50 = percentile(warm, 0.99), statistics.median(warm), statistics.median(naive)
    print(f"{len(refs)} cards × {args.seeds} seeds × {len(ANSWERS)} answers = {len(calls)} calls, ms of CPU per call")
    print()
    print(f"{'pass':<34} {'calls':>6} {'p50':>8} {'p99':>8} {'max':>8}")
    print(f"{'warm (decks remembered)':<34} {len(warm):>6} {warm_p50:>8.3f} {warm_p99:>8.3f} {max(warm):>8.3f}")
    print(
        f"{'naive (every deck file re-read)':<34} {len(naive):>6} {naive_p50:>8.3f} "
        f"{percentile(naive, 0.99):>8.3f} {max(naive):>8.3f}"
    )
    print(f"\nnaive/warm median: {naive_p50 / warm_p50:.0f}×; verdicts differing between the passes: {disagree}")
    print(
        targets_line(
            {
                f"warm p99 {warm_p99:.2f} ms ≤ {WARM_P99_MS:.0f} ms": warm_p99 <= WARM_P99_MS,
                f"naive/warm {naive_p50 / warm_p50:.0f}× ≥ {NAIVE_RATIO:.0f}×": naive_p50 / warm_p50 >= NAIVE_RATIO,
                f"{disagree} verdicts differ from the naive pass": disagree == 0,
            }
        )
    )
    return 0 if disagree == 0 and warm_p99 <= WARM_P99_MS else 1


if __name__ == "__main__":
    sys.exit(main())
