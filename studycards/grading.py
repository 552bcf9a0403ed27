"""Grading a typed answer: a verdict, the right answer, and *why* a wrong answer is wrong.

Each card kind is judged its own way. A number is compared exactly (``2*55/2`` is 55), within the
card's tolerance where it has one. A shape is compared dimension by dimension. A choice is one of the
options, case- and space-insensitive. A formula is compared with the card's own formula at the card's
own question values: the question's, plus points drawn by ``draw_values`` for a fixed family of seeds,
so constraints hold and ``(i-k+2p)/s+1`` counts as ``floor((i-k+2p)/s)+1`` on a card whose stride
divides evenly. Exact arithmetic at a bounded number of points cannot hang, unlike ``simplify``.

An answer the card lists among its ``equivalents`` (``-1`` for the last of two dims) is right, with
the card's note saying why. A wrong answer is matched against the card's listed mistakes first (their
feedback and id), then against the generic slips the card allows (``CardTemplate.slips``): off by one,
a forgotten (or added) bias, a factor of 2, and transposed shape dimensions, each only where it can
happen, so a slip is never named for an answer it does not explain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from studycards.answer_nodes import UnreadableAnswer
from studycards.answer_tree import Reading, read_answer
from studycards.choices import fold, match_choice
from studycards.deck import CardTemplate, Equivalent, Mistake
from studycards.errors import StudycardsError
from studycards.hints import neutral_shape
from studycards.question import Question, draw_values, generate
from studycards.rendering import describe, display_value, render_exact, render_value, show_value

VERDICTS = ("correct", "incorrect", "unreadable")
SAMPLE_POINTS = 40  # points a formula answer is compared at, besides the question's own
SAMPLE_SEED = 7_000_000  # the first of the seeds those points are drawn with
BIAS_FACTORS = (1, 2, 3, 4, 8)  # a bias per unit; per gate (LSTM 4, GRU 3); two bias vectors (×2)
NEAR = Fraction(1, 10**15)  # relative: an irrational answer approximated to 20 digits "equals" this close


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer: what was right, why it was wrong, and how the answer was read."""

    verdict: str  # correct | incorrect | unreadable
    expected: str  # the right answer, rendered
    feedback: str = ""  # why ('' when correct)
    mistake: str | None = None  # the card mistake's id, or a generic slip's ('off-by-one', ...)
    reading: str | None = None  # how the answer was read ('11·11·3·48·2 = 34848'), None if unreadable

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "expected": self.expected,
            "feedback": self.feedback,
            "mistake": self.mistake,
            "reading": self.reading,
        }


def grade(ref: str, seed: int, text: str, home: str | Path | None = None) -> Grade:
    """Grade ``text`` as the answer to the question card ``DECK/CARD`` asks for ``seed``.

    A bad reference raises ``RefError``; any answer at all, however hostile, gets a ``Grade``.
    """
    from studycards.deck import find_card
    from studycards.locations import data_home

    _, card = find_card(ref, data_home(home))
    return grade_question(generate(card, seed), text)


def grade_question(question: Question, text: str) -> Grade:
    """Grade ``text`` as the answer to an already generated question (what the TUI holds)."""
    expected = expected_text(question)
    try:
        kind = question.card.kind
        if kind == "choice":
            return _grade_choice(question, text, expected)
        reading = read_answer(text, question.card)
        if kind == "expression":
            return _grade_expression(question, reading, expected)
        if kind == "shape":
            return _grade_shape(question, reading, expected)
        return _grade_number(question, reading, expected)
    except UnreadableAnswer as error:
        return Grade("unreadable", expected, feedback=f"Cannot read the answer: {error.reason}.")
    except Exception as error:  # the contract: no answer, however hostile, raises out of here
        # The reader bounds everything it accepts; this last guard keeps that promise if something slips.
        return Grade("unreadable", expected, feedback=f"Cannot check this answer ({type(error).__name__}).")


def expected_text(question: Question) -> str:
    """The right answer as shown to the learner: the value, or the formula on an expression card."""
    return question.answer_text


# --- numbers ----------------------------------------------------------------------------------------


def _grade_number(question: Question, reading: Reading, expected: str) -> Grade:
    got, exact = reading.evaluate(question.values)
    shown = describe(reading, question.values, (got, exact))
    answer = question.answer
    tolerance = _tolerance(question.card, answer)
    if _close(got, answer, tolerance, exact):
        return Grade("correct", expected, reading=shown)
    equivalent = _equivalent(question, got, tolerance, exact)
    if equivalent is not None:
        return Grade("correct", expected, equivalent, reading=shown)
    mistake = _listed_mistake(question, got, tolerance, exact)
    if mistake is not None:
        return Grade("incorrect", expected, _feedback(question, mistake), mistake.id, shown)
    slip = _generic_slip(question.card, [(answer, got, question.values)], question.prompt)
    if slip is not None:
        return Grade("incorrect", expected, slip[1], slip[0], shown)
    yours = show_value(got, exact).removeprefix("= ")
    # The verdict already says what was expected; say what is left to do.
    feedback = f"No common slip explains {yours}: compare your steps with the worked solution."
    return Grade("incorrect", expected, feedback, None, shown)


def _tolerance(card: CardTemplate, answer: Any) -> Fraction:
    """The card's tolerance, or, for an answer that can only be shown rounded, half its last digit.

    An answer like tanh(1) = 0.761594… is shown to six significant digits; typing what is shown must be
    right even on a card that forgot to state a tolerance.
    """
    if card.tolerance is not None:
        return Fraction(card.tolerance)
    if card.decimals is not None:  # the answer is shown rounded: half a unit in its last place
        return Fraction(1, 2 * 10**card.decimals)
    values = answer if isinstance(answer, tuple) else (answer,)
    if all(not isinstance(v, Fraction) or render_exact(v) is not None for v in values):
        return Fraction(0)
    smallest = min(abs(v) for v in values if isinstance(v, Fraction) and v)
    return Fraction(1, 2) * Fraction(10) ** (math.floor(math.log10(smallest)) - 5)


def _close(got: Any, want: Any, tolerance: Fraction, exact: bool = True) -> bool:
    """Equal, or within ``tolerance``; an approximated irrational ``got`` also within ``NEAR``."""
    if got is None or want is None:
        return False
    if isinstance(got, tuple) or isinstance(want, tuple):
        return (
            isinstance(got, tuple)
            and isinstance(want, tuple)
            and len(got) == len(want)
            and all(_close(g, w, tolerance, exact) for g, w in zip(got, want))
        )
    if not exact:
        tolerance = max(tolerance, NEAR * max(1, abs(Fraction(want))))
    return got == want if not tolerance else abs(Fraction(got) - Fraction(want)) <= tolerance


def _listed_mistake(question: Question, got: Any, tolerance: Fraction, exact: bool = True) -> Mistake | None:
    """The first of the card's mistakes this answer matches (and that is not also the right answer)."""
    for mistake in question.card.mistakes:
        value = _mistake_value(question, mistake)
        if value is None:
            continue
        if _close(value, question.answer, tolerance):
            continue
        if _close(got, value, tolerance, exact):
            return mistake
    return None


def _equivalent(question: Question, got: Any, tolerance: Fraction, exact: bool = True) -> str | None:
    """The note of the card's equivalent answer ``got`` matches ("-1 names the same dim"), else None."""
    for equivalent in question.card.equivalents:
        try:
            value = equivalent.answer.evaluate(question.values)
        except StudycardsError:
            continue
        if _close(got, value, tolerance, exact):
            return _equivalent_note(question, equivalent)
    return None


def equivalent_conflicts(question: Question) -> list[str]:
    """Each equivalent answer that is also one of the card's listed mistakes for this question's numbers:
    the deck calls it right and wrong, grading says right, and the mistake's feedback is never shown.
    ``check`` fails on these, naming both (``field 'equivalents[0]': ...``)."""
    answer = question.answer
    tolerance = _tolerance(question.card, answer)
    conflicts = []
    for index, equivalent in enumerate(question.card.equivalents):
        try:
            value = equivalent.answer.evaluate(question.values)
        except StudycardsError:
            continue
        for mistake in question.card.mistakes:
            wrong = _mistake_value(question, mistake)
            if wrong is None or _close(wrong, answer, tolerance) or not _close(value, wrong, tolerance):
                continue
            conflicts.append(
                f"field 'equivalents[{index}]': the equivalent answer {equivalent.answer.text!r}"
                f" ({display_value(value)} here) is also the listed mistake {mistake.id!r}"
                f" ({_formula_text(mistake.answer)!r}): the deck calls one answer both right and wrong"
            )
    return conflicts


def _formula_text(formula: Any) -> str:
    return formula if isinstance(formula, str) else formula.text


def _equivalent_note(question: Question, equivalent: Equivalent) -> str:
    from studycards.question import fill

    try:
        return fill(equivalent.feedback, {**question.values, "answer": question.answer})
    except StudycardsError:
        return equivalent.feedback


def _mistake_value(question: Question, mistake: Mistake) -> Any:
    """What this mistake answers for these numbers, or None where it has no value (division by zero)."""
    try:
        return question.mistake_value(mistake)
    except StudycardsError:
        return None


def _feedback(question: Question, mistake: Mistake) -> str:
    """The mistake's feedback with this question's numbers; its raw text if a placeholder fails."""
    try:
        return question.feedback(mistake)
    except StudycardsError:
        return mistake.feedback


def _show(value: Any) -> str:
    return show_value(value).removeprefix("= ")


# --- generic slips ----------------------------------------------------------------------------------

_NO_BIAS = ("ignoring bias", "ignore bias", "no bias", "without bias", "bias=false", "bias = false")


def _generic_slip(
    card: CardTemplate, cases: Sequence[tuple[Any, Any, Mapping[str, Any]]], prompt: str
) -> tuple[str, str] | None:
    """A slip the card allows, true at every ``(expected, got, values)`` case: (id, feedback) or None.

    These slips are about counts and sizes, so they are named only where every expected value is a
    whole number (never for a gate's value of 0.42).
    """
    if not cases or any(not _is_number(e) or not _is_number(g) for e, g, _ in cases):
        return None
    if not all(isinstance(e, int) for e, _, _ in cases):
        return None
    allowed = set(card.slips)
    differences = [g - e for e, g, _ in cases]
    if "off-by-one" in allowed:
        for step in (1, -1):
            if all(d == step for d in differences):
                direction = "one too many" if step == 1 else "one too few"
                return "off-by-one", (
                    f"Off by one ({direction}): check the +1 or −1 in the formula, for example whether "
                    "the first position (or both ends) should count."
                )
    if "factor-of-2" in allowed and all(e != 0 for e, _, _ in cases):
        if all(g == 2 * e for e, g, _ in cases):
            return "factor-of-2", (
                "That is twice the answer: something was counted twice here that counts once "
                "(one direction, one GPU, padding already on both sides)."
            )
        if all(2 * g == e for e, g, _ in cases):
            return "factor-of-2", (
                "That is half the answer: something counts twice here (padding on both sides, both "
                "directions of a bidirectional layer, AlexNet's two GPUs)."
            )
    text = f"{card.title} {prompt}".lower()
    if allowed & {"forgot-bias", "added-bias"}:
        no_bias = any(phrase in text for phrase in _NO_BIAS)
        for name, how in _bias_candidates(card):
            amounts = [_bias_amount(how, values) for _, _, values in cases]
            if any(a is None or a <= 0 for a in amounts):
                continue
            first = cases[0][2]
            if "forgot-bias" in allowed and not no_bias and all(-d == a for d, a in zip(differences, amounts)):
                return "forgot-bias", (
                    f"{_show(amounts[0])} short: exactly the biases ({name} = {_show(_bias_amount(how, first))}). "
                    "Each output unit (filter, gate) has its own bias, and they count as parameters."
                )
            if "added-bias" in allowed and no_bias and all(d == a for d, a in zip(differences, amounts)):
                return "added-bias", (
                    f"{_show(amounts[0])} too many: exactly the biases ({name}), which this question leaves out."
                )
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Fraction) and not isinstance(value, bool)


def _bias_candidates(card: CardTemplate) -> list[tuple[str, tuple[int, tuple[str, ...]]]]:
    """Amounts that could be a layer's biases: ``c·name`` for one parameter, or two parameters' sum."""
    names = [*card.params, *card.derived]
    candidates = [
        (name if factor == 1 else f"{factor}·{name}", (factor, (name,))) for factor in BIAS_FACTORS for name in names
    ]
    candidates += [
        (f"{a} + {b}", (1, (a, b))) for index, a in enumerate(names) for b in names[index + 1 :]
    ]
    return candidates


def _bias_amount(how: tuple[int, tuple[str, ...]], values: Mapping[str, Any]) -> Any:
    factor, names = how
    parts = [values.get(name) for name in names]
    if not all(_is_number(part) for part in parts):
        return None
    return factor * sum(parts)


# --- shapes -----------------------------------------------------------------------------------------


def _grade_shape(question: Question, reading: Reading, expected: str) -> Grade:
    answer = question.answer
    got, exact = reading.evaluate(question.values)
    shown = describe(reading, question.values, (got, exact))
    tolerance = _tolerance(question.card, answer)
    if not isinstance(got, tuple):  # one number: a one-dimensional shape, if that is what was asked
        got = (got,)
        if isinstance(answer, tuple) and len(answer) > 1 and not _listed_mistake(question, got, tolerance, exact):
            raise UnreadableAnswer(
                f"this card asks for a shape, so write all {len(answer)} dimensions, "
                f"like {render_value(neutral_shape(len(answer), answer))}"
            )
    if _close(got, answer, tolerance, exact):
        return Grade("correct", expected, reading=shown)
    equivalent = _equivalent(question, got, tolerance, exact)
    if equivalent is not None:
        return Grade("correct", expected, equivalent, reading=shown)
    mistake = _listed_mistake(question, got, tolerance, exact)
    if mistake is not None:
        return Grade("incorrect", expected, _feedback(question, mistake), mistake.id, shown)
    slip_id, feedback = _shape_slip(answer, got, tolerance if exact else max(tolerance, NEAR), question.card.slips)
    return Grade("incorrect", expected, feedback, slip_id, shown)


def _shape_slip(
    answer: tuple, got: tuple, tolerance: Fraction, slips: Sequence[str] = ("off-by-one", "factor-of-2", "transposed")
) -> tuple[str | None, str]:
    """Which dimensions are wrong, and whether that is a transposition, an off-by-one or a factor of 2.

    A slip is named only if the card allows it (``slips``); the wrong dimensions are listed either way.
    """
    if len(got) != len(answer):
        return None, (
            f"The shape has {len(answer)} dimensions; yours has {len(got)}. The answer is {render_value(answer)}."
        )
    wrong = [index for index, (g, a) in enumerate(zip(got, answer)) if not _close(g, a, tolerance)]
    if "transposed" in slips and sorted(got) == sorted(answer):
        places = " and ".join(str(index + 1) for index in wrong)
        swapped = "are swapped" if len(wrong) == 2 else "are in the wrong order"
        return "transposed", (
            f"The right sizes in the wrong order: dimensions {places} {swapped}. The answer is {render_value(answer)}."
        )
    details = "; ".join(
        f"dimension {index + 1} should be {render_value(answer[index])}, not {render_value(got[index])}"
        for index in wrong
    )
    pairs = [(answer[index], got[index]) for index in wrong]
    whole = all(isinstance(a, int) for a in answer)
    if "off-by-one" in slips and whole and all(_is_number(g) and abs(g - a) == 1 for a, g in pairs):
        return "off-by-one", f"Off by one: {details}. Check the +1 in the size formula."
    if "factor-of-2" in slips and whole and all(_is_number(g) and a and (g == 2 * a or 2 * g == a) for a, g in pairs):
        return "factor-of-2", f"Off by a factor of 2: {details}. Check what counts twice (padding, stride)."
    return None, details[0].upper() + details[1:] + "."


# --- formulas ---------------------------------------------------------------------------------------


@dataclass
class _Sample:
    """A card's comparison points, with its answer's and its mistakes' values there, computed once."""

    card: CardTemplate
    points: list[dict[str, Any]]
    answers: list[Any]
    mistakes: dict[str, list[Any]]


_SAMPLES: dict[int, _Sample] = {}


def _sample(card: CardTemplate) -> _Sample:
    cached = _SAMPLES.get(id(card))
    if cached is not None and cached.card is card:
        return cached
    points: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for seed in range(SAMPLE_SEED, SAMPLE_SEED + SAMPLE_POINTS):
        try:
            values = draw_values(card, seed)
        except StudycardsError:
            continue
        key = tuple(values[name] for name in card.params)
        if key not in seen:
            seen.add(key)
            points.append(values)
    answers = [_value_of(card.answer, values) for values in points]
    mistakes = {m.id: [_value_of(m.answer, values) for values in points] for m in card.mistakes}
    if len(_SAMPLES) > 256:
        _SAMPLES.clear()
    sample = _Sample(card, points, answers, mistakes)
    _SAMPLES[id(card)] = sample
    return sample


def _value_of(formula: Any, values: Mapping[str, Any]) -> Any:
    try:
        return formula.evaluate(values)
    except StudycardsError:
        return None


def _grade_expression(question: Question, reading: Reading, expected: str) -> Grade:
    card = question.card
    sample = _sample(card)
    own = tuple(question.values[name] for name in card.params)
    others = [i for i, values in enumerate(sample.points) if tuple(values[n] for n in card.params) != own]
    points = [question.values] + [sample.points[i] for i in others]
    answers = [question.answer] + [sample.answers[i] for i in others]
    got: list[Any] = []
    exact: list[bool] = []
    first_error: UnreadableAnswer | None = None
    for values in points:
        try:
            value, is_exact = reading.evaluate(values, settle=False)  # bounded: no sympy per point
        except UnreadableAnswer as error:
            first_error = first_error or error
            value, is_exact = None, True
        got.append(value)
        exact.append(is_exact)
    if all(value is None for value in got) and first_error is not None:
        raise first_error
    shown = reading.render()
    zero = Fraction(0)
    if all(_close(g, a, zero, e) for g, a, e in zip(got, answers, exact)):
        return Grade("correct", expected, reading=shown)
    for mistake in card.mistakes:
        wrong = [_mistake_value(question, mistake)] + [sample.mistakes[mistake.id][i] for i in others]
        if all(_close(w, a, zero) for w, a in zip(wrong, answers)):
            continue  # this "mistake" is right wherever the card asks it
        if all(_close(g, w, zero, e) for g, w, e in zip(got, wrong, exact)):
            return Grade("incorrect", expected, _feedback(question, mistake), mistake.id, shown)
    cases = [(a, g, values) for a, g, values in zip(answers, got, points)]
    slip = _generic_slip(card, cases, question.prompt) if all(exact) else None
    if slip is not None:
        return Grade("incorrect", expected, slip[1], slip[0], shown)
    return Grade("incorrect", expected, _counterexample(card, reading, cases, exact), None, shown)


def _counterexample(
    card: CardTemplate, reading: Reading, cases: list[tuple[Any, Any, Mapping[str, Any]]], exact: list[bool]
) -> str:
    """Where the learner's formula and the card's part, in the card's own numbers."""
    for (answer, got, values), is_exact in zip(cases, exact):
        if _close(got, answer, Fraction(0), is_exact):
            continue
        at = ", ".join(f"{name} = {render_value(values[name])}" for name in card.params)
        yours = "is undefined" if got is None else f"gives {show_value(got, is_exact).removeprefix('= ')}"
        hint = ""
        if not reading.names and card.params:
            hint = f" Write a formula in {', '.join(card.params)}: a number answers only one question."
        return f"With {at}, your formula {yours}, but the answer is {_show(answer)}.{hint}"
    return "Your formula differs from the answer."


# --- choices (which option an answer names: ``choices``) -------------------------------------------


def _grade_choice(question: Question, text: str, expected: str) -> Grade:
    from studycards.question import fill

    options = [fill(option, question.values) for option in question.card.choices]
    index = match_choice(text, options)
    chosen = options[index]
    shown = f"option {index + 1}: {chosen}"
    if fold(chosen) == fold(question.answer):
        return Grade("correct", expected, reading=shown)
    for mistake in question.card.mistakes:
        wrong = _mistake_value(question, mistake)
        if wrong is not None and fold(wrong) == fold(chosen):
            return Grade("incorrect", expected, _feedback(question, mistake), mistake.id, shown)
    return Grade("incorrect", expected, f"Not “{chosen}”: the answer is “{expected}”.", None, shown)
