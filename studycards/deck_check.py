"""Question tests for decks: every card, over many seeds, must agree with torch.

This is what ``studycards check`` runs and what the property tests call: a deck author learns of a wrong
formula (or an over-tight constraint) before any learner is asked a question with a wrong answer.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from studycards.deck import CardTemplate, Deck
from studycards.errors import StudycardsError
from studycards.question import draw_values, question_with
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


def check_card(card: CardTemplate, seeds: Iterable[int], *, reuse: bool = True) -> CardReport:
    """Generate the card for each seed, compare its answer with what torch reads, and check its texts.

    Seeds that draw the same values ask the same question, so each distinct set of values is worked out
    once (its question, torch's verdict, its texts) and every seed drawing it gets that outcome, under its
    own seed; a layer built for one seed is measured on every input the card gives it. ``reuse=False``
    works every seed out from scratch: the naive pass the benchmark compares with.
    """
    from studycards.ground_truth import reusing_modules
    from studycards.text_lint import template_problems

    report = CardReport(ref=card.ref)
    started = time.perf_counter()
    in_templates = template_problems(card)  # the same at every seed: reported at the first
    outcomes: dict[Any, _Outcome] = {}
    with reusing_modules() if reuse else contextlib.nullcontext():
        for seed in seeds:
            report.seeds += 1
            try:
                values = draw_values(card, seed)
            except StudycardsError as error:
                outcome = _Outcome(error=error)
            else:
                key = _values_key(values) if reuse else None
                outcome = outcomes.get(key) if key is not None else None
                if outcome is None:
                    outcome = _outcome_of(card, seed, values)
                    if key is not None:
                        outcomes[key] = outcome
            error = outcome.error
            if error is not None:
                _fail(report, f"{card.ref} seed {seed}: {error}")
                # Hopeless at every seed alike: no parameters, or a truth out of time (one deadline per card).
                if isinstance(error, TruthOutOfTime) or "no parameters met the constraints" in str(error):
                    break
                continue
            messages = [f"{card.ref} seed {seed}: {problem}" for problem in (*in_templates, *outcome.problems)]
            in_templates = []
            if outcome.verdict == "unprovable":
                report.unprovable += 1
            elif outcome.verdict == "proved":
                report.proved += 1
            else:
                messages.insert(0, f"{card.ref} seed {seed}: {outcome.disagreement}")
            if messages:
                _fail(report, *messages)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class _Outcome:
    """What checking one set of values found: a deck error, or torch's verdict and the texts' problems.

    ``verdict`` is "proved", "unprovable" (no torch truth) or "disagrees", with ``disagreement`` saying how.
    """

    error: StudycardsError | None = None
    verdict: str = ""
    disagreement: str = ""
    problems: tuple = ()


def _outcome_of(card: CardTemplate, seed: int, values: dict[str, Any]) -> _Outcome:
    from studycards.grading import equivalent_conflicts
    from studycards.ground_truth import truth_of
    from studycards.text_lint import question_problems, torch_line_problems

    try:
        question = question_with(card, seed, values)
        truth = truth_of(question)
        problems = [*question_problems(question), *equivalent_conflicts(question)]
        problems += torch_line_problems(truth.lines if truth is not None else ())
    except StudycardsError as error:
        return _Outcome(error=error)
    if truth is None:
        return _Outcome(verdict="unprovable", problems=tuple(problems))
    if truth.agrees:
        return _Outcome(verdict="proved", problems=tuple(problems))
    disagreement = f"the deck says {question.answer_text} but torch reads {_shown(truth.value)} ({truth.describe()})"
    return _Outcome(verdict="disagrees", disagreement=disagreement, problems=tuple(problems))


def _values_key(values: dict[str, Any]) -> Any:
    """The drawn values as a key that tells 1, 1.0 and True apart; None when a value cannot be a key."""

    def typed(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return (type(value), tuple(typed(item) for item in value))
        return (type(value), value)

    key = tuple((name, typed(value)) for name, value in values.items())
    try:
        hash(key)
    except TypeError:
        return None
    return key


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
