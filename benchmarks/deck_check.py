"""How long `studycards check` takes to prove every deck over many seeds (500 by default), beside the
naive pass it replaced.

CI runs the same full check (tests/test_check_all_decks.py). The fast pass here is what `check` runs, in
one process: each distinct set of drawn values worked out once per card, each layer built once per card,
torch's measurement cached on the layer as built and its input, torch's meta kernels memoised, recurrent
layers run on a short sequence. The naive pass (``ground_truth.plain_torch``, ``reuse=False``) checks the
first --naive-seeds seeds of every card without any of that; its time per question, times the seeds,
estimates what the full check used to cost on this machine in this run. Every question of the naive
sample must get the same torch reading, verdict and torch line from both passes, and every card the same
report.

Targets: `studycards check --seeds N` as a user runs it, timed last as a whole command (on a machine with
two or more cores it checks on one process per core, ``studycards.check_pool``, workers' start-up
included), ≤ 0.22× the naive estimate (the issue's 60 s against 268 s) and ≤ 0.75× the one-process fast
pass; every question read alike by both passes; nothing failed. The one-process ratio to the naive pass
is printed too. Wall and CPU seconds are both shown: on a shared machine the wall clock also counts other
people's processes.

    python benchmarks/deck_check.py [--seeds 500] [--naive-seeds 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from timing import targets_line  # benchmarks/timing.py, beside this script

from studycards.check_pool import available_cpus, jobs_for
from studycards.deck import load_decks
from studycards.deck_check import check_card
from studycards.errors import StudycardsError
from studycards.question import generate

FAST_RATIO = 60 / 268
PARALLEL_RATIO = 0.75


def reading(card, seed: int):
    """What torch reads for one question (value, verdict, torch line), or the error it raises."""
    from studycards.ground_truth import truth_of

    try:
        truth = truth_of(generate(card, seed))
    except StudycardsError as error:
        return f"error: {error}"
    return None if truth is None else (truth.value, truth.agrees, truth.lines)


def _outcome(report) -> tuple:
    """What a card's report says, without its time."""
    return report.seeds, report.proved, report.unprovable, report.failed, report.failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500)
    parser.add_argument("--naive-seeds", type=int, default=5)
    args = parser.parse_args()
    import studycards.ground_truth as ground_truth  # import torch before timing

    decks = list(load_decks())
    cards = [card for deck in decks for card in deck.cards]
    wall, cpu = time.perf_counter(), time.process_time()
    reports: dict[str, list] = {}
    fast_deck_cpu: dict[str, float] = {}
    for deck in decks:
        started = time.process_time()
        reports[deck.id] = [check_card(card, range(args.seeds)) for card in deck.cards]
        fast_deck_cpu[deck.id] = time.process_time() - started
    fast_wall, fast_cpu = time.perf_counter() - wall, time.process_time() - cpu

    naive_cpu: dict[str, float] = {}
    differing: list[str] = []
    for card in cards:
        with ground_truth.plain_torch():
            started = time.process_time()
            plain_report = check_card(card, range(args.naive_seeds), reuse=False)  # the fast pass's work, plainly
            naive_cpu[card.ref] = (time.process_time() - started) / args.naive_seeds
            plain = [reading(card, seed) for seed in range(args.naive_seeds)]
        fast = [reading(card, seed) for seed in range(args.naive_seeds)]
        differing += [f"{card.ref} seed {seed}" for seed, (a, b) in enumerate(zip(plain, fast)) if a != b]
        if _outcome(plain_report) != _outcome(check_card(card, range(args.naive_seeds))):
            differing.append(f"{card.ref} report")
    naive_estimate = sum(naive_cpu.values()) * args.seeds

    print("CPU seconds per deck: the fast pass, and the naive pass estimated")
    print(f"{'deck':<12} {'cards':>5} {'questions':>10} {'proved':>8} {'failed':>7} {'fast s':>8} {'naive s':>9}")
    print("-" * 64)
    for deck_id, deck_reports in reports.items():
        naive = sum(naive_cpu[r.ref] for r in deck_reports) * args.seeds
        print(
            f"{deck_id:<12} {len(deck_reports):>5} {sum(r.seeds for r in deck_reports):>10} "
            f"{sum(r.proved for r in deck_reports):>8} {sum(r.failed for r in deck_reports):>7} "
            f"{fast_deck_cpu[deck_id]:>8.1f} {naive:>9.1f}"
        )
    all_reports = [report for deck_reports in reports.values() for report in deck_reports]
    slowest = sorted(((r.seconds, r.ref) for r in all_reports), reverse=True)[:5]
    print(f"\nfast pass: {fast_wall:.1f} s wall, {fast_cpu:.1f} s CPU, torch's meta start-up included, once")
    print(f"naive pass: {naive_estimate:.1f} s CPU estimated from {args.naive_seeds} seeds a card")
    print("slowest cards (wall): " + ", ".join(f"{ref} {s:.1f} s" for s, ref in slowest))
    failed = sum(r.failed for r in all_reports)
    ratio = fast_cpu / naive_estimate

    jobs = jobs_for(None, len(cards), args.seeds)
    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        command = subprocess.run(
            [sys.executable, "-m", "studycards", "--home", home, "check", "--seeds", str(args.seeds)],
            capture_output=True,
            text=True,
        )
        command_wall = time.perf_counter() - started
    print(
        f"studycards check --seeds {args.seeds}, whole command on {jobs} process{'es' if jobs > 1 else ''}"
        f" ({available_cpus()} cores): {command_wall:.1f} s wall = {command_wall / fast_wall:.2f}× the"
        f" one-process fast pass, {command_wall / naive_estimate:.2f}× the naive estimate; exit {command.returncode}"
    )
    print(f"one process alone: {ratio:.2f}× the naive estimate (CPU)")
    parallel = {
        f"whole command {command_wall / fast_wall:.2f}× one process ≤ {PARALLEL_RATIO}": (
            command_wall <= PARALLEL_RATIO * fast_wall
        )
    }
    print(
        targets_line(
            {
                **(parallel if available_cpus() > 1 else {}),
                f"check exited {command.returncode}": command.returncode == 0,
                f"whole command/naive {command_wall / naive_estimate:.2f} ≤ {FAST_RATIO:.2f}": (
                    command_wall <= FAST_RATIO * naive_estimate
                ),
                f"{len(differing)} questions read differently ({', '.join(differing[:3])})": not differing,
                f"{failed} questions failed": failed == 0,
            }
        )
    )
    return 0 if not differing and failed == 0 and command.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
