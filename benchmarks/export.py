"""How long an Anki export of 10,000 notes takes, phase by phase and through the command; target ≤ 10 s.

Run: ``python benchmarks/export.py [--notes 10000] [--repeat 3]``. Uses the bundled decks and a temporary
home and output folder, so nothing of yours is read or written. Prints the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from timing import targets_line  # benchmarks/timing.py, beside this script

from studycards.anki_export import build_package, collect_notes, content_timestamp, write_package, write_tsv
from studycards.deck import load_decks

TARGET_SECONDS = 10.0


def best_of(repeat: int, action: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    decks = load_decks()
    cards = sum(len(deck.cards) for deck in decks)
    instances = math.ceil(args.notes / cards)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        rows: list[tuple[str, int, float]] = []

        seconds, notes = best_of(args.repeat, lambda: collect_notes(decks, instances=instances, seed=0))
        notes = notes[: args.notes]  # type: ignore[index]
        rows.append(("generate questions", len(notes), seconds))
        seconds, package = best_of(args.repeat, lambda: build_package(decks, notes))
        rows.append(("build genanki notes", len(notes), seconds))
        timestamp = content_timestamp(decks)
        seconds, _ = best_of(args.repeat, lambda: write_package(package, folder / "bench.apkg", timestamp))
        rows.append(("write .apkg", len(notes), seconds))
        seconds, _ = best_of(args.repeat, lambda: write_tsv(notes, folder / "bench.tsv"))
        rows.append(("write .tsv", len(notes), seconds))
        rows.append(("core total (apkg)", len(notes), sum(row[2] for row in rows[:3])))

        command = [sys.executable, "-m", "studycards", "--home", str(folder / "home"), "export", "all"]
        command += ["-o", str(folder / "cli.apkg"), "--instances", str(instances), "--tsv"]
        env = {**os.environ, "STUDYCARDS_HOME": str(folder / "home")}
        seconds, _ = best_of(args.repeat, lambda: subprocess.run(command, check=True, capture_output=True, env=env))
        rows.append((f"studycards export --tsv (x{instances})", instances * cards, seconds))
        apkg_mb = (folder / "cli.apkg").stat().st_size / 1e6

    print(f"{len(decks)} decks, {cards} templates; best of {args.repeat}; target {TARGET_SECONDS:.0f} s")
    print()
    header = ("phase", "notes", "seconds", "notes/s", "share of core", "of target")
    table = [header]
    core = rows[4][2]
    for name, count, seconds in rows:
        table.append(
            (
                name,
                f"{count:,}",
                f"{seconds:.3f}",
                f"{count / seconds:,.0f}",
                f"{seconds / core:.0%}" if "export" not in name else "",
                f"{seconds / TARGET_SECONDS:.1%}",
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        print("  ".join(cells))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print()
    print(f"package size: {apkg_mb:.1f} MB")
    slowest = max(seconds for name, _, seconds in rows if "export" in name)
    print(
        targets_line(
            {f"10,000 notes through the command in {slowest:.1f} s ≤ {TARGET_SECONDS:.0f} s": slowest <= TARGET_SECONDS}
        )
    )


if __name__ == "__main__":
    main()
