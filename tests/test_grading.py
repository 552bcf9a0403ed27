"""Grading: every deck's answers (and rewritings of them) are right, every listed mistake is recognised,
and generic slips, shapes, choices, tolerances and formulas get the verdict and feedback a learner should see.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

import studycards
from studycards.deck import load_deck, load_decks
from studycards.errors import RefError
from studycards.formula import render_value
from studycards.grading import Grade, fold, grade_question
from studycards.locations import bundled_decks_dir
from studycards.question import fill, generate

SEEDS = range(20)
ALL_CARDS = [card for deck in load_decks() for card in deck.cards]


# --- mechanical rewritings of a right answer ----------------------------------------------------------


def exact_text(value) -> str:
    """A value written so it reads back exactly: ints plain, fractions as n/d, shapes as tuples."""
    if isinstance(value, tuple):
        return "(" + ", ".join(exact_text(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return str(value)


def number_rewritings(value) -> list[str]:
    if isinstance(value, int):
        factor = next((f for f in (2, 3, 5, 7) if value and value % f == 0), None)
        product = f"{factor}×{value // factor}" if factor else f"2·{value}/2"
        grouped = f"{value:,}" if abs(value) >= 1000 else f"{value - 1} + 1"
        return [product, grouped]
    return [f"{value.numerator}/{value.denominator}", f"({value.numerator}*2)/({value.denominator}*2)"]


def shape_rewritings(value: tuple) -> list[str]:
    def sum_of(v):
        return f"{v - 1} + 1" if isinstance(v, int) else exact_text(v)

    return ["(" + ",".join(exact_text(v) for v in value) + ")", "[" + ", ".join(sum_of(v) for v in value) + "]"]


class _Swap(ast.NodeTransformer):
    """Swap the operands of every + and ×: a + b → b + a."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.BinOp:
        self.generic_visit(node)
        if isinstance(node.op, ast.Add | ast.Mult):
            node.left, node.right = node.right, node.left
        return node


def expression_rewritings(formula_text: str) -> list[str]:
    swapped = ast.unparse(_Swap().visit(ast.parse(formula_text, mode="eval")))
    reordered = swapped.replace("**", "^").replace("*", "×")
    implicit = re.sub(r"(?<![\w.])(\d+)\s*\*\s*(?=[A-Za-z(])", r"\1", formula_text).replace("-", "−")
    return [reordered, implicit]


def choice_rewritings(answer: str, options: list[str]) -> list[str]:
    index = [fold(option) for option in options].index(fold(answer))
    return ["  " + answer.upper().replace(" ", "  ") + " ", str(index + 1)]


def rewritings(question) -> list[str]:
    card = question.card
    if card.kind == "choice":
        return choice_rewritings(question.answer, [fill(option, question.values) for option in card.choices])
    if card.kind == "expression":
        return expression_rewritings(card.answer.text)
    if card.kind == "shape":
        return shape_rewritings(question.answer)
    return number_rewritings(question.answer)


def same(card, a, b) -> bool:
    """Two values a learner cannot tell apart on this card (equal, or within its tolerance)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(
            same(card, x, y) for x, y in zip(a, b)
        )
    if isinstance(a, str):
        return fold(a) == fold(b)
    tolerance = card.tolerance or 0
    return abs(Fraction(a) - Fraction(b)) <= tolerance


# --- every template of every deck ---------------------------------------------------------------------


@pytest.mark.parametrize("card", ALL_CARDS, ids=[card.ref for card in ALL_CARDS])
def test_every_template_grades_its_answer_rewritings_and_mistakes(card):
    for seed in SEEDS:
        question = generate(card, seed)
        own = card.answer.text if card.kind == "expression" else question.answer_text
        texts = [own, *rewritings(question)]
        if card.kind in ("number", "shape"):
            texts.append(exact_text(question.answer))
        for text in texts:
            result = grade_question(question, text)
            assert result.verdict == "correct", (seed, text, result)
            assert result.feedback == "" and result.mistake is None
        assert grade_question(question, result.expected).verdict == "correct"  # what it shows can be typed
        for index, mistake in enumerate(card.mistakes):
            wrong = question.mistake_value(mistake)
            if same(card, wrong, question.answer):
                continue  # this mistake gives the right answer for these numbers
            earlier = [
                m for m in card.mistakes[:index]
                if card.kind != "expression" and not same(card, question.mistake_value(m), question.answer)
                and same(card, question.mistake_value(m), wrong)
            ]  # fmt: skip
            if earlier:
                continue  # it coincides with an earlier mistake, which wins
            text = mistake.answer.text if card.kind == "expression" else (
                wrong if card.kind == "choice" else exact_text(wrong)
            )
            result = grade_question(question, text)
            assert result.verdict == "incorrect", (seed, mistake.id, text, result)
            assert result.mistake == mistake.id, (seed, text, result)
            assert result.feedback == question.feedback(mistake)
            assert result.expected


# --- behaviour on the cnn deck ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cnn():
    return {card.id: card for card in load_deck(bundled_decks_dir() / "cnn.toml").cards}


def test_grade_carries_verdict_expected_feedback_mistake_and_reading(cnn):
    question = generate(cnn["conv-params"], 3)
    k, c, o = (question.values[name] for name in "kco")
    result = grade_question(question, f"{k}*{k}*{c}*{o}")
    assert result.verdict == "incorrect"
    assert result.expected == f"{k * k * c * o + o:,}"  # grouped like every number the learner reads
    assert result.mistake == "forgot-bias"
    assert result.feedback == f"That is the weights only; each of the {o} filters also has a bias: + {o}."
    assert result.reading == f"{k}·{k}·{c}·{o} = {k * k * c * o}"
    assert result.to_dict() == {
        "verdict": "incorrect",
        "expected": result.expected,
        "feedback": result.feedback,
        "mistake": "forgot-bias",
        "reading": result.reading,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = "correct"  # type: ignore[misc]


def test_a_wrong_answer_no_slip_explains_says_what_to_do_not_the_answer_again(cnn):
    question = generate(cnn["conv-params"], 3)
    wrong = question.answer * 3 + 7
    result = grade_question(question, str(wrong))
    assert (result.verdict, result.mistake) == ("incorrect", None)
    assert result.feedback == f"No common slip explains {wrong:,}: compare your steps with the worked solution."
    assert result.expected not in result.feedback  # the verdict line shows it once


def test_a_number_card_takes_the_formula_with_its_own_numbers(cnn):
    question = generate(cnn["conv-params"], 3)
    result = grade_question(question, "k*k*c*o + o")
    assert result.verdict == "correct"
    assert result.reading == f"k·k·c·o + o = {question.answer:,}"


def test_number_answers_are_exact(cnn):
    question = generate(cnn["same-padding"], 5)
    p = question.answer
    assert grade_question(question, f"2*{p}/2").verdict == "correct"
    assert grade_question(question, f"{p}.0").verdict == "correct"
    assert grade_question(question, f"{p} + 1/1000000").verdict == "incorrect"


def test_unreadable_answers_say_why_and_are_not_wrong_answers(cnn):
    question = generate(cnn["conv-params"], 3)
    result = grade_question(question, "k*k*c*q")
    assert result.verdict == "unreadable"
    assert result.feedback == "Cannot read the answer: 'q' is not a name on this card (names: c, k, o)."
    assert result.mistake is None and result.reading is None
    assert result.expected == question.answer_text
    assert "2 values" in grade_question(question, "3,5").feedback
    assert grade_question(question, "1/0").feedback == "Cannot read the answer: division by zero."


def test_generic_off_by_one_and_factor_of_two(cnn):
    question = generate(cnn["receptive-field"], 2)
    answer = question.answer
    assert grade_question(question, str(answer - 1)).mistake == "off-by-one"
    assert "one too few" in grade_question(question, str(answer - 1)).feedback
    assert grade_question(question, str(answer + 1)).mistake == "off-by-one"
    doubled = grade_question(question, str(2 * answer))
    assert doubled.mistake == "factor-of-2" and "twice the answer" in doubled.feedback
    assert grade_question(question, str(answer + 7)).mistake is None


def test_shape_names_the_wrong_dimension(cnn):
    question = generate(cnn["one-by-one-shape"], 4)
    n, r, h, _ = question.answer
    result = grade_question(question, f"({n}, {r}, {h}, {h + 5})")
    assert result.verdict == "incorrect" and result.mistake is None
    assert result.feedback == f"Dimension 4 should be {h}, not {h + 5}."
    short = grade_question(question, f"({n}, {r}, {h})")
    assert short.feedback.startswith("The shape has 4 dimensions; yours has 3.")
    spaced = grade_question(question, f"  ( {n} ,{r},  {h},{h} )  ")
    assert spaced.verdict == "correct"
    assert grade_question(question, f"torch.Size([{n}, {r}, {h}, {h}])").verdict == "correct"
    assert grade_question(question, "7").verdict == "unreadable"


def test_formula_cards_are_judged_at_the_cards_own_points(cnn):
    card = cnn["conv-output-formula"]
    question = generate(card, 1)
    for text in ("(i-k+2p)/s+1", "(i+2p-k)/s+1", "floor((i-k+2p)/s)+1", "(i - k + 2*p)//s + 1", "1 + (2p+i-k)/s"):
        assert grade_question(question, text).verdict == "correct", text
    wrong = grade_question(question, "(i-k+2p)/s")
    assert (wrong.verdict, wrong.mistake) == ("incorrect", "forgot-plus-one")
    assert wrong.feedback == "Add 1: the kernel's first position counts too."
    assert wrong.expected == "(i − k + 2p)/s + 1"
    other = grade_question(question, "(i-k)/s + 1 + p")
    assert other.verdict == "incorrect" and other.mistake is None
    assert other.feedback.startswith("With i = ")
    assert "your formula gives" in other.feedback
    assert grade_question(question, "(i-k+2p)/s + 2").mistake == "off-by-one"
    number = grade_question(question, render_value(question.answer))
    assert number.verdict == "incorrect" and "Write a formula in i, k, p, s" in number.feedback


def test_floor_and_exact_division_differ_where_the_card_allows_remainders(cnn):
    question = generate(cnn["conv-output-floor"], 0)
    result = grade_question(question, "(i-k+2p)/s+1")
    assert (result.verdict, result.mistake) == ("incorrect", "no-floor")
    assert grade_question(question, str(question.answer)).verdict == "correct"


# --- a fixture deck for what the bundled decks do not have --------------------------------------------

FIXTURE = '''
id = "fixture"
title = "Cards for the grading tests"

[[cards]]
id = "dense-params"
title = "Parameters of a dense layer"
prompt = "A Linear({n_in}, {n_out}) layer with bias: how many parameters?"
answer = "n_in*n_out + n_out"
solution = "{answer}"
[cards.params]
n_in = { choices = [100, 300, 784] }
n_out = { choices = [10, 64, 128] }
[cards.truth]
layer = "Linear(n_in, n_out)"
read = "params"

[[cards]]
id = "lstm-params"
title = "Parameters of an LSTM layer"
prompt = "An LSTM with input size {x} and hidden size {h}: how many parameters (PyTorch keeps two bias vectors)?"
answer = "4*(h*(x + h) + 2*h)"
solution = "{answer}"
[cards.params]
x = { choices = [10, 32, 100] }
h = { choices = [16, 64, 128] }
[cards.truth]
layer = "LSTM(x, h)"
read = "params"

[[cards]]
id = "kernel-weights"
title = "Weights of the kernels"
prompt = "Conv2d({c}, {o}, {k}), ignoring biases: how many weights?"
answer = "k*k*c*o"
solution = "{answer}"
[cards.params]
k = { choices = [3, 5] }
c = { choices = [3, 16] }
o = { choices = [8, 32] }
[cards.truth]
layer = "Conv2d(c, o, k, bias=False)"
read = "params"

[[cards]]
id = "cell-state"
title = "New cell state"
prompt = "f = {f}, c = {c}, i = {i}, g = {g}: what is f·c + i·tanh(g)?"
answer = "f*c + i*tanh(g)"
tolerance = 0.001
solution = "{answer}"
[cards.params]
f = { choices = [0.5, 0.9] }
c = { choices = [1, 2] }
i = { choices = [0.25, 0.75] }
g = { choices = [0.5, 1] }
[cards.truth]
layer = "Linear(1, 1)"
read = "params"

[[cards]]
id = "tanh-value"
title = "A tanh value, no tolerance stated"
prompt = "tanh({x})?"
answer = "tanh(x)"
solution = "{answer}"
[cards.params]
x = { choices = [1] }
[cards.truth]
layer = "Linear(1, 1)"
read = "params"

[[cards]]
id = "pick"
title = "Which layer has no parameters"
kind = "choice"
prompt = "Which of these has no parameters?"
choices = ["MaxPool2d", "Conv2d", "Linear layer"]
answer = "MaxPool2d"
solution = "Pooling has nothing to learn."
[[cards.mistakes]]
id = "conv"
answer = "Conv2d"
feedback = "A convolution has {3*3} weights per channel pair at least."

[[cards]]
id = "nchw"
title = "Shape of a batch"
kind = "shape"
prompt = "A batch of {n} images, {c} channels, {h} high, {w} wide: its NCHW shape?"
answer = "(n, c, h, w)"
constraints = ["h != w", "n != c", "n != h", "n != w", "c != h", "c != w"]
solution = "{answer}"
[cards.params]
n = { choices = [8, 16] }
c = { choices = [1, 3] }
h = { range = [20, 30] }
w = { range = [31, 40] }
[cards.truth]
layer = "Identity()"
input = "(n, c, h, w)"
read = "shape"

[[cards]]
id = "params-formula"
title = "Write the parameter count"
kind = "expression"
prompt = "Write the parameter count of Conv2d(c, o, k) with bias, in k, c and o."
answer = "k*k*c*o + o"
solution = "{answer}"
[cards.params]
k = { choices = [1, 3, 5] }
c = { range = [1, 64] }
o = { range = [1, 64] }
[cards.truth]
layer = "Conv2d(c, o, k)"
read = "params"

[[cards]]
id = "floor-formula"
title = "Output size with any stride"
kind = "expression"
prompt = "Write the output size for input i, kernel k, stride s (no padding)."
answer = "floor((i - k)/s) + 1"
constraints = ["k <= i"]
solution = "{answer}"
[cards.params]
i = { range = [8, 40] }
k = { choices = [1, 3, 5] }
s = { range = [1, 3] }
[cards.truth]
layer = "Conv2d(1, 1, k, stride=s)"
input = "(1, 1, i, i)"
read = "shape[2]"
'''


@pytest.fixture
def fixture_cards(tmp_path: Path):
    path = tmp_path / "fixture.toml"
    path.write_text(FIXTURE, encoding="utf-8")
    return {card.id: card for card in load_deck(path).cards}


def test_forgotten_bias_is_found_without_a_deck_entry(fixture_cards):
    question = generate(fixture_cards["dense-params"], 1)
    n_in, n_out = question.values["n_in"], question.values["n_out"]
    result = grade_question(question, f"{n_in}×{n_out}")
    assert (result.verdict, result.mistake) == ("incorrect", "forgot-bias")
    assert result.feedback.startswith(f"{n_out} short: exactly the biases (n_out = {n_out}).")


def test_forgotten_lstm_biases_count_per_gate_and_per_vector(fixture_cards):
    question = generate(fixture_cards["lstm-params"], 2)
    x, h = question.values["x"], question.values["h"]
    one_vector = grade_question(question, f"4*({h}*({x} + {h}) + {h})")
    assert one_vector.mistake == "forgot-bias" and f"(4·h = {4 * h})" in one_vector.feedback
    none = grade_question(question, f"4*{h}*({x} + {h})")
    assert none.mistake == "forgot-bias" and f"(8·h = {8 * h})" in none.feedback


def test_biases_added_to_a_question_that_ignores_them(fixture_cards):
    question = generate(fixture_cards["kernel-weights"], 0)
    result = grade_question(question, f"{question.answer} + {question.values['o']}")
    assert result.mistake == "added-bias" and "leaves out" in result.feedback


def test_forgotten_bias_in_a_formula_holds_at_every_point(fixture_cards):
    question = generate(fixture_cards["params-formula"], 0)
    assert grade_question(question, "k^2 c o + o").verdict == "correct"
    assert grade_question(question, "o(k k c + 1)").verdict == "correct"
    assert grade_question(question, "k*k*c*o").mistake == "forgot-bias"
    assert grade_question(question, "2*(k*k*c*o + o)").mistake == "factor-of-2"


def test_a_stated_tolerance_accepts_close_numbers(fixture_cards):
    question = generate(fixture_cards["cell-state"], 0)
    answer = Fraction(question.answer)
    assert grade_question(question, f"{float(answer):.3f}").verdict == "correct"
    assert grade_question(question, f"{float(answer + Fraction(9, 10000)):.6f}").verdict == "correct"
    assert grade_question(question, f"{float(answer + Fraction(2, 1000)):.6f}").verdict == "incorrect"


def test_an_answer_shown_rounded_is_right_when_typed_as_shown(fixture_cards):
    question = generate(fixture_cards["tanh-value"], 0)
    assert question.answer_text == "0.761594"
    assert grade_question(question, "0.761594").verdict == "correct"
    assert grade_question(question, "0.7615941559557649").verdict == "correct"
    assert grade_question(question, "0.7616").verdict == "incorrect"


def test_choices_by_text_or_number_case_and_space_insensitive(fixture_cards):
    question = generate(fixture_cards["pick"], 0)
    for text in ("MaxPool2d", "maxpool2d", " MAX POOL 2D ", "1", "1."):
        result = grade_question(question, text)
        assert result.verdict == "correct", text
        assert result.reading == "option 1: MaxPool2d"
    wrong = grade_question(question, "conv2d")
    assert (wrong.verdict, wrong.mistake) == ("incorrect", "conv")
    assert wrong.feedback == "A convolution has 9 weights per channel pair at least."
    unlisted = grade_question(question, "linear  LAYER")
    assert (unlisted.verdict, unlisted.mistake) == ("incorrect", None)
    assert unlisted.feedback == "Not “Linear layer”: the answer is “MaxPool2d”."
    other = grade_question(question, "avgpool")
    assert other.verdict == "unreadable"
    assert "not one of the options (MaxPool2d; Conv2d; Linear layer)" in other.feedback
    assert grade_question(question, "4").verdict == "unreadable"


def test_transposed_dimensions(fixture_cards):
    question = generate(fixture_cards["nchw"], 0)
    n, c, h, w = question.answer
    result = grade_question(question, f"({n}, {c}, {w}, {h})")
    assert (result.verdict, result.mistake) == ("incorrect", "transposed")
    assert "dimensions 3 and 4 are swapped" in result.feedback
    channels_last = grade_question(question, f"({n}, {h}, {w}, {c})")
    assert channels_last.mistake == "transposed" and "wrong order" in channels_last.feedback


def test_floor_formula_is_not_exact_division_when_strides_leave_remainders(fixture_cards):
    question = generate(fixture_cards["floor-formula"], 0)
    assert grade_question(question, "(i-k)//s + 1").verdict == "correct"
    assert grade_question(question, "floor((i - k)/s) + 1").verdict == "correct"
    assert grade_question(question, "-floor((k - i)/s) + 1").verdict == "incorrect"  # that is ceil
    assert grade_question(question, "(i-k)/s + 1").verdict == "incorrect"


# --- the Python API and the command line --------------------------------------------------------------


def test_python_api_grades_by_reference():
    question = studycards.show("cnn/conv-params", seed=3)
    result = studycards.grade("cnn/conv-params", 3, question.answer_text)
    assert isinstance(result, Grade) and result.verdict == "correct"
    with pytest.raises(RefError):
        studycards.grade("cnn/no-such-card", 3, "1")


def test_cli_grade_exits_zero_for_every_verdict(run_cli):
    answer = studycards.show("cnn/conv-params", seed=3).answer
    right = run_cli("grade", "cnn/conv-params", "--seed", "3", "--answer", str(answer))
    assert right.exit_code == 0 and right.output.startswith("correct\n")
    assert f"expected: {answer:,}" in right.output
    wrong = run_cli("grade", "cnn/conv-params", "--seed", "3", "--answer", str(answer + 1))
    assert wrong.exit_code == 0 and wrong.output.startswith("incorrect (off-by-one)\n")
    assert f"read as:  {answer + 1}" in wrong.output and "Off by one" in wrong.output
    unreadable = run_cli("grade", "cnn/conv-params", "--seed", "3", "--answer", "__import__('os')")
    assert unreadable.exit_code == 0 and unreadable.output.startswith("unreadable\n")
    negative = run_cli("grade", "cnn/conv-params", "--seed", "3", "--answer", "-5")
    assert negative.exit_code == 0 and "read as:  −5\n" in negative.output


def test_cli_grade_json(run_cli):
    result = run_cli("grade", "cnn/conv-output-formula", "--seed", "1", "--answer", "(i-k+2p)/s", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) == {"verdict", "expected", "feedback", "mistake", "reading"}
    assert data["verdict"] == "incorrect" and data["mistake"] == "forgot-plus-one"
    assert data["expected"] == "(i − k + 2p)/s + 1"


def test_cli_grade_bad_reference_is_one_line_and_nonzero(run_cli):
    result = run_cli("grade", "cnn/nope", "--seed", "1", "--answer", "1")
    assert result.exit_code != 0
    assert result.output.strip().count("\n") == 0
    assert "no card 'nope'" in result.output


def test_cli_parse(run_cli):
    read = run_cli("parse", "2^10")
    assert (read.exit_code, read.output) == (0, "reads as 2^10 = 1,024\n")
    on_card = run_cli("parse", "foo", "--card", "cnn/conv-params")
    assert on_card.exit_code == 1
    assert on_card.output == "cannot read: 'foo' is not a name on this card (names: c, k, o)\n"
    with_seed = run_cli("parse", "k*k*c*o + o", "--card", "cnn/conv-params", "--seed", "3")
    answer = studycards.show("cnn/conv-params", seed=3).answer
    assert with_seed.output == f"reads as k·k·c·o + o = {answer:,}\n"
    assert run_cli("parse", "--", "-2^2").output == "reads as −2^2 = −4\n"


ONE_DIM_DECK = """
id = "one"
title = "One-dimensional shapes"

[[cards]]
id = "vector"
title = "A Linear layer on an unbatched vector"
kind = "shape"
prompt = "fc = nn.Linear({i}, {o}) on torch.randn({i}): what is the output's shape?"
answer = "(o,)"
solution = "An unbatched input of {i} values gives {o} values: {answer}."

[cards.params]
i = { range = [3, 9] }
o = { range = [2, 9] }

[cards.truth]
layer = "Linear(i, o)"
input = "(i,)"
read = "shape"
"""


def test_a_one_element_shape_answer_accepts_its_comma_and_shows_it(run_cli, home):
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "one.toml").write_text(ONE_DIM_DECK, encoding="utf-8")
    question = studycards.show("one/vector", seed=0, home=home)
    o, i = question.values["o"], question.values["i"]
    right = run_cli("grade", "one/vector", "--seed", "0", "--answer", f"({o},)")
    assert right.output == f"correct\nread as:  ({o},)\nexpected: ({o},)\n"
    wrong = run_cli("grade", "one/vector", "--seed", "0", "--answer", f"({o + 1},)")
    assert f"\nread as:  ({o + 1},)\nexpected: ({o},)\n" in wrong.output
    shown = run_cli("show", "one/vector", "--seed", "0", "--truth")
    assert f"torch: Linear({i}, {o}) on ({i},) → ({o},) (" in shown.output
