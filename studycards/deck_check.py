"""Question tests for decks: every card, over many seeds, must agree with torch.

This is what ``studycards check`` runs and what the property tests call: a deck author learns of a wrong
formula (or an over-tight constraint) before any learner is asked a question with a wrong answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from studycards.deck import CardTemplate, Deck
from studycards.errors import StudycardsError
from studycards.question import generate
from studycards.truth_budget import TruthOutOfTime


@dataclass
class CardReport:
    """How one card fared: seeds proved by torch, seeds without a torch truth, and the first failures."""

    ref: str
    seeds: int = 0
    proved: int = 0
    unprovable: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


MAX_FAILURES_KEPT = 5


def check_card(card: CardTemplate, seeds: Iterable[int]) -> CardReport:
    """Generate the card for each seed, compare its answer with what torch reads, and check its texts."""
    from studycards.grading import equivalent_conflicts
    from studycards.ground_truth import truth_of
    from studycards.text_lint import template_problems, torch_line_problems

    report = CardReport(ref=card.ref)
    started = time.perf_counter()
    in_templates = template_problems(card)  # the same at every seed: reported at the first
    seen_texts: dict = {}
    for seed in seeds:
        report.seeds += 1
        try:
            question = generate(card, seed)
            truth = truth_of(question)
            problems = [*in_templates, *_text_problems(question, seen_texts), *equivalent_conflicts(question)]
            problems += torch_line_problems(truth.lines if truth is not None else ())
        except StudycardsError as error:
            _fail(report, f"{card.ref} seed {seed}: {error}")
            # Hopeless at every seed alike: no parameters, or a truth out of time (one deadline per card).
            if isinstance(error, TruthOutOfTime) or "no parameters met the constraints" in str(error):
                break
            continue
        in_templates = []
        messages = [f"{card.ref} seed {seed}: {problem}" for problem in problems]
        if truth is None:
            report.unprovable += 1
        elif truth.agrees:
            report.proved += 1
        else:
            messages.insert(
                0,
                f"{card.ref} seed {seed}: the deck says {question.answer_text} but torch reads "
                f"{_shown(truth.value)} ({truth.describe()})",
            )
        if messages:
            _fail(report, *messages)
    report.seconds = time.perf_counter() - started
    return report


def _text_problems(question, seen: dict) -> list:
    """The texts' problems, read once per set of values: seeds that draw the same numbers read alike."""
    from studycards.text_lint import question_problems

    try:
        key = tuple(question.values.items())
        hash(key)
    except TypeError:
        return question_problems(question)
    if key not in seen:
        seen[key] = question_problems(question)
    return seen[key]


def check_deck(deck: Deck, seeds: int, first_seed: int = 0) -> list[CardReport]:
    return [check_card(card, range(first_seed, first_seed + seeds)) for card in deck.cards]


def _fail(report: CardReport, *messages: str) -> None:
    """Count a failed seed; keep the first few messages (one wrong formula fails most seeds alike)."""
    report.failed += 1
    for message in messages:
        if len(report.failures) < MAX_FAILURES_KEPT:
            report.failures.append(message)


def _shown(value) -> str:
    from studycards.formula import render_value

    return render_value(value)
