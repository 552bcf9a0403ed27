"""``studycards stats`` over a big review log: 1M rows. Target: every statistic within 200 ms.

Builds a store in a temporary home (schema, indexes and triggers from ``Store``; rows bulk-loaded with
sqlite3, and no ANALYZE, as a learner's own database has none), then times ``compute_stats`` (best and
median of --repeat) beside a naive pass that reads every log row into Python and counts there. The two
must agree on every number, so the naive pass doubles as a check at scale.

Two spreads of the million rows: over four years ending today (685 answers a day, a very keen learner;
the heatmap's year then holds a quarter of them), and all within the heatmap's year (2,740 a day: the
worst case, where every windowed statistic covers every row). 16 decks of 60 cards; 76% scheduled
reviews, 4% first sights, 12% re-drills, 8% practice; about one answer in five wrong, with a mistake
id; one review in a thousand undone.

    python benchmarks/stats.py [--rows 1000000] [--years 4 1] [--repeat 9]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import best_ms, targets_line  # noqa: E402 - benchmarks/timing.py, beside this script

from studycards import stats  # noqa: E402
from studycards.config import Config  # noqa: E402
from studycards.store import Store  # noqa: E402

TODAY = date(2025, 6, 30)
DECKS = 16
CARDS_PER_DECK = 60
INTERVALS = (1, 1, 1, 6, 6, 15, 38, 95, 240)
TARGET_MS = 200.0
MISTAKES = ("forgot-plus-one", "padding-once", "forgot-bias", "swapped-hw", "just-halved", "summed-kernels")
KINDS = ("review",) * 19 + ("new",) + ("redrill",) * 3 + ("practice",) * 2
INSERT = (
    "INSERT INTO review_log (kind, deck_id, card_id, seed, answer, verdict, mistake_id, quality, seconds,"
    " before_repetitions, before_easiness, before_interval, before_due,"
    " after_repetitions, after_easiness, after_interval, after_due, reviewed_at, study_day, undoes)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def build(home: Path, rows: int, years: int) -> list[tuple[str, str]]:
    """The store: ``rows`` log rows over ``years`` years ending TODAY, and every card scheduled."""
    Store(home).close()  # the real schema, indexes and triggers
    rng = random.Random(1)
    cards = [(f"deck-{d:02}", f"card-{c:02}") for d in range(DECKS) for c in range(CARDS_PER_DECK)]
    days = 365 * years
    first = TODAY - timedelta(days=days - 1)
    day_texts = [(first + timedelta(days=n)).isoformat() for n in range(days + 300)]
    db = sqlite3.connect(home / "studycards.db")
    db.execute("PRAGMA synchronous = OFF")
    batch: list[tuple] = []
    undo_targets: list[tuple[int, str, str, str]] = []
    random_card = rng.randrange
    for n in range(rows):
        offset = n * days // rows
        deck_id, card_id = cards[random_card(len(cards))]
        kind = KINDS[n % len(KINDS)]
        wrong = rng.random() < 0.2
        interval = INTERVALS[random_card(len(INTERVALS))]
        before = (None, None, None, None) if kind == "new" else (3, 2.36, interval, day_texts[offset])
        day = day_texts[offset]
        batch.append(
            (
                kind,
                deck_id,
                card_id,
                n,
                "17",
                "incorrect" if wrong else "correct",
                MISTAKES[n % len(MISTAKES)] if wrong else None,
                2 if wrong else 4,
                9.5,
                *before,
                4,
                2.36,
                interval,
                day_texts[offset + interval],
                f"{day}T18:00:00.000+00:00",
                day,
                None,
            )
        )
        if n % 1000 == 999:
            undo_targets.append((n + 1, deck_id, card_id, day))
    with db:
        db.executemany(INSERT, batch)
        db.executemany(
            INSERT,
            [
                ("undo", deck, card, None, None, None, None, None, None)
                + (None,) * 8
                + (f"{day}T18:00:01.000+00:00", day, target)
                for target, deck, card, day in undo_targets
            ],
        )
        db.executemany(
            "INSERT INTO cards VALUES (?, ?, 3, ?, 15, ?, ?)",
            [
                (deck, card, round(1.3 + (i % 13) / 10, 2), (TODAY + timedelta(days=i % 45 - 5)).isoformat(), first)
                for i, (deck, card) in enumerate(cards)
            ],
        )
    db.close()
    return cards


def naive_stats(db: sqlite3.Connection, today: date, deck: str | None = None) -> dict:
    """Every number of ``compute_stats`` from one plain pass over all rows in Python."""
    heat_from = (today - timedelta(days=364)).isoformat()
    recent_from = (today - timedelta(days=29)).isoformat()
    later_from = (today - timedelta(days=14)).isoformat()
    undone = {row[0] for row in db.execute("SELECT undoes FROM review_log WHERE undoes IS NOT NULL")}
    per_day: Counter = Counter()
    studied: set[str] = set()
    asked: Counter = Counter()
    right: Counter = Counter()
    answers: Counter = Counter()
    correct: Counter = Counter()
    halves: Counter = Counter()
    mistakes: Counter = Counter()
    query = "SELECT id, kind, deck_id, card_id, verdict, mistake_id, before_interval, study_day FROM review_log"
    for row_id, kind, deck_id, card_id, verdict, mistake, interval, day in db.execute(query):
        if kind == "undo" or row_id in undone or (deck is not None and deck_id != deck):
            continue
        studied.add(day)
        if heat_from <= day <= today.isoformat():
            per_day[day] += 1
        if kind == "review" and verdict is not None:
            asked[stats.interval_bucket(interval)] += 1
            right[stats.interval_bucket(interval)] += verdict == "correct"
        if recent_from <= day <= today.isoformat():
            key = (deck_id, card_id)
            if verdict is not None:
                answers[key] += 1
                correct[key] += verdict == "correct"
                halves[key, day >= later_from] += 1
            if mistake is not None:
                mistakes[(*key, mistake), day >= later_from] += 1
    day = today if today.isoformat() in studied else today - timedelta(days=1)
    streak = 0
    while day.isoformat() in studied:
        streak, day = streak + 1, day - timedelta(days=1)
    return {
        "reviews_by_day": sorted(per_day.items()),
        "streak": streak,
        "retention": sorted((label, asked[label], right[label]) for label in asked),
        "recent": sorted((key, answers[key], correct[key]) for key in answers),
        "mistakes": sorted(mistakes.items()),
    }


def ours_in_naive_form(result: stats.Stats, store: Store, deck: str | None) -> dict:
    recent = stats.recent_answers(store, result.today, deck)
    return {
        "reviews_by_day": [(d.day.isoformat(), d.count) for d in result.reviews_by_day],
        "streak": result.streak,
        "retention": sorted((r.label, r.reviews, r.correct) for r in result.retention_by_interval),
        "recent": sorted(
            (key, h[0][0] + h[1][0], h[0][1] + h[1][1]) for key, h in recent.answers.items() if h[0][0] + h[1][0]
        ),
        "mistakes": sorted(
            ((key, half == 1), count)
            for key, counts in recent.mistakes.items()
            for half, count in enumerate(counts)
            if count
        ),
    }


def run(rows: int, years: int, repeat: int) -> float:
    """Build one store, time the statistics on it, print its table; the slowest compute_stats, in ms."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        start = time.perf_counter()
        build(home, rows, years)
        built_s = time.perf_counter() - start
        noon = datetime.combine(TODAY, datetime.min.time()).replace(hour=12)
        store = Store(home, config=Config(), now=lambda: noon)
        raw = sqlite3.connect(home / "studycards.db")
        counts = store.counts()
        size_mb = (home / "studycards.db").stat().st_size / 1e6
        print(
            f"{counts['log_rows']:,} review-log rows ({counts['undos']:,} undo rows) over {years} year(s),"
            f" {counts['cards']:,} cards, {size_mb:.0f} MB; built in {built_s:.1f} s"
        )
        deck = "deck-07"
        today = store.today()
        parts = [
            ("  reviews_by_day", lambda: stats.reviews_by_day(store, today)),
            ("  retention", lambda: stats.retention(store)),
            ("  recent answers (weakest, mistakes)", lambda: stats.recent_answers(store, today, None)),
            ("  scheduled cards (forecast)", lambda: store.cards()),
        ]
        header = f"{'statistic':<38} {'ours':>16} {'naive pass':>20} {'naive/ours':>11}"
        print(header)
        print("-" * len(header))
        slowest = 0.0
        for name, scope in (("compute_stats, all decks", None), (f"compute_stats, --deck {deck}", deck)):
            best, median, result = best_ms(lambda scope=scope: stats.compute_stats(store, deck_id=scope), repeat)
            naive_best, naive_median, naive = best_ms(lambda scope=scope: naive_stats(raw, today, scope), 1)
            assert ours_in_naive_form(result, store, scope) == naive, f"{name}: ours and the naive pass disagree"
            slowest = max(slowest, best)
            print(
                f"{name:<38} {best:>7.1f} ({median:>6.1f}) {naive_best:>9.1f} ({naive_median:>7.1f})"
                f" {naive_best / best:>10.1f}x"
            )
            if scope is None:
                for part, function in parts:
                    part_best, part_median, _ = best_ms(function, repeat)
                    print(f"{part:<38} {part_best:>7.1f} ({part_median:>6.1f})")
        print("every number agreed with the naive pass")
        print()
        store.close()
        raw.close()
    return slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, nargs="+", default=[4, 1], help="one store per spread")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    print(f"best (median) of {args.repeat} runs, in ms; naive = read every row into Python and count there")
    print()
    slowest = {years: run(args.rows, years, args.repeat) for years in args.years}
    print(
        targets_line(
            {
                f"compute_stats over {years} year(s) {ms:.0f} ms ≤ {TARGET_MS:.0f} ms": ms <= TARGET_MS
                for years, ms in slowest.items()
            }
        )
    )


if __name__ == "__main__":
    main()
