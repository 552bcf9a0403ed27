"""The review store's daily queries over a big history: 100k cards and 1M review-log rows.

Builds a store in a temporary home (schema from ``Store``, rows bulk-loaded), then times each query the
TUI and ``studycards due`` make, best of --repeat, beside a naive full-table scan that reads every row
into Python and filters there. Targets: ``Store.due_cards()`` and ``Store.due_summary`` within 20 ms each,
``due_summary`` both ways it is called: again on one open store, as the home screen calls it (the store
keeps each deck's count of new cards in memory until the deck or its cards change), and on a freshly
opened store ("first call", opening included), as ``studycards due`` runs it once per process (the counts
come from the store file, where an earlier call kept them). Both must agree with the naive scan. A note
under the table times a first call that finds nothing kept (the first ever, or after every deck changed),
which counts every card id of every deck.

Cards are spread over 50 decks of 2,000; due days run from 5 days overdue to 500 days ahead, so about
1% are due, as for a learner with a large, mature collection. Each card has 10 logged reviews; about 1%
of cards were reviewed today, a third of those failed (graded 2), so ``due_summary`` has learning cards.

    python benchmarks/store.py [--cards 100000] [--reviews-per-card 10] [--repeat 15]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import best_ms, targets_line  # noqa: E402 - benchmarks/timing.py, beside this script

from studycards.config import Config  # noqa: E402
from studycards.store import Store  # noqa: E402

TODAY = date(2025, 6, 1)
TARGET_MS = 20.0  # due_cards() and due_summary, each
DECKS = 50


def build(home: Path, cards: int, reviews_per_card: int) -> dict[str, list[str]]:
    Store(home).close()  # the real schema, indexes and triggers
    rng = random.Random(1)
    failing = random.Random(2)  # its own stream, so the cards and days are those of earlier runs
    per_deck = cards // DECKS
    catalogue = {f"deck-{d:02}": [f"card-{c:05}" for c in range(per_deck)] for d in range(DECKS)}
    db = sqlite3.connect(home / "studycards.db")
    db.execute("PRAGMA synchronous = OFF")
    card_rows = []
    log_rows = []
    for deck_id, card_ids in catalogue.items():
        for card_id in card_ids:
            due = TODAY + timedelta(days=rng.randint(-5, 500))
            first_seen = TODAY - timedelta(days=rng.randint(30, 900))
            card_rows.append((deck_id, card_id, 5, 2.5, 100, due.isoformat(), first_seen.isoformat()))
            for r in range(reviews_per_card):
                day = first_seen + timedelta(days=r * 3)
                quality = 4
                if r == reviews_per_card - 1 and rng.random() < 0.01:
                    day = TODAY  # a few reviews today, for the "reviewed today" counts
                    quality = 2 if failing.random() < 1 / 3 else 4  # and the learning ones
                log_rows.append(
                    (
                        "new" if r == 0 else "review",
                        deck_id,
                        card_id,
                        r,
                        "42",
                        "correct",
                        None,
                        quality,
                        7.5,
                        *((None, None, None, None) if r == 0 else (r, 2.5, 3, day.isoformat())),
                        r + 1,
                        2.5,
                        3,
                        day.isoformat(),
                        datetime.combine(day, datetime.min.time()).isoformat() + "+00:00",
                        day.isoformat(),
                        None,
                    )
                )
    with db:
        db.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?)", card_rows)
        db.executemany(
            "INSERT INTO review_log (kind, deck_id, card_id, seed, answer, verdict, mistake_id, quality, seconds,"
            " before_repetitions, before_easiness, before_interval, before_due,"
            " after_repetitions, after_easiness, after_interval, after_due, reviewed_at, study_day, undoes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            log_rows,
        )
    db.execute("ANALYZE")
    db.close()
    return catalogue


def naive_due(db: sqlite3.Connection, deck: str | None = None) -> list[tuple]:
    rows = db.execute("SELECT deck_id, card_id, repetitions, easiness, interval, due, first_seen FROM cards")
    due = [row for row in rows if row[5] <= TODAY.isoformat() and (deck is None or row[0] == deck)]
    return sorted(due, key=lambda row: (row[5], row[0], row[1]))


def naive_summary(db: sqlite3.Connection, catalogue: dict[str, list[str]]) -> list[tuple]:
    today = TODAY.isoformat()
    due: dict[str, int] = {}
    seen: dict[str, int] = {}
    for deck_id, due_day in db.execute("SELECT deck_id, due FROM cards"):
        seen[deck_id] = seen.get(deck_id, 0) + 1
        if due_day <= today:
            due[deck_id] = due.get(deck_id, 0) + 1
    undone = {row[0] for row in db.execute("SELECT undoes FROM review_log WHERE undoes IS NOT NULL")}
    new: dict[str, int] = {}
    reviewed: dict[str, int] = {}
    last_today: dict[tuple[str, str], int] = {}
    rows = db.execute("SELECT id, deck_id, card_id, kind, quality, study_day FROM review_log ORDER BY id")
    for review_id, deck_id, card_id, kind, quality, day in rows:
        if day == today and review_id not in undone and kind != "undo":
            last_today[(deck_id, card_id)] = quality
            if kind in ("new", "review"):
                reviewed[deck_id] = reviewed.get(deck_id, 0) + 1
            if kind == "new":
                new[deck_id] = new.get(deck_id, 0) + 1
    not_due = {(d, c) for d, c, due_day in db.execute("SELECT deck_id, card_id, due FROM cards") if due_day > today}
    learning: dict[str, int] = {}
    for key, quality in last_today.items():
        if quality < 4 and key in not_due:
            learning[key[0]] = learning.get(key[0], 0) + 1
    return [
        (d, due.get(d, 0), min(len(c) - seen.get(d, 0), 20 - new.get(d, 0)), reviewed.get(d, 0), learning.get(d, 0))
        for d, c in catalogue.items()
    ]


def first_summary(home: Path, noon: datetime, catalogue: dict[str, list[str]]) -> list:
    """``due_summary`` on a store opened for it, as a ``studycards due`` process makes it (opening included)."""
    with Store(home, config=Config(), now=lambda: noon) as fresh:
        return fresh.due_summary(catalogue)


def nothing_kept_summary(home: Path, noon: datetime, catalogue: dict[str, list[str]]) -> tuple[float, list]:
    """A first call that finds no count kept in the file, as after every deck changed: (ms, result). The
    kept rows are deleted before the clock starts."""
    with sqlite3.connect(home / "studycards.db", isolation_level=None) as raw:
        raw.execute("DELETE FROM deck_coverage")
    raw.close()
    start = time.perf_counter()
    result = first_summary(home, noon, catalogue)
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews-per-card", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        start = time.perf_counter()
        catalogue = build(home, args.cards, args.reviews_per_card)
        built_s = time.perf_counter() - start
        noon = datetime.combine(TODAY, datetime.min.time()).replace(hour=12)
        store = Store(home, config=Config(), now=lambda: noon)
        raw = sqlite3.connect(home / "studycards.db")
        counts = store.counts()
        print(
            f"store: {counts['cards']:,} cards, {counts['log_rows']:,} review-log rows,"
            f" {(home / 'studycards.db').stat().st_size / 1e6:.0f} MB; built in {built_s:.1f} s"
        )
        print(f"best (median) of {args.repeat} runs, in ms; naive = read every row into Python and filter there")
        print()
        deck = "deck-07"
        cases = [
            ("due_cards() all decks", lambda: store.due_cards(), lambda: naive_due(raw)),
            (f"due_cards({deck!r})", lambda: store.due_cards(deck), lambda: naive_due(raw, deck)),
            (
                "due_cards(catalogue=...)",
                lambda: store.due_cards(catalogue=catalogue),
                lambda: naive_due(raw),
            ),
            (f"new_cards({deck!r}, ids)", lambda: store.new_cards(deck, catalogue[deck]), None),
            ("learning_cards() all decks", lambda: store.learning_cards(), None),
            (
                "due_summary (studycards due)",
                lambda: store.due_summary(catalogue),
                lambda: naive_summary(raw, catalogue),
            ),
            ("due_summary, first call", lambda: first_summary(home, noon, catalogue), None),
        ]
        summaries = ("due_summary (studycards due)", "due_summary, first call")
        header = f"{'query':<30} {'rows':>6} {'store':>16} {'naive scan':>18} {'naive/store':>12}"
        print(header)
        print("-" * len(header))
        targets: dict[str, bool] = {}
        naive_summaries: tuple[float, float, list] | None = None  # timed once, compared with both calls
        for name, fast, naive in cases:
            best, median, result = best_ms(fast, args.repeat)
            rows = len(result) if isinstance(result, list) else 0
            if name.startswith("due_cards() all"):
                targets[f"due_cards() {best:.1f} ms ≤ {TARGET_MS:.0f} ms"] = best <= TARGET_MS
            elif name in summaries:
                call = "repeated call" if name == summaries[0] else "first call"
                targets[f"due_summary {call} {best:.1f} ms ≤ {TARGET_MS:.0f} ms"] = best <= TARGET_MS
            if name in summaries:
                if naive_summaries is None:
                    naive_summaries = best_ms(lambda: naive_summary(raw, catalogue), max(3, args.repeat // 3))
                naive_best, naive_median, naive_result = naive_summaries
                fast_rows = [(d.deck, d.due, d.new, d.reviewed_today, d.learning) for d in result]
                assert fast_rows == naive_result, f"{name} disagrees with the naive scan"
            elif naive is None:
                print(f"{name:<30} {rows:>6} {best:>7.2f} ({median:>6.2f}) {'':>18} {'':>12}")
                continue
            else:
                naive_best, naive_median, naive_result = best_ms(naive, max(3, args.repeat // 3))
                assert len(naive_result) == rows or "catalogue" in name
            ratio = naive_best / best if best else float("inf")
            print(
                f"{name:<30} {rows:>6} {best:>7.2f} ({median:>6.2f}) {naive_best:>8.2f} ({naive_median:>7.2f})"
                f" {ratio:>11.1f}x"
            )
        cold = [nothing_kept_summary(home, noon, catalogue) for _ in range(max(3, args.repeat // 3))]
        assert all(result == store.due_summary(catalogue) for _, result in cold), "a first call disagrees"
        print()
        print(
            f"note: a first call that finds no count kept (the first ever, or after every deck changed):"
            f" {min(ms for ms, _ in cold):.2f} ms, best of {len(cold)}; the next call finds them"
        )
        print(targets_line(targets))
        store.close()
        raw.close()


if __name__ == "__main__":
    main()
