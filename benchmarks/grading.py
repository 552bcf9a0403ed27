"""Grading time per answer, by answer kind, beside sympy's ``simplify`` deciding the same pairs.

The answers are the ones the tests use: for every card of every deck and a range of seeds, the card's
own answer, two mechanical rewritings of it, and each listed mistake. Each is graded once to warm the
per-card caches (a card's comparison points are drawn once per process), then timed: the median of
three runs of each answer, so that another process taking the CPU does not count as grading time. The sympy column
times ``simplify(learner - expected) == 0`` on the same pairs (numbers and shapes with the question's
values substituted, formulas symbolically) and says how often it agrees with our verdict: it cannot know
a card's constraints, so ``floor((i-k+2p)/s)+1`` is not ``(i-k+2p)/s+1`` to it.

The hostile corpus from ``tests/hostile_answers.py`` is timed against each kind of card, and the live
preview against every prefix of the answers (one call per keystroke).

Targets: p99 ≤ 20 ms for well-formed answers, ≤ 200 ms worst case for hostile ones.

    python benchmarks/grading.py [--seeds 10] [--sympy-pairs 120]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from hostile_answers import corpus  # noqa: E402
from test_grading import exact_text, rewritings  # noqa: E402
from timing import targets_line  # noqa: E402 - benchmarks/timing.py, beside this script

from studycards.answer_reader import UnreadableAnswer, preview, read_answer, to_sympy  # noqa: E402
from studycards.deck import load_decks  # noqa: E402
from studycards.grading import _SAMPLES, grade_question  # noqa: E402
from studycards.question import generate  # noqa: E402

WELL_FORMED_P99_MS = 20.0
HOSTILE_MAX_MS = 200.0
KINDS = ("number", "expression", "shape", "choice")


def answers_for(cards, seeds: int) -> list[tuple[object, str]]:
    pairs = []
    for card in cards:
        for seed in range(seeds):
            question = generate(card, seed)
            own = card.answer.text if card.kind == "expression" else question.answer_text
            texts = [own, *rewritings(question)]
            if card.kind == "expression":  # equal where the card's constraints hold; sympy cannot know
                texts.append(f"floor({card.answer.text})")
            for mistake in card.mistakes:
                if card.kind == "expression":
                    texts.append(mistake.answer.text)
                elif card.kind == "choice":
                    texts.append(question.mistake_value(mistake))
                else:
                    texts.append(exact_text(question.mistake_value(mistake)))
            pairs += [(question, text) for text in texts]
    return pairs


def timed(function: Callable[[], object], repeats: int = 3) -> tuple[float, object]:
    """Milliseconds for one call: the median of ``repeats`` runs, so a busy machine's hiccups do not count."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def simplify_pair(question, text: str) -> bool | None:
    """sympy's own verdict: does ``simplify(learner - expected)`` come out 0? None if unreadable."""
    import sympy

    card = question.card
    try:
        reading = read_answer(text, card)
        if card.kind == "expression":
            learner = reading.expr
            expected = read_answer(card.answer.text, card).expr
            return sympy.simplify(learner - expected) == 0
        learner = to_sympy(reading.tree, question.values)
    except UnreadableAnswer:
        return None
    want = question.answer if isinstance(question.answer, tuple) else (question.answer,)
    got = tuple(learner) if isinstance(learner, sympy.Tuple) else (learner,)
    if len(got) != len(want):
        return False
    return all(
        sympy.simplify(g - sympy.Rational(Fraction(w).numerator, Fraction(w).denominator)) == 0
        for g, w in zip(got, want)
    )


def row(label: str, count: int, ours: list[float], theirs: list[float] | None, agree: str) -> tuple:
    if not ours:
        return (label, count, "—", "—", "—", "—", "—", agree)
    p50, p99 = percentile(ours, 0.5), percentile(ours, 0.99)
    if not theirs:
        return (label, count, f"{p50:.3f}", f"{p99:.3f}", "—", "—", "—", agree)
    s50, s99 = percentile(theirs, 0.5), percentile(theirs, 0.99)
    return (label, count, f"{p50:.3f}", f"{p99:.3f}", f"{s50:.3f}", f"{s99:.3f}", f"{s99 / p99:.1f}×", agree)


def print_table(headers: tuple, rows: list[tuple]) -> None:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for index, line in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))))
        if index == 0:
            print("  ".join("-" * w for w in widths))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--sympy-pairs", type=int, default=120, help="pairs per kind timed with simplify")
    args = parser.parse_args()

    cards = [card for deck in load_decks() for card in deck.cards]
    expression_card = next(card for card in cards if card.kind == "expression")
    _SAMPLES.clear()
    cold_ms, _ = timed(lambda: grade_question(generate(expression_card, 0), "1"), repeats=1)

    pairs = answers_for(cards, args.seeds)
    for question, text in pairs:  # warm: per-card comparison points, lazy imports
        grade_question(question, text)

    ours: dict[str, list[float]] = defaultdict(list)
    verdicts: dict[str, list[tuple]] = defaultdict(list)
    for question, text in pairs:
        elapsed, result = timed(lambda q=question, t=text: grade_question(q, t))
        ours[question.card.kind].append(elapsed)
        verdicts[question.card.kind].append((question, text, result.verdict))

    theirs: dict[str, list[float]] = defaultdict(list)
    agreement: dict[str, str] = {}
    for kind in KINDS:
        if kind == "choice":
            agreement[kind] = "—"
            continue
        agree = total = 0
        for question, text, verdict in verdicts[kind][: args.sympy_pairs]:
            elapsed, zero = timed(lambda q=question, t=text: simplify_pair(q, t), repeats=1)
            if zero is None:
                continue
            theirs[kind].append(elapsed)
            total += 1
            agree += zero == (verdict == "correct")
        agreement[kind] = f"{agree}/{total}" if total else "—"

    hostile_times: list[tuple[float, str, str]] = []
    hostile_questions = {}
    for card in cards:
        hostile_questions.setdefault(card.kind, generate(card, 1))
    for label, text in corpus("/nonexistent/studycards-benchmark-marker"):
        for kind, question in hostile_questions.items():
            elapsed, result = timed(lambda q=question, t=text: grade_question(q, t))
            assert result.verdict != "correct", (label, kind)
            hostile_times.append((elapsed, label, kind))

    preview_times = []
    for question, text in pairs[:: max(1, len(pairs) // 300)]:
        for end in range(1, len(text) + 1):
            elapsed, _ = timed(lambda q=question, t=text[:end]: preview(t, q))
            preview_times.append(elapsed)

    rows = [row(kind, len(ours[kind]), ours[kind], theirs.get(kind), agreement[kind]) for kind in KINDS]
    well_formed = [t for kind in KINDS for t in ours[kind]]
    rows.append(row("all well-formed", len(well_formed), well_formed, None, ""))
    hostile_ms = [t for t, _, _ in hostile_times]
    rows.append(row("hostile", len(hostile_ms), hostile_ms, None, ""))
    rows.append(row("preview (per keystroke)", len(preview_times), preview_times, None, ""))
    print(f"{len(cards)} cards, {args.seeds} seeds; times in ms per answer")
    print()
    print_table(
        ("answers", "n", "ours p50", "ours p99", "simplify p50", "simplify p99", "p99 ratio", "sympy agrees"),
        rows,
    )
    worst, label, kind = max(hostile_times)
    print()
    print(f"first grade on a formula card in a fresh process (draws its 40 points): {cold_ms:.1f} ms")
    print(f"slowest hostile answer: {worst:.2f} ms ({label!r}, {kind} card)")
    p99 = percentile(well_formed, 0.99)
    ok = p99 <= WELL_FORMED_P99_MS and worst <= HOSTILE_MAX_MS
    print(f"(median over all: {statistics.median(well_formed):.3f} ms)")
    print(
        targets_line(
            {
                f"well-formed p99 {p99:.2f} ms ≤ {WELL_FORMED_P99_MS:.0f} ms": p99 <= WELL_FORMED_P99_MS,
                f"hostile worst {worst:.2f} ms ≤ {HOSTILE_MAX_MS:.0f} ms": worst <= HOSTILE_MAX_MS,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
