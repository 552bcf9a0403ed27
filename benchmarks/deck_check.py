"""How long `studycards check` takes to prove every deck over many seeds (500 by default).

CI runs the same full check (tests/test_check_all_decks.py); this script prints the time per deck and
the slowest cards, so a deck author sees which templates are expensive to prove.

    python benchmarks/deck_check.py [--seeds 500]
"""

from __future__ import annotations

import argparse
import time

from studycards.deck import load_decks
from studycards.deck_check import check_deck


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500)
    args = parser.parse_args()
    import studycards.ground_truth  # noqa: F401 - import torch before timing

    print(f"{'deck':<12} {'cards':>5} {'questions':>10} {'proved':>8} {'failed':>7} {'seconds':>8} {'ms/question':>12}")
    print("-" * 68)
    slowest = []
    total_seconds = 0.0
    for deck in load_decks():
        started = time.perf_counter()
        reports = check_deck(deck, args.seeds)
        seconds = time.perf_counter() - started
        total_seconds += seconds
        questions = sum(r.seeds for r in reports)
        print(
            f"{deck.id:<12} {len(reports):>5} {questions:>10} {sum(r.proved for r in reports):>8} "
            f"{sum(r.failed for r in reports):>7} {seconds:>8.1f} {1000 * seconds / questions:>12.2f}"
        )
        slowest.extend((r.seconds, r.ref) for r in reports)
    print(f"\ntotal: {total_seconds:.1f} s")
    print("slowest cards: " + ", ".join(f"{ref} {s:.1f} s" for s, ref in sorted(slowest, reverse=True)[:5]))


if __name__ == "__main__":
    main()
