"""Bad decks: each problem is one clear line that names the file, the card and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.deck import load_deck
from studycards.errors import DeckError, StudycardsError
from studycards.question import generate

GOOD_CARD = '''
[[cards]]
id = "out"
title = "Output size"
prompt = "{i} {k}"
answer = "i - k + 1"
solution = "{i} - {k} + 1 = {answer}"
@EXTRA@
[cards.params]
i = { range = [8, 16] }
k = { choices = [3, 5] }
@PARAMS@
[cards.truth]
layer = "@LAYER@"
input = "(1, 1, i, i)"
read = "shape[2]"
'''


def write_deck(tmp_path: Path, extra: str = "", params: str = "", layer: str = "Conv2d(1, 1, k)",
               head: str = 'title = "T"\n') -> Path:
    path = tmp_path / "bad.toml"
    card = GOOD_CARD.replace("@EXTRA@", extra).replace("@PARAMS@", params).replace("@LAYER@", layer)
    path.write_text(head + card, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_the_template_itself_is_a_good_deck(tmp_path):
    deck = load_deck(write_deck(tmp_path))
    question = generate(deck.cards[0], seed=1)
    assert question.answer == question.values["i"] - question.values["k"] + 1


def test_missing_field(tmp_path):
    path = write_deck(tmp_path)
    path.write_text(path.read_text().replace('title = "Output size"\n', ""))
    message = error_of(path)
    assert "card 'out'" in message and "field 'title'" in message and "missing" in message


def test_unknown_field_suggests_the_right_one(tmp_path):
    message = error_of(write_deck(tmp_path, extra='soluton = "x"'))
    assert "field 'soluton'" in message and "did you mean 'solution'" in message


def test_unknown_param_in_a_formula(tmp_path):
    path = write_deck(tmp_path)
    path.write_text(path.read_text().replace('answer = "i - k + 1"', 'answer = "i - q + 1"'))
    message = error_of(path)
    assert "field 'answer'" in message and "unknown name 'q'" in message


def test_unknown_name_in_a_placeholder(tmp_path):
    path = write_deck(tmp_path)
    path.write_text(path.read_text().replace('prompt = "{i} {k}"', 'prompt = "{i} {zz}"'))
    assert "field 'prompt'" in error_of(path)


def test_formula_with_import_or_attribute_access(tmp_path):
    path = write_deck(tmp_path)
    path.write_text(path.read_text().replace('answer = "i - k + 1"', 'answer = "__import__(\'os\').getcwd()"'))
    assert "field 'answer'" in error_of(path)
    path = write_deck(tmp_path)
    path.write_text(path.read_text().replace('answer = "i - k + 1"', 'answer = "i.__class__"'))
    assert "Attribute is not allowed" in error_of(path)


def test_unknown_layer(tmp_path):
    message = error_of(write_deck(tmp_path, layer="Conv9d(1, 1, k)"))
    assert "field 'truth.layer'" in message and "Conv9d" in message


def test_bad_param_range(tmp_path):
    message = error_of(write_deck(tmp_path, params="s = { range = [5, 1] }"))
    assert "field 'params.s'" in message and "empty" in message


def test_unsatisfiable_constraint_is_a_deck_error_not_a_hang(tmp_path):
    deck = load_deck(write_deck(tmp_path, extra='constraints = ["i > 100"]'))
    with pytest.raises(DeckError) as caught:
        generate(deck.cards[0], seed=0)
    message = str(caught.value)
    assert str(tmp_path / "bad.toml") in message and "card 'out'" in message and "constraints" in message


def test_not_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('title = "unterminated\n')
    assert "not valid TOML" in error_of(path)


def test_duplicate_card_ids(tmp_path):
    path = write_deck(tmp_path)
    text = path.read_text()
    card = text[text.index("[[cards]]"):]
    path.write_text(text + card)
    assert "same id" in error_of(path)


def _bad_truth_deck(folder: Path) -> Path:
    """A deck whose truth reads an output its layer does not have."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_deck(folder, head='id = "bad"\ntitle = "T"\n')
    path.write_text(path.read_text().replace('read = "shape[2]"', 'read = "shape(layer, 3)[0]"'))
    return path


def test_a_truth_error_names_the_deck_file_the_card_and_the_field(tmp_path):
    from studycards.ground_truth import truth_of

    path = _bad_truth_deck(tmp_path)
    question = generate(load_deck(path).cards[0], seed=0)
    with pytest.raises(StudycardsError) as caught:  # a FormulaError, or TruthTooCostly past a bound
        truth_of(question)
    assert str(caught.value) == f"{path}: card 'out': field 'truth.read': output 3 does not exist (1 outputs)"


def test_show_truth_and_check_name_the_deck_file_of_a_truth_error(run_cli, home):
    path = _bad_truth_deck(home / "decks")
    error = f"{path}: card 'out': field 'truth.read': output 3 does not exist (1 outputs)"
    shown = run_cli("show", "bad/out", "--truth")
    assert shown.exit_code != 0 and shown.stderr == f"studycards: {error}\n"
    checked = run_cli("check", "bad", "--seeds", "1")
    assert checked.exit_code == 1 and f"FAIL bad/out seed 0: {error}\n" in checked.stderr


CONTRADICTION = '''
[[cards.equivalents]]
answer = "i - k + 1 + (i - k + 1)"
feedback = "Twice the answer is right too."

[[cards.mistakes]]
id = "forgot-one"
answer = "i - k"
feedback = "You forgot the + 1."

[[cards.mistakes]]
id = "doubled"
answer = "2*(i - k + 1)"
feedback = "That is twice the answer."
'''


def test_check_fails_on_an_equivalent_that_is_also_a_listed_mistake(run_cli, home):
    """The deck calls one answer right and wrong: grading says right, and the mistake's feedback is dead."""
    from studycards.deck_check import check_card

    (home / "decks").mkdir(parents=True)
    path = write_deck(home / "decks", extra=CONTRADICTION, head='id = "bad"\ntitle = "T"\n')
    card = load_deck(path).cards[0]
    question = generate(card, 0)
    doubled = 2 * question.answer
    report = check_card(card, range(3))
    assert report.failed == 3
    assert report.failures[0] == (
        f"bad/out seed 0: field 'equivalents[0]': the equivalent answer 'i - k + 1 + (i - k + 1)' ({doubled} here)"
        " is also the listed mistake 'doubled' ('2*(i - k + 1)'): the deck calls one answer both right and wrong"
    )
    checked = run_cli("check", "bad", "--seeds", "2")
    assert checked.exit_code == 1 and report.failures[0] + "\n" in checked.stderr


def test_an_equivalent_unlike_every_mistake_passes_check(tmp_path):
    from studycards.deck_check import check_card

    extra = CONTRADICTION.replace('answer = "2*(i - k + 1)"', 'answer = "3*(i - k + 1)"')
    card = load_deck(write_deck(tmp_path, extra=extra)).cards[0]
    assert check_card(card, range(3)).failures == []


@pytest.mark.parametrize(
    "extra, words",
    [
        ("decimals = 2.5", "must be a whole number from 0 to 6"),
        ("decimals = 9", "must be a whole number from 0 to 6"),
        ("decimals = true", "must be a whole number from 0 to 6"),
        ("decimals = 2\ntolerance = 0.001", "tolerance 0.001 is below half the last of 2 decimals (0.005)"),
    ],
)
def test_bad_decimals(tmp_path, extra, words):
    message = error_of(write_deck(tmp_path, extra=extra))
    assert "card 'out'" in message and "field 'decimals'" in message and words in message


def test_decimals_only_on_a_number_card(tmp_path):
    path = write_deck(tmp_path, extra='decimals = 1\nkind = "shape"')
    path.write_text(path.read_text().replace('answer = "i - k + 1"', 'answer = "(1, 1, i - k + 1)"'))
    assert "only a number card takes decimals" in error_of(path)


def test_a_card_with_decimals_shows_and_accepts_the_rounded_answer(tmp_path):
    from studycards.grading import grade_question

    path = write_deck(tmp_path, extra="decimals = 2")
    path.write_text(path.read_text().replace('answer = "i - k + 1"', 'answer = "(i - k + 1)/7"'))
    question = generate(load_deck(path).cards[0], seed=1)
    shown = question.answer_text
    assert len(shown.split(".")[1]) == 2 and abs(float(shown) - float(question.answer)) <= 0.005
    assert grade_question(question, shown).verdict == "correct"  # what the learner is shown counts as right
    assert grade_question(question, f"{float(question.answer) + 0.006:.3f}").verdict == "incorrect"
