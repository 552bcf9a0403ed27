"""Params that are texts or true/false: a card can switch a word or a flag, and torch still proves it."""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.deck import load_deck
from studycards.deck_check import check_card
from studycards.errors import DeckError
from studycards.grading import grade_question
from studycards.ground_truth import truth_of
from studycards.question import generate

DECK = '''
title = "Flags and words"

[[cards]]
id = "conv-params-bias-flag"
title = "Parameters, with or without bias"
prompt = "Conv2d({c}, {o}, {k}) {'with' if bias else 'without'} a bias: how many parameters?"
answer = "k*k*c*o + (o if bias else 0)"
solution = "{k}·{k}·{c}·{o}{' + ' if bias else ''}{o if bias else ''} = {answer}"
[cards.params]
c = { choices = [3, 16] }
o = { choices = [8, 32] }
k = { choices = [3, 5] }
bias = { choices = [true, false] }
[cards.truth]
layer = "Conv2d(c, o, k, bias=bias)"
read = "params"
[[cards.mistakes]]
id = "bias-flipped"
answer = "k*k*c*o + (0 if bias else o)"
feedback = "Read the question again: the layer is {'with' if bias else 'without'} a bias."

[[cards]]
id = "rnn-shape-by-cell"
title = "Hidden state shape, whichever cell"
kind = "shape"
prompt = "An {cell}, input size {x}, hidden size {h}, batch_first=True, on ({b}, {t}, {x}): output shape?"
answer = "(b, t, h)"
solution = "{answer}"
[cards.params]
cell = { choices = ["LSTM", "GRU", "RNN"] }
x = { choices = [4, 10] }
h = { choices = [8, 16] }
b = { choices = [2, 3] }
t = { choices = [5, 7] }
[cards.truth.layers]
lstm = "LSTM(x, h, batch_first=True)"
gru = "GRU(x, h, batch_first=True)"
rnn = "RNN(x, h, batch_first=True, nonlinearity='tanh')"
[cards.truth]
input = "(b, t, x)"
read = "shape(lstm) if cell == 'LSTM' else (shape(gru) if cell == 'GRU' else shape(rnn))"
'''


@pytest.fixture
def deck(tmp_path: Path):
    path = tmp_path / "flags.toml"
    path.write_text(DECK, encoding="utf-8")
    return load_deck(path)


def test_a_flag_switches_the_words_and_torch_proves_both_cases(deck):
    card = deck.cards[0]
    questions = [generate(card, seed) for seed in range(40)]
    assert {q.values["bias"] for q in questions} == {True, False}
    for question in questions:
        word = "with a bias" if question.values["bias"] else "without a bias"
        assert word in question.prompt
    report = check_card(card, range(200))
    assert report.ok and report.proved == 200
    without = next(q for q in questions if not q.values["bias"])
    assert "bias=False" in truth_of(without).describe()


def test_a_text_param_picks_the_layer_and_a_mistake_still_gets_its_feedback(deck):
    assert check_card(deck.cards[1], range(100)).ok
    card = deck.cards[0]
    question = next(q for q in (generate(card, s) for s in range(40)) if q.values["bias"])
    v = question.values
    wrong = grade_question(question, str(v["k"] ** 2 * v["c"] * v["o"]))
    assert wrong.verdict == "incorrect" and wrong.mistake == "bias-flipped"
    assert "with a bias" in wrong.feedback
    assert grade_question(question, question.answer_text).verdict == "correct"


def test_mixed_choices_are_a_deck_error(tmp_path: Path):
    path = tmp_path / "mixed.toml"
    path.write_text(DECK.replace("bias = { choices = [true, false] }", 'bias = { choices = [true, "no"] }'))
    with pytest.raises(DeckError, match=r"field 'params.bias'.*not a mix"):
        load_deck(path)
