"""The text lint: every rule fails on a text that reads wrong and passes on one that reads right."""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.deck import load_deck, load_decks
from studycards.deck_check import check_card
from studycards.question import generate
from studycards.text_lint import question_problems, template_problems, text_problems


def rules(text: str, template: str | None = None) -> list[str]:
    return [problem.rule for problem in text_problems(text, "prompt", template)]


@pytest.mark.parametrize(
    "bad",
    [
        "torch: LSTM(8, 20, num_layers=3, batch_first=1 == 1)",
        "Conv2d(384, 4096, 1) if 6 <= 5 else Linear(9216, 4096) has 37,752,832 parameters",
        "The output is {answer} wide.",
        "The output is 12} wide.",
        "The flag is 1 != 0 here.",
    ],
)
def test_template_syntax_fails(bad):
    assert "template-syntax" in rules(bad)


@pytest.mark.parametrize(
    "good, template",
    [
        ("torch: LSTM(8, 20, num_layers=3, batch_first=True)", None),
        ("Sets look like {1, 2}.", "Sets look like {{1, 2}}."),  # braces the author escaped
        ("If the stride is 2, the map halves; otherwise it keeps its size.", None),
        ("```\nassert out.shape == (2, 5, 64)\n```\nWhat is the shape?", None),  # code may compare
    ],
)
def test_template_syntax_passes(good, template):
    assert "template-syntax" not in rules(good, template)


@pytest.mark.parametrize("bad", ["a 84×84 feature map", "A 11×11 convolution", "a 8-channel image", "a 18", "an 12"])
def test_article_fails(bad):
    assert rules(bad) == ["article"]


@pytest.mark.parametrize(
    "good", ["an 84×84 feature map", "An 11×11 convolution", "an 8-channel image", "a 1", "a 100", "a 1,100-unit layer"]
)
def test_article_passes(good):
    assert rules(good) == []


@pytest.mark.parametrize("bad", ["1 input channels", "a batch of 1 sequences", "with 1 heads", "1 images of shape"])
def test_plural_after_one_fails(bad):
    assert rules(bad) == ["plural"]


@pytest.mark.parametrize(
    "good",
    [
        "1 input channel",
        "a batch of 1 sequence",
        "11 heads",
        "3×1 images",
        "stride 1 keeps the size",
        "each group sums to 1 across rows",
        "the 1×1 convs",
        "dim 1 has 5 entries",
    ],
)
def test_plural_after_one_passes(good):
    assert rules(good) == []


@pytest.mark.parametrize(
    "bad, rule",
    [
        ("the other 3 block(s) keep 14×14", "hedged-plural"),
        ("× 2 direction(s) = 1,626,112", "hedged-plural"),
        ("= 0.48 + −0.07 = 0.41", "sign"),
        ("= 0.48 + -0.07 = 0.41", "sign"),
        ("= (0.96) + (−0.882)", "sign"),
        ("stage 1: 3·3·3·64 + 64 + 0·(3·3·64·64 + 64) = 1,792", "zero-term"),
        ("Linear(512, 2048): 512·2048 + 2,048 = 1,050,624", "mixed-grouping"),
        ("12596224 × 4 = 50,384,896 bytes", "mixed-grouping"),
    ],
)
def test_hedges_signs_and_zero_terms_fail(bad, rule):
    assert rules(bad) == [rule]


@pytest.mark.parametrize(
    "good",
    [
        "the other 3 blocks keep 14×14",
        "= 0.48 − 0.07 = 0.41",
        "= 0.9·(−0.3) + 0.5·(−0.8) = −0.67",  # a negative factor in brackets is how a product is written
        "(51 − 1 + 2·0)/2 + 1 = 26",  # padding 0 in the formula it fills in
        "```\nx = f(s) + -1\n```",  # code is code
        "scores = q @ k.transpose(-2, -1)",
        "Linear(512, 2048): 512·2,048 + 2,048 = 1,050,624",  # a layer's arguments are code; its count is grouped
        "torch: Linear(1024, 1024) on (1, 1024) (1,049,600 parameters)",
        "the 2017 paper's 12,596,224 parameters",
    ],
)
def test_hedges_signs_and_zero_terms_pass(good):
    assert rules(good) == []


CARD = '''
title = "Lint"
{plain}
[[cards]]
id = "c"
title = "c"
prompt = "Each of the {{g}} GPUs has {{half}} filters on conv{{L}}; {{k}}×{{k}} kernels, padding p = {{p}}."
answer = "k*k*half*g"
solution = """
{solution}"""
[cards.params]
L = {{ choices = [2, 3] }}
k = {{ choices = [3, 5] }}
half = {{ choices = [48, 128] }}
g = {{ choices = [2] }}
p = {{ choices = [1] }}
[cards.truth]
layer = "Conv2d(half, half*g, k, bias=False)"
read = "params / half"
'''


def lint_card(tmp_path: Path, solution: str, plain: str = "") -> list[str]:
    path = tmp_path / "lint.toml"
    path.write_text(CARD.format(solution=solution, plain=plain), encoding="utf-8")
    card = load_deck(path).cards[0]
    return [problem.words for problem in template_problems(card)]


@pytest.mark.parametrize(
    "solution",
    [
        "Here each of the {g} GPUs has half filters.",  # where the card writes {half} filters
        "A convL filter sees {k}×{k} windows.",  # where the card writes conv{L}
        "{k}·{k} = answer",  # a name after = once values are filled in
        "({k} − k + 2·{p})/2",  # a name beside filled-in values
    ],
)
def test_a_name_where_its_value_belongs_fails(tmp_path, solution):
    assert lint_card(tmp_path, solution)


@pytest.mark.parametrize(
    "solution",
    [
        "Output size = (i − k + 2p)/s + 1 = ({k} − 1 + 2·{p})/1 + 1",  # a formula in letters, then values
        "p = (k − 1)/2 = ({k} − 1)/2 = {answer}",  # a name defined, then computed
        "Each GPU holds half of every layer's filters: {half} on conv{L}.",  # the word 'half', not the value
        "The d × d projections have k·k·C weights each.",  # letters in a formula
    ],
)
def test_a_name_in_a_formula_in_letters_passes(tmp_path, solution):
    assert lint_card(tmp_path, solution) == []


def test_a_deck_may_write_a_name_as_a_plain_word(tmp_path):
    solution = "Here each of the {g} GPUs has half filters."
    assert lint_card(tmp_path, solution)
    assert lint_card(tmp_path, solution, plain='plain_names = ["half"]') == []


def test_check_fails_naming_the_card_seed_and_field(tmp_path, run_cli, home):
    folder = home / "decks"
    folder.mkdir(parents=True)
    (folder / "lint.toml").write_text(
        CARD.format(solution="{k}·{k} = answer, on a 8×8 map", plain=""), encoding="utf-8"
    )
    result = run_cli("check", "lint", "--seeds", "3")
    assert result.exit_code == 1
    assert "lint/c seed 0: field 'solution': a name where its value belongs" in result.output
    assert "lint/c seed 0: field 'solution': wrong article before a number: “a 8”" in result.output
    assert "torch reads" not in result.output  # the numbers are right: only the words fail


def test_every_shipped_text_passes_for_a_few_seeds():
    for deck in load_decks():
        for card in deck.cards:
            assert template_problems(card) == [], card.ref
            for seed in range(5):
                question = generate(card, seed)
                assert question_problems(question) == [], f"{card.ref} seed {seed}"


def test_check_runs_the_lint_on_the_torch_line_too():
    deck = next(deck for deck in load_decks() if deck.id == "lstm")
    report = check_card(deck.card("lstm-output-shape"), range(3))
    assert report.ok and report.proved == 3


CHOICE = '''
title = "Choice"
[[cards]]
id = "pick"
kind = "choice"
title = "pick"
prompt = "A layer with {n} units: which is true?"
choices = ["It has a {n}-unit output", "It has {n} outputs"]
answer = "It has {n} outputs"
solution = "One output per unit: {n}."
[cards.params]
n = { choices = [8, 18] }
[[cards.mistakes]]
id = "same"
answer = "It has a {n}-unit output"
feedback = "Both say it: a {n}-unit output has {n} outputs."
'''


def test_options_and_feedback_are_checked_and_named(tmp_path):
    path = tmp_path / "choice.toml"
    path.write_text(CHOICE, encoding="utf-8")
    question = generate(load_deck(path).cards[0], 0)
    found = {(problem.field, problem.rule) for problem in question_problems(question)}
    assert found == {("choices[1]", "article"), ("mistakes.same.feedback", "article")}


PRECISE = CARD.replace('prompt = "Each', 'prompt = "(two decimals) Each')
PRECISE = PRECISE.replace('answer = "k*k*half*g"', 'answer = "k*k*half*g/7"{decimals}')


@pytest.mark.parametrize("decimals, problems", [("", 1), ("\ndecimals = 3", 1), ("\ndecimals = 2", 0)])
def test_a_prompt_asking_for_decimals_needs_the_card_to_show_them(tmp_path, decimals, problems):
    path = tmp_path / "lint.toml"
    path.write_text(PRECISE.replace("{decimals}", decimals).format(solution="{answer}", plain=""), encoding="utf-8")
    found = [p for p in template_problems(load_deck(path).cards[0]) if p.rule == "precision"]
    assert len(found) == problems
    if problems:
        assert found[0].field == "prompt" and "two decimals" in found[0].words
