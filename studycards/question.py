"""Seeded questions: a card template plus a seed gives the same concrete question on every machine.

Parameters are drawn with ``random.Random`` seeded by ``"deck/card/seed"`` (string seeds hash with
SHA-512, stable across platforms and Python versions). Constraints are met by rejection within a bounded
number of tries; a card whose constraints cannot be met is a deck error, not a hang.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from studycards.deck import PLACEHOLDER, CardTemplate, Deck, Mistake, _unescape_braces
from studycards.errors import DeckError, FormulaError
from studycards.formula import Formula, display_value, parse_formula, render_value
from studycards.grammar import TEXT_FUNCTIONS, fixed

MAX_TRIES = 1000


@dataclass(frozen=True)
class Question:
    """One generated question with its answer and worked solution, everything filled in."""

    card: CardTemplate = field(repr=False)
    seed: int
    values: Mapping[str, Any]
    prompt: str
    answer: Any
    answer_text: str
    solution: str

    @property
    def ref(self) -> str:
        return self.card.ref

    @property
    def kind(self) -> str:
        return self.card.kind

    @property
    def params(self) -> dict[str, Any]:
        return {name: self.values[name] for name in self.card.params}

    def mistake_value(self, mistake: Mistake) -> Any:
        """What a learner making this mistake would answer, for this question's numbers."""
        if isinstance(mistake.answer, str):
            return fill(mistake.answer, self.values)
        return mistake.answer.evaluate(self.values)

    def feedback(self, mistake: Mistake) -> str:
        return fill(mistake.feedback, {**self.values, "answer": self.answer})

    def mistakes_shown(self) -> list[dict[str, Any]]:
        """Each listed mistake as the learner would meet it here: its wrong answer and its feedback.

        A mistake whose answer is right for these numbers (ignoring a stride of 1), or the same as an earlier
        mistake's, is left out, as grading never shows it; the answer is ``None`` where the mistake has no
        value here (a division by zero).
        """
        shown = []
        shown_values: list[Any] = []
        for mistake in self.card.mistakes:
            if self.kind == "expression":
                answer: str | None = formula_text(mistake.answer, self.card)  # type: ignore[arg-type]
            else:
                try:
                    value = self.mistake_value(mistake)
                except FormulaError:
                    value = None
                if value is not None and (value == self.answer or value in shown_values):
                    continue  # right here, or an earlier mistake's answer: grading never shows this one
                shown_values.append(value)
                answer = None if value is None else display_value(value)
            values = {**self.values, "answer": self.answer}
            feedback = _fill_field(self.card, mistake.feedback, values, f"mistakes.{mistake.id}.feedback")
            shown.append({"id": mistake.id, "answer": answer, "feedback": feedback})
        return shown

    def equivalents_shown(self) -> list[dict[str, Any]]:
        """Each other answer the card accepts as just as right, as graded here: its value (its formula on a
        formula card; ``None`` where it has no value for these numbers) and the note grading shows with it."""
        shown = []
        values = {**self.values, "answer": self.answer}
        for index, equivalent in enumerate(self.card.equivalents):
            if self.kind == "expression":
                answer: str | None = formula_text(equivalent.answer, self.card)
            else:
                try:
                    answer = display_value(equivalent.answer.evaluate(self.values))
                except FormulaError:
                    answer = None
            note = _fill_field(self.card, equivalent.feedback, values, f"equivalents[{index}].feedback")
            shown.append({"answer": answer, "feedback": note})
        return shown

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``studycards show --json`` and the exporters."""
        return {
            "deck": self.card.deck_id,
            "card": self.card.id,
            "ref": self.ref,
            "title": self.card.title,
            "kind": self.kind,
            "seed": self.seed,
            "prompt": self.prompt,
            "answer": self.answer_text,
            "answer_value": json_value(self.answer),
            "solution": self.solution,
            "params": {name: json_value(value) for name, value in self.params.items()},
            "choices": list(self.card.choices),
            "mistakes": self.mistakes_shown(),
            "equivalents": self.equivalents_shown(),
            "aliases": dict(self.card.aliases),  # other spellings of the prompt's names the answer box reads
            "slips": list(self.card.slips),  # the generic slips grading may name on this card
        }


def generate(card: CardTemplate, seed: int) -> Question:
    """The question ``card`` asks for ``seed``."""
    return question_with(card, seed, draw_values(card, seed))


def question_with(card: CardTemplate, seed: int, values: dict[str, Any]) -> Question:
    """The question ``card`` asks with ``values`` (``draw_values`` for ``seed``): all but the draw depends
    on the values alone, so ``check`` works out each distinct set of values once."""
    if card.kind == "choice":
        answer: Any = fill(card.answer, values)  # type: ignore[arg-type]
        answer_text = answer
    else:
        answer = _evaluate(card, card.answer, values, "answer")  # type: ignore[arg-type]
        if card.kind == "expression":
            answer_text = formula_text(card.answer, card)
        elif card.decimals is not None:
            answer_text = fixed(answer, card.decimals)
        else:
            answer_text = display_value(answer)
    with_answer = {**values, "answer": answer}
    return Question(
        card=card,
        seed=seed,
        values=values,
        prompt=_fill_field(card, card.prompt, values, "prompt"),
        answer=answer,
        answer_text=answer_text,
        solution=_fill_field(card, card.solution, with_answer, "solution"),
    )


def formula_text(formula: Formula, card: CardTemplate) -> str:
    """A deck formula as a person writes it: ``(i − k + 2p)/s + 1``, not ``(i - k + 2*p)/s + 1``.

    An expression card's answer is shown this way everywhere. A number times a name is written side by
    side (``2p``); other products keep their dot (``k·k``).
    """
    from studycards.answer_nodes import UnreadableAnswer
    from studycards.answer_tree import read_answer

    try:
        shown = read_answer(formula.text, card).render()
    except UnreadableAnswer:
        return formula.text
    return re.sub(r"(?<![\w.])(\d+)·(?=[A-Za-z_(])", r"\1", shown)


def draw_values(card: CardTemplate, seed: int) -> dict[str, Any]:
    """Params drawn for ``seed`` and the derived values computed from them, constraints met."""
    rng = random.Random(f"{card.deck_id}/{card.id}/{seed}")
    param_names = set(card.params)
    early = [c for c in card.constraints if c.names <= param_names]
    late = [c for c in card.constraints if not c.names <= param_names]
    for _ in range(MAX_TRIES):
        values: dict[str, Any] = {name: spec.draw(rng) for name, spec in card.params.items()}
        if not all(_holds(card, c, values) for c in early):
            continue
        for name, formula in card.derived.items():
            values[name] = _evaluate(card, formula, values, f"derived.{name}")
        if all(_holds(card, c, values) for c in late):
            return values
    raise DeckError(
        f"{_deck_path(card)}: card {card.id!r}: field 'constraints': "
        f"no parameters met the constraints in {MAX_TRIES} tries"
    )


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Replace each ``{formula}`` in ``text`` with its rendered value; ``{{``/``}}`` are literal braces."""
    text = _unescape_braces(text)
    plain = _plain_placeholders(text)

    def substitute(match) -> str:
        value = _placeholder(match.group(1)).evaluate(values, TEXT_FUNCTIONS)
        return render_value(value) if match.start() in plain else display_value(value)

    filled = PLACEHOLDER.sub(substitute, text)
    return filled.replace("\x01", "{").replace("\x02", "}")


@functools.lru_cache(maxsize=4096)
def _plain_placeholders(text: str) -> frozenset[int]:
    """Where the placeholders of a text sit in code or a tuple: they keep plain digits (and Python's "-").

    A text's layout is the same at every seed, so this is worked out once per text.
    """
    masked = PLACEHOLDER.sub(lambda m: "#" * len(m.group(0)), text)
    return frozenset(
        match.start()
        for match in PLACEHOLDER.finditer(text)
        if (_in_fence(masked, match.start()) and not _maths_line(masked, match.start()))
        or _in_code(masked, match.start())
    )


_MATHS_CALL = re.compile(r"(?<![\w.])(?:tanh|sigmoid|σ|exp|log|sqrt|√)\(")
_MATHS_CALL_ENDING = re.compile(_MATHS_CALL.pattern + "$")  # the call whose bracket ends the text searched
# A table of values: words, then two or more spaces of alignment, then "name = " ("forget gate  f = 0.1").
_VALUE_ROW = re.compile(r"^\s*[A-Za-z][A-Za-z ]*[A-Za-z] {2,}[A-Za-z_]\w* = ")


def _maths_line(masked: str, at: int) -> bool:
    """Whether the line around ``at`` is written maths, not code: it calls σ(…) or tanh(…) as on paper (code
    calls ``torch.tanh``), or it is a row of a table of values. A block of such lines
    (``g = tanh(−1) = −0.761594``, ``candidate    g = −0.7``) is written like prose."""
    start = masked.rfind("\n", 0, at) + 1
    end = masked.find("\n", at)
    line = masked[start : end if end >= 0 else len(masked)]
    return _MATHS_CALL.search(line) is not None or _VALUE_ROW.match(line) is not None


def _in_fence(masked: str, at: int) -> bool:
    """Whether position ``at`` sits inside a fenced block (after an odd number of ``` lines): all of it is
    code, including a call's arguments continued on the next line."""
    return sum(line.lstrip().startswith("```") for line in masked[:at].split("\n")[:-1]) % 2 == 1


def _in_code(masked: str, at: int) -> bool:
    """Whether position ``at`` sits in a call's arguments or a tuple: ``Linear({n}, 10)``, ``({b}, {t})``.

    There a number keeps its plain digits (a comma would split it into two arguments); in prose,
    including a remark in brackets, it is grouped like every number the learner reads.
    """
    depth = 0
    for index in range(at - 1, -1, -1):
        char = masked[index]
        if char == "\n":
            return False
        if char in ")]":
            depth += 1
        elif char in "([":
            if depth:
                depth -= 1
                continue
            if index and (masked[index - 1].isalnum() or masked[index - 1] in "_.=#"):
                # Linear(…), x.view(…), size=(…) or a bracket right after another value; but tanh(…) and
                # σ(…) are prose maths, written like the numbers around them ("tanh(−0.99)")
                return _MATHS_CALL_ENDING.search(masked, max(0, index - 8), index + 1) is None
            closing, inner = index + 1, 0
            while closing < len(masked) and masked[closing] != "\n":
                if masked[closing] in "([":
                    inner += 1
                elif masked[closing] in ")]":
                    if not inner:
                        break
                    inner -= 1
                closing += 1
            items = masked[index + 1 : closing].split(",")
            return len(items) > 1 and not any(" " in item.strip() for item in items)  # (4, {n}), not prose
    return False


@functools.lru_cache(maxsize=8192)
def _placeholder(text: str) -> Formula:
    """Placeholders repeat across every seed of a card: parse each once."""
    return parse_formula(text, allow_strings=True, extra_functions=frozenset(TEXT_FUNCTIONS))


def json_value(value: Any) -> Any:
    """Exact values in JSON: ints stay ints, fractions become floats, tuples lists."""
    if isinstance(value, tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Fraction):
        return float(value)
    return value


def _holds(card: CardTemplate, constraint: Formula, values: Mapping[str, Any]) -> bool:
    try:
        return bool(constraint.evaluate(values))
    except FormulaError as error:
        raise DeckError(
            f"{_deck_path(card)}: card {card.id!r}: field 'constraints': {constraint.text!r}: {error}"
        ) from None


def _evaluate(card: CardTemplate, formula: Formula, values: Mapping[str, Any], field_name: str) -> Any:
    try:
        return formula.evaluate(values)
    except FormulaError as error:
        params = ", ".join(f"{k}={render_value(v)}" for k, v in values.items())
        with_params = f" (with {params})" if params else ""
        raise DeckError(f"{_deck_path(card)}: card {card.id!r}: field {field_name!r}: {error}{with_params}") from None


def _fill_field(card: CardTemplate, text: str, values: Mapping[str, Any], field_name: str) -> str:
    try:
        return fill(text, values)
    except FormulaError as error:
        raise DeckError(f"{_deck_path(card)}: card {card.id!r}: field {field_name!r}: {error}") from None


def _deck_path(card: CardTemplate) -> str:
    return str(card.path) if card.path is not None else f"deck {card.deck_id!r}"


def questions_for_deck(deck: Deck, seed: int) -> list[Question]:
    """One question per card of ``deck`` for the same seed (``studycards show DECK``)."""
    return [generate(card, seed) for card in deck.cards]
