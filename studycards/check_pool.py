"""``check`` on several processes: the cards of a long check spread over the machine's cores.

Proving a card is Python over torch's meta kernels, so threads would share one core; processes do not.
Each worker is a fresh interpreter (``spawn``: no torch state is forked) that loads the decks of the same
home once and checks the cards it is sent by ref; a ``CardReport`` is plain data and comes back as it is.
A worker costs about two ``import torch`` to start (torch, then its meta start-up), so ``jobs_for`` runs a
check in parallel only when it is long enough to repay that. If a worker dies (killed, out of memory), the
cards it had not reported are checked in this process instead: a check always ends with every card.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from studycards.deck import CardTemplate, load_decks
from studycards.deck_check import CardReport, check_card

# Below this many questions a check takes a few seconds in one process, less than starting workers costs.
PARALLEL_FROM_QUESTIONS = 5_000
MAX_JOBS = 64


def available_cpus() -> int:
    """The cores this process may run on (its affinity, where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def jobs_for(requested: int | None, cards: int, seeds: int) -> int:
    """How many processes to check on: ``requested`` if given, else one per core for a long check."""
    if requested is not None:
        return max(1, min(requested, cards, MAX_JOBS))
    if cards * seeds < PARALLEL_FROM_QUESTIONS:
        return 1
    return max(1, min(available_cpus(), cards, MAX_JOBS))


def check_cards(
    cards: Sequence[CardTemplate],
    seeds: range,
    *,
    jobs: int,
    home: Path,
    on_done: Callable[[CardTemplate], None] = lambda card: None,
) -> tuple[list[CardReport], str | None]:
    """Every card's report, in the order given, and a note when a worker died and this process took over.

    ``on_done(card)`` is called as each card is finished (in the order they finish, for a progress bar).
    """
    reports: list[CardReport | None] = [None] * len(cards)
    note = None
    if jobs > 1:
        note = _in_workers(cards, seeds, jobs, home, reports, on_done)
    for index, card in enumerate(cards):
        if reports[index] is None:
            reports[index] = check_card(card, seeds)
            on_done(card)
    return [report for report in reports if report is not None], note


def _in_workers(
    cards: Sequence[CardTemplate],
    seeds: range,
    jobs: int,
    home: Path,
    reports: list[CardReport | None],
    on_done: Callable[[CardTemplate], None],
) -> str | None:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(str(home),))
    try:
        futures = {pool.submit(_check_ref, card.ref, seeds.start, seeds.stop): i for i, card in enumerate(cards)}
        for future in as_completed(futures):
            index = futures[future]
            reports[index] = future.result()
            on_done(cards[index])
    except BrokenProcessPool:
        pool.shutdown()
        left = sum(report is None for report in reports)
        return f"a check worker stopped unexpectedly; the {left} cards it left were checked in this process"
    except BaseException:  # Ctrl-C, or a card's error: stop now, not after every card already queued
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in multiprocessing.active_children():
            worker.terminate()
        raise
    pool.shutdown()
    return None


_CARDS: dict[str, CardTemplate] = {}


def _start_worker(home: str) -> None:
    """In a worker: every card of the home's decks, by ref, loaded once. Ctrl-C is the parent's to handle
    (it stops the workers); in a worker it would only turn the card being checked into an error."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _CARDS.update((card.ref, card) for deck in load_decks(Path(home)) for card in deck.cards)


def _check_ref(ref: str, first_seed: int, stop: int) -> CardReport:
    """In a worker: check one card by its ref over ``range(first_seed, stop)``."""
    card = _CARDS.get(ref)
    if card is None:  # its deck file changed between this process reading it and the worker reading it
        report = CardReport(ref=ref, failed=1)
        report.failures.append(f"{ref}: not found when the check worker read the decks again; run check again")
        return report
    return check_card(card, range(first_seed, stop))
