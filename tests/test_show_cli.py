"""``studycards show``: mistakes in --json, --instances, formula answers and numbers written one way."""

from __future__ import annotations

import csv
import json
import re

from studycards.deck import find_card
from studycards.grading import grade_question
from studycards.question import generate


def show_json(run_cli, *args: str):
    result = run_cli("show", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_show_json_lists_each_mistake_rendered_for_the_question(run_cli):
    shown = show_json(run_cli, "cnn/conv-params", "--seed", "3")
    question = generate(find_card("cnn/conv-params")[1], 3)
    assert [m["id"] for m in shown["mistakes"]] == [m.id for m in question.card.mistakes]
    for listed, mistake in zip(shown["mistakes"], question.card.mistakes):
        assert set(listed) == {"id", "answer", "feedback"}
        graded = grade_question(question, listed["answer"])  # typing the listed wrong answer makes that mistake
        assert (graded.verdict, graded.mistake, graded.feedback) == ("incorrect", mistake.id, listed["feedback"])
        assert "{" not in listed["feedback"]


def test_show_json_truth_adds_the_torch_line(run_cli):
    shown = show_json(run_cli, "cnn/conv-params", "--seed", "3", "--truth")
    assert shown["truth"].startswith("torch: ") and "mistakes" in shown


def test_show_instances_gives_consecutive_seeds(run_cli):
    one = show_json(run_cli, "cnn/conv-params", "--seed", "5")
    assert isinstance(one, dict) and one["seed"] == 5
    several = show_json(run_cli, "cnn/conv-params", "--seed", "5", "--instances", "4")
    assert [q["seed"] for q in several] == [5, 6, 7, 8]
    assert several[0] == one
    deck = show_json(run_cli, "cnn", "--instances", "2")
    cards = len(find_card("cnn/conv-params")[0].cards)
    assert len(deck) == 2 * cards and {q["seed"] for q in deck} == {0, 1}
    text = run_cli("show", "cnn/conv-params", "--instances", "3").output
    assert re.findall(r"\(seed (\d+)\)", text) == ["0", "1", "2"]


def test_show_instances_refuses_zero(run_cli):
    result = run_cli("show", "cnn/conv-params", "--instances", "0")
    assert result.exit_code != 0 and "--instances" in result.output


# --- expression cards answer with the formula -------------------------------------------------------------


def test_an_expression_cards_answer_is_the_formula_everywhere(run_cli, tmp_path):
    formula = "(i − k + 2p)/s + 1"
    text = run_cli("show", "cnn/conv-output-formula", "--seed", "1").output
    assert f"answer: {formula}  (here 24)" in text
    shown = show_json(run_cli, "cnn/conv-output-formula", "--seed", "1")
    assert shown["answer"] == formula and shown["answer_value"] == 24
    question = generate(find_card("cnn/conv-output-formula")[1], 1)
    assert grade_question(question, shown["answer"]).verdict == "correct"
    assert grade_question(question, "24").verdict == "incorrect"
    assert grade_question(question, "(i-k+2p)/s").expected == formula

    package = tmp_path / "cnn.apkg"
    result = run_cli("export", "cnn", "-o", str(package), "--seed", "1", "--instances", "1", "--tsv")
    assert result.exit_code == 0, result.output
    with package.with_suffix(".tsv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter="\t") if row[1] == "conv-output-formula"]
    assert [row[4] for row in rows] == [formula]


# --- numbers written one way --------------------------------------------------------------------------------


def test_large_answers_are_grouped_everywhere_they_are_read(run_cli):
    shown = show_json(run_cli, "modern-cnn/alexnet-total", "--seed", "0", "--truth")
    value = shown["answer_value"]
    assert value > 10_000 and shown["answer"] == f"{value:,}"
    assert f"= {value:,}" in shown["solution"] or f"Total: {value:,}" in shown["solution"]
    question = generate(find_card("modern-cnn/alexnet-total")[1], 0)
    graded = grade_question(question, str(value))
    assert graded.verdict == "correct" and graded.expected == f"{value:,}"
    assert graded.reading == str(value)  # the reading keeps what was typed
    wrong = run_cli("grade", "modern-cnn/alexnet-total", "--seed", "0", "--answer", str(value + 7))
    assert f"expected: {value:,}" in wrong.output and f"read as:  {value + 7}\n" in wrong.output


def test_numbers_in_code_and_shapes_stay_as_code_writes_them():
    from studycards.question import fill

    values = {"n": 4096, "big": 37752832, "c": 3}
    assert fill("Linear({n}, {c}) on ({n}, {c}); x.view({n})", values) == "Linear(4096, 3) on (4096, 3); x.view(4096)"
    assert fill("Total {big} (of which {n} in fc6)", values) == "Total 37,752,832 (of which 4,096 in fc6)"
    shape = generate(find_card("cnn/one-by-one-shape")[1], 0)
    assert re.fullmatch(r"\(\d+, \d+, \d+, \d+\)", shape.answer_text)


# --- feedback names the cause that is really at work -----------------------------------------------------


def test_swapped_height_and_width_names_the_input_height_and_the_kernel_only_if_not_square():
    card = find_card("cnn/conv-output-shape-rect")[1]
    square = rect = None
    for seed in range(200):
        question = generate(card, seed)
        if question.values["kh"] == question.values["kw"]:
            square = square or question
        else:
            rect = rect or question
    feedback = {}
    for question in (square, rect):
        n, o, hh, ww = question.answer
        graded = grade_question(question, f"({n}, {o}, {ww}, {hh})")
        assert graded.mistake == "swapped-hw"
        assert f"H = {hh} comes from the input height {question.values['h']}" in graded.feedback
        feedback[question is square] = graded.feedback
    assert "kernel" not in feedback[True]
    assert feedback[False].endswith(f"and the kernel height {rect.values['kh']}.")


def test_every_number_of_a_formula_in_prose_is_grouped_alike():
    from studycards.question import fill

    values = {"a": 9216, "b": 37752832, "c": 4096}
    assert fill("fc6 {a}·{c} + {c} = {b}", values) == "fc6 9,216·4,096 + 4,096 = 37,752,832"
    assert fill("{a} values; Linear({a}, {c})", values) == "9,216 values; Linear(9216, 4096)"


def test_show_leaves_out_a_mistake_that_is_right_for_the_question(run_cli):
    for seed in range(40):
        question = generate(find_card("cnn/conv-output-size")[1], seed)
        if question.values["s"] == 1:  # 'ignored-stride' gives the right answer at stride 1
            break
    shown = show_json(run_cli, "cnn/conv-output-size", "--seed", str(seed))
    assert "ignored-stride" not in [m["id"] for m in shown["mistakes"]]
    assert all(m["answer"] != shown["answer"] for m in shown["mistakes"])


def test_show_json_lists_what_else_the_answer_box_accepts(run_cli):
    shown = show_json(run_cli, "mdn/softmax-mixture-dim", "--seed", "4")
    r = shown["params"]["r"]
    assert shown["equivalents"] == [
        {
            "answer": "−1",  # a value in prose takes the minus sign; the answer box reads either
            "feedback": f"-1 counts from the end, so it names the same dim as {r - 1}: the components' dim,"
            f" the last of {r}.",
        }
    ]
    assert shown["slips"] == []  # the card turns the generic slips off
    conv = show_json(run_cli, "cnn/conv-params")
    assert conv["aliases"]["kernel_size"] == "k" and "forgot-bias" in conv["slips"] and conv["equivalents"] == []


def test_show_json_truth_lines_are_the_lines_show_prints(run_cli):
    shown = show_json(run_cli, "normalization", "--truth")
    printed = run_cli("show", "normalization", "--truth").output.splitlines()
    with_truth = [item for item in shown if item["truth_lines"]]
    assert len(with_truth) > 5
    for item in with_truth:
        assert all(line in printed for line in item["truth_lines"])
        assert item["truth"] == "; ".join(item["truth_lines"])
