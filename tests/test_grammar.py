"""a/an before a number and singular/plural after one, as deck placeholders call them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studycards.deck import load_deck
from studycards.errors import DeckError
from studycards.grammar import an, article, plural, plural_of, reads_with_an
from studycards.question import fill, generate


@pytest.mark.parametrize(
    "number",
    [8, 11, 18, 80, 84, 89, 800, 845, 899, 8000, 8192, 11000, 11500, 18000, 18432, 80000, 84000, 800000, 8_000_000],
)
def test_numbers_spoken_with_a_vowel_take_an(number):
    assert reads_with_an(number) and article(number) == "an"


@pytest.mark.parametrize("number", [0, 1, 2, 7, 10, 12, 17, 19, 28, 81 * 10 + 100, 100, 108, 180, 1100, 1800, 12000])
def test_other_numbers_take_a(number):
    assert not reads_with_an(number) and article(number) == "a"


def test_the_leading_group_of_three_digits_decides():
    # 11,000 is "eleven thousand", 1,100 "one thousand one hundred", 180 "one hundred and eighty".
    assert (an(11000), an(1100), an(180), an(84)) == ("an 11,000", "a 1,100", "a 180", "an 84")


@given(st.integers(min_value=0, max_value=10**12))
def test_an_agrees_with_the_spoken_leading_word(number):
    lead = number
    while lead >= 1000:
        lead //= 1000
    word_starts_with_vowel = (lead // 100 == 8) if lead >= 100 else lead in {8, 11, 18} or 80 <= lead <= 89
    assert reads_with_an(number) == word_starts_with_vowel


def test_plural_after_one_is_singular():
    assert plural(1, "input channel") == "1 input channel"
    assert plural(3, "input channel") == "3 input channels"
    assert plural(1, "sequence") == "1 sequence" and plural(2, "sequence") == "2 sequences"
    assert plural(2, "batch") == "2 batches" and plural(4, "entry") == "4 entries" and plural(0, "day") == "0 days"
    assert plural(2, "mouse", "mice") == "2 mice" and plural(1, "mouse", "mice") == "1 mouse"
    assert plural(20000, "weight") == "20,000 weights"
    assert plural_of("head") == "heads"


def test_placeholders_call_the_helpers():
    values = {"i": 84, "c": 1, "n": 3}
    text = "{an(i)}×{i} map with {plural(c, 'input channel')}, {an(c)}-channel image, "
    text += "a batch of {plural(n, 'sequence')}"
    assert fill(text, values) == "an 84×84 map with 1 input channel, a 1-channel image, a batch of 3 sequences"


DECK = '''
title = "Grammar"
[[cards]]
id = "g"
title = "g"
prompt = "{an(i)}×{i} input with {plural(c, 'channel')}: output height?"
answer = "i"
solution = "{answer}"
[cards.params]
i = { choices = [8, 12] }
c = { choices = [1, 3] }
[cards.truth]
layer = "Conv2d(c, 4, 1)"
input = "(1, c, i, i)"
read = "shape[2]"
[[cards.mistakes]]
id = "m"
answer = "i + 1"
feedback = "Not {plural(i + 1, 'row')}: {an(i)}-row input keeps its rows."
'''


def test_a_deck_calls_the_helpers_in_its_texts(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text(DECK, encoding="utf-8")
    card = load_deck(path).cards[0]
    prompts = {generate(card, seed).prompt for seed in range(40)}
    assert prompts == {
        "an 8×8 input with 1 channel: output height?",
        "an 8×8 input with 3 channels: output height?",
        "a 12×12 input with 1 channel: output height?",
        "a 12×12 input with 3 channels: output height?",
    }


@pytest.mark.parametrize(
    "field, bad",
    [
        ("answer", 'answer = "an(i)"'),  # only placeholders may call the text helpers
        ("prompt", "prompt = \"{plural(c)} channels\""),  # plural needs its noun
    ],
)
def test_the_helpers_are_placeholders_only(tmp_path, field, bad):
    path = tmp_path / "g.toml"
    path.write_text(DECK.replace(DECK.split("\n")[5 if field == "prompt" else 6], bad, 1), encoding="utf-8")
    with pytest.raises(DeckError) as error:
        card = load_deck(path).cards[0]
        generate(card, 0)
    assert "'g'" in str(error.value) and field in str(error.value)


def test_without_numbers_the_helpers_read_as_the_rule():
    from studycards.stats import feedback_outline

    text = "{An(i)}×{i} map, {an(k)}×{k} kernel, {plural(c, 'input channel')}, {plural(n, 'mouse', 'mice')}"
    assert feedback_outline(text) == "A i×i map, a k×k kernel, c input channels, n mice"


def test_numbers_shown_to_the_decimals_asked_for():
    from fractions import Fraction

    from studycards.grammar import fixed, signed

    assert fixed(Fraction(9, 5), 2) == "1.80"  # the "(two decimals)" a prompt asks for, trailing zero kept
    assert fixed(Fraction(4, 3), 3) == "1.333" and fixed(Fraction(-1, 3), 3) == "−0.333"
    assert fixed(Fraction(2245, 1000), 2) == "2.25" and fixed(Fraction(-2245, 1000), 2) == "−2.25"  # half away
    assert fixed(12345, 1) == "12,345.0" and fixed(Fraction(7, 2), 0) == "4"
    assert signed(Fraction(-7, 100)) == "− 0.07" and signed(Fraction(48, 100)) == "+ 0.48" and signed(0) == "+ 0"
    values = {"a": Fraction(48, 100), "b": Fraction(-7, 100), "r": Fraction(4499, 100)}
    assert fill("{a} {signed(b)} = {a + b}; about {round(r)}%, {round(r, 1)}%", values) == (
        "0.48 − 0.07 = 0.41; about 45%, 45%"
    )


def test_prose_writes_a_minus_sign_and_code_keeps_pythons():
    from fractions import Fraction

    values = {"g": Fraction(-7, 10), "d": -1}
    text = "g = {g}, so tanh({g}) is negative; `softmax(x, dim={d})`\n```\nx.softmax(dim={d})\n```"
    shown = "g = −0.7, so tanh(−0.7) is negative; `softmax(x, dim=-1)`\n```\nx.softmax(dim=-1)\n```"
    assert fill(text, values) == shown


def test_a_worked_out_value_is_written_as_every_value_the_learner_reads():
    from fractions import Fraction

    from studycards.answer_reader import describe, read_answer
    from studycards.rendering import display_value

    assert describe(read_answer("3*3*256*384")) == "3·3·256·384 = 884,736"  # beside "expected 885,120"
    assert describe(read_answer("884736")) == "884736"  # what was typed reads back as typed
    assert describe(read_answer("2241/869")) == "2241/869 ≈ 2.57883"  # a fraction nobody can take in at a glance
    assert display_value(Fraction(2241, 869)) == "2.57883" and display_value(Fraction(4, 3)) == "4/3"
    assert display_value(Fraction(7, 2)) == "3.5" and display_value(-1) == "−1"


def test_a_table_of_values_in_a_block_is_written_like_prose_and_code_stays_code():
    from fractions import Fraction

    values = {"g": Fraction(-7, 10), "n": -1024}
    table = "```\ncandidate    g = {g}\nforget gate  f = {n}\n```"
    assert fill(table, values) == "```\ncandidate    g = −0.7\nforget gate  f = −1,024\n```"
    code = "```\nx = {n}\nd_model = {n}\nx      = {n}\n```"
    assert fill(code, values) == "```\nx = -1024\nd_model = -1024\nx      = -1024\n```"
