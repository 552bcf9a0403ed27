"""Timing shared by the benchmark scripts: best and median wall time of repeated calls."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def best_ms(function: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(best ms, median ms, last result) over ``repeat`` calls: best for the table, median as a check."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times), result


def targets_line(results: dict[str, bool]) -> str:
    """The benchmark's last line: ``targets: met``, or ``targets: NOT met (...)`` naming each missed one.

    ``results`` maps a target, written with its measured figure ("due_summary 31 ms ≤ 20 ms"), to whether
    it was met."""
    missed = [target for target, met in results.items() if not met]
    return "targets: met" if not missed else f"targets: NOT met ({'; '.join(missed)})"
