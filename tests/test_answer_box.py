"""The answer box reads what people write (issue 13 §4): the prompt's names, the deck's functions,
shapes as written on paper, hints that never show the answer, slips only where they can happen, and
numbers that are not what they look like."""

from __future__ import annotations

import re
import time
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import studycards
from studycards.answer_names import name_table
from studycards.answer_reader import UnreadableAnswer, preview, read_answer
from studycards.deck import load_deck, load_decks
from studycards.errors import DeckError, RefError
from studycards.grading import grade_question
from studycards.hints import input_hint, neutral_shape
from studycards.locations import bundled_decks_dir
from studycards.question import generate

DECKS = {deck.id: {card.id: card for card in deck.cards} for deck in load_decks()}


def card(ref: str):
    deck, _, card_id = ref.partition("/")
    return DECKS[deck][card_id]


def question(ref: str, seed: int = 1):
    return generate(card(ref), seed)


def reason(text: str, **kwargs) -> str:
    with pytest.raises(UnreadableAnswer) as caught:
        read_answer(text, **kwargs)
    assert "\n" not in caught.value.reason
    return caught.value.reason


# --- names in the prompt work in the answer -------------------------------------------------------


def test_the_mdn_prompts_capitals_answer_the_mdn_card():
    q = question("mdn/mdn-mu-features")
    result = grade_question(q, "K*D")
    assert result.verdict == "correct", result
    assert result.reading == f"K·D = {q.answer}"  # shown back as the learner typed it


def test_an_unknown_name_lists_the_names_as_the_prompt_writes_them():
    result = grade_question(question("mdn/mdn-mu-features"), "Q*D")
    assert result.feedback == "Cannot read the answer: 'Q' is not a name on this card (names: D, hd, K)."


def test_deck_aliases_answer_attention_and_lstm_cards():
    q = question("attention/mha-head-dim")
    assert grade_question(q, "embed_dim/num_heads").verdict == "correct"
    q = question("lstm/lstm-params-one-layer")
    typed = "4*(hidden_size*(input_size + hidden_size) + 2*hidden_size)"
    assert grade_question(q, typed).verdict == "correct"
    assert grade_question(q, typed.upper()).verdict == "correct"  # HIDDEN_SIZE: the case does not matter


def test_every_card_of_the_lstm_deck_that_shows_h_takes_hidden_size():
    for template in DECKS["lstm"].values():
        q = generate(template, 0)
        if template.kind != "number" or "{h}" not in template.prompt:
            continue
        reading = read_answer("hidden_size", template)
        assert reading.value(q.values) == q.values["h"], template.ref


def test_exact_case_is_required_where_two_names_differ_only_in_case():
    table = name_table({"k", "K", "d"})
    assert table.resolve("k") == "k" and table.resolve("K") == "K" and table.resolve("D") == "d"
    assert read_answer("k*K", symbols={"k", "K"}).value({"k": 2, "K": 5}) == 10
    message = reason("kD", symbols={"kd", "KD"})
    assert "could be any of KD, kd" in message and "exact case" in message


def test_a_value_the_question_keeps_back_cannot_answer_it():
    template = card("mdn/mdn-hidden-from-params")  # "what is the hidden size H?": hd is the answer
    q = generate(template, 1)
    for typed in ("H", "hd"):
        assert grade_question(q, typed).verdict == "unreadable", typed


def test_aliases_are_validated_with_one_line(tmp_path: Path):
    def deck(deck_aliases: str = "", card_aliases: str = "") -> Path:
        path = tmp_path / "aliased.toml"
        path.write_text(
            f'title = "T"\n{deck_aliases}\n[[cards]]\nid = "c"\ntitle = "C"\nprompt = "{{i}} {{k}}"\n'
            f'answer = "i - k + 1"\nsolution = "x"\n{card_aliases}\n'
            '[cards.params]\ni = { range = [8, 16] }\nk = { choices = [3, 5] }\n'
            '[cards.truth]\nlayer = "Conv2d(1, 1, k)"\ninput = "(1, 1, i, i)"\nread = "shape[2]"\n',
            encoding="utf-8",
        )
        return path

    assert load_deck(deck('aliases = { kernel_size = "k" }')).cards[0].aliases == {"kernel_size": "k"}
    cases = {
        ('', 'aliases = { K = "q" }'): "field 'aliases.K': 'q' is not a name on this card",
        ('', 'aliases = { i = "k" }'): "field 'aliases.i': 'i' is already a name on this card",
        ('', 'aliases = { exp = "k" }'): "'exp' is a function an answer may use",
        ('', 'aliases = { K = 3 }'): "must be the name it stands for, in quotes",
        ('', 'aliases = "K"'): "field 'aliases': must be a table",
        ('aliases = { width = "w" }', ''): "field 'aliases.width': no card has a number named 'w'",
    }
    for (deck_line, card_line), expected in cases.items():
        with pytest.raises(DeckError) as caught:
            load_deck(deck(deck_line, card_line))
        assert expected in str(caught.value) and "\n" not in str(caught.value), (deck_line, card_line)


# --- functions the deck is about ------------------------------------------------------------------


def test_sigmoid_and_tanh_answer_an_lstm_gate_card():
    q = question("lstm/lstm-cell-from-preactivations", 1)
    zf, zi, zg, c = (q.values[name] for name in ("zf", "zi", "zg", "c_prev"))
    for typed in (f"sigmoid({zf})*({c}) + sigmoid({zi})*tanh({zg})", f"σ({zf})*({c}) + σ({zi})*tanh({zg})"):
        assert grade_question(q, typed).verdict == "correct", typed
    assert grade_question(q, f"sigmoid({zf})*({c}) + sigmoid({zi})*{zg}").verdict == "incorrect"


@pytest.mark.parametrize(
    ("text", "expected", "exact"),
    [
        ("tanh(0)", 0, True),
        ("sigmoid(0)", Fraction(1, 2), True),
        ("exp(0)", 1, True),
        ("log(1)", 0, True),
        ("exp(log(8))", 8, True),
        ("log(exp(2))", 2, True),
        ("exp(2*log(7))", 49, False),
        ("sigmoid(log(3))", Fraction(3, 4), False),
        ("Tanh(1)", Fraction("0.76159415595576488812"), False),
        ("exp(1)", Fraction("2.71828182845904509080"), False),
    ],
)
def test_functions_are_exact_where_possible_and_close_otherwise(text, expected, exact):
    value, is_exact = read_answer(text).evaluate()
    assert is_exact is exact
    assert abs(value - expected) <= Fraction(1, 10**14) * max(1, abs(expected))  # float-accurate at worst


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exp(exp(exp(99)))", "is out of range: its argument must be between -300 and 300"),
        ("log(0)", "log of zero is undefined"),
        ("log(-1)", "log of a negative number is undefined"),
        ("log(2 - 2)", "log of zero is undefined"),
        ("exp(300)*exp(300)", "grows too large"),
        ("exp 1", "exp needs its argument in brackets"),
        ("log(8, 2)", "log takes exactly one argument"),
    ],
)
def test_hostile_function_answers_get_a_reason_quickly(text, expected):
    started = time.perf_counter()
    message = reason(text)
    assert time.perf_counter() - started < 0.05
    assert expected in message


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=-50, max_value=50, max_denominator=1000))
def test_sigmoid_is_one_minus_sigmoid_of_minus_x_and_tanh_is_odd(x):
    env = {"x": x}
    symbols = {"x"}
    total = read_answer("sigmoid(x) + sigmoid(-x)", symbols=symbols).evaluate(env)[0]
    odd = read_answer("tanh(x) + tanh(-x)", symbols=symbols).evaluate(env)[0]
    assert abs(total - 1) < Fraction(1, 10**14) and abs(odd) < Fraction(1, 10**14)


# --- shapes as written on paper -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["8×2×3×6", "8x2x3x6", "8 x 2 x 3 x 6", "8 X 2 X 3 X 6", "(8×2×3×6)", "8✕2✕3✕6"])
def test_a_shape_card_reads_times_signs_as_dimensions(text):
    template = card("lstm/lstm-output-shape")  # has a name x (input_size): 8x2 is still a shape
    assert read_answer(text, template).value({}) == (8, 2, 3, 6)
    assert preview(text, template) == "reads as the shape (8, 2, 3, 6)"


def test_on_a_number_card_times_signs_stay_products():
    template = card("cnn/conv-params")
    for text in ("8×2×3×6", "8x2x3x6", "8 x 2 x 3 x 6"):
        assert preview(text, template) == "reads as 8·2·3·6 = 288"


def test_times_signs_with_names_and_brackets_on_a_shape_card():
    q = question("attention/mha-output-shape")
    assert grade_question(q, "b × lq × d").verdict == "correct"
    assert grade_question(q, "B×Lq×embed_dim").verdict == "correct"
    assert read_answer("(2×3, 4)", kind="shape").value() == (6, 4)  # beside commas, × multiplies
    assert read_answer("(2)×(3)", kind="shape").value() == (2, 3)
    assert "no size after it" in reason("8×", kind="shape")
    assert "no size before it" in reason("×8", kind="shape")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=99_999), min_size=1, max_size=8),
    st.lists(st.sampled_from(["×", "x", " x ", " × ", "X", "✕", "✖", " ✖ "]), min_size=7, max_size=7),
    st.booleans(),
)
def test_any_shape_written_with_times_signs_equals_its_tuple(sizes, signs, bracketed):
    text = str(sizes[0]) + "".join(sign + str(size) for sign, size in zip(signs, sizes[1:]))
    if bracketed:
        text = f"({text})"
    reading = read_answer(text, kind="shape")
    tuple_form = read_answer("(" + ", ".join(map(str, sizes)) + ",)", kind="shape")
    if len(sizes) > 1:
        assert reading.value() == tuple_form.value() == tuple(sizes)
        assert reading.render() == tuple_form.render()


# --- a hint never shows the answer ----------------------------------------------------------------


def test_a_shape_hint_uses_a_neutral_example():
    q = question("lstm/lstm-output-shape")
    result = grade_question(q, "5")
    assert result.verdict == "unreadable"
    assert result.feedback.endswith("write all 3 dimensions, like (2, 3, 5).")
    assert neutral_shape(4, (2, 3, 5, 7)) == (3, 5, 7, 11)
    assert neutral_shape(4, (8, 2, 3, 6)) == (2, 3, 5, 7)


@pytest.mark.parametrize("template", [c for deck in DECKS.values() for c in deck.values()], ids=lambda c: c.ref)
def test_no_hint_in_the_answer_box_shows_the_answer(template):
    for seed in range(5):
        q = generate(template, seed)
        hint = input_hint(q)
        example = re.search(r"like (.+)$", hint)
        if example is None:
            continue
        shown = grade_question(q, example.group(1))
        assert shown.verdict != "correct", (seed, hint)


# --- a generic slip is named only where it can happen ---------------------------------------------


def test_minus_one_names_the_same_dim_and_is_right_with_a_note():
    for seed in range(10):
        q = question("mdn/softmax-mixture-dim", seed)
        result = grade_question(q, "-1")
        assert (result.verdict, result.mistake) == ("correct", None)
        assert result.feedback.startswith(f"-1 counts from the end, so it names the same dim as {q.answer}")
        assert grade_question(q, str(q.answer)).feedback == ""


def test_a_dim_card_names_no_generic_slip():
    template = card("mdn/softmax-mixture-dim")
    assert template.slips == ()
    for seed in range(10):
        q = generate(template, seed)
        for wrong in range(-3, 5):
            result = grade_question(q, str(wrong))
            assert result.mistake not in ("forgot-bias", "added-bias", "off-by-one", "factor-of-2"), (seed, wrong)


def test_default_slips_by_kind():
    assert "forgot-bias" in card("cnn/conv-params").slips  # its truth reads a parameter count
    assert "forgot-bias" not in card("cnn/conv-output-size").slips
    assert card("lstm/lstm-output-shape").slips == ("off-by-one", "factor-of-2", "transposed")
    assert card("lstm/lstm-gate-roles").slips == ()


def test_a_gate_value_is_never_called_off_by_one_or_doubled():
    q = question("lstm/lstm-cell-update", 3)
    for wrong in (q.answer + 1, q.answer * 2, q.answer - 1):
        assert grade_question(q, str(Fraction(wrong))).mistake is None


def test_slips_field_is_validated(tmp_path: Path):
    def deck(line: str, kind: str = "number") -> Path:
        path = tmp_path / "slips.toml"
        answer = '"(1, i)"' if kind == "shape" else '"i - k + 1"'
        path.write_text(
            f'title = "T"\n[[cards]]\nid = "c"\ntitle = "C"\nkind = "{kind}"\nprompt = "{{i}} {{k}}"\n'
            f'answer = {answer}\nsolution = "x"\n{line}\n'
            '[cards.params]\ni = { range = [8, 16] }\nk = { choices = [3, 5] }\n'
            '[cards.truth]\nlayer = "Identity()"\ninput = "(1, i)"\nread = "shape[1]"\n',
            encoding="utf-8",
        )
        return path

    assert load_deck(deck('slips = ["off-by-one"]')).cards[0].slips == ("off-by-one",)
    assert load_deck(deck("slips = []")).cards[0].slips == ()
    for line, kind, expected in [
        ('slips = ["of-by-one"]', "number", "unknown slip 'of-by-one' (slips: off-by-one,"),
        ('slips = ["transposed"]', "number", "'transposed' cannot happen on a number card"),
        ('slips = "off-by-one"', "number", "must be a list of slips"),
        ('[[cards.equivalents]]\nanswer = "-1"\nfeedback = "f"', "shape", None),
    ]:
        if expected is None:
            load_deck(deck(line, kind))
            continue
        with pytest.raises(DeckError) as caught:
            load_deck(deck(line, kind))
        assert "field 'slips'" in str(caught.value) and expected in str(caught.value), line


# --- numbers that are not what they look like -----------------------------------------------------


@pytest.mark.parametrize("text", ["0,416", "0 416", "00,416", "0,000,001"])
def test_a_leading_zero_group_is_not_thousands(text):
    message = reason(text, kind="number")
    assert "is not a number grouped in thousands" in message and "write a dot" in message


def test_decimal_comma_hint_names_the_decimal():
    assert reason("0,416", kind="number").endswith("for a decimal, write a dot: 0.416")
    assert read_answer("61,100,840", kind="number").value() == 61_100_840  # real groups still join


@pytest.mark.parametrize("text", ["³", "③", "¹", "½"])
def test_odd_digits_on_a_choice_card_are_not_an_option(text):
    result = grade_question(question("lstm/lstm-gate-roles"), text)
    assert result.verdict == "unreadable"
    assert "not one of the options" in result.feedback and "ValueError" not in result.feedback


@pytest.mark.parametrize("ref", [None, 3, b"cnn/conv-params"])
def test_grade_with_a_reference_that_is_not_text_raises_ref_error(ref):
    with pytest.raises(RefError, match="is not a card reference"):
        studycards.grade(ref, 1, "1")


def test_shipped_decks_still_load_from_their_files():
    for path in sorted(bundled_decks_dir().glob("*.toml")):
        assert load_deck(path).cards


def test_answers_and_deck_formulas_know_the_same_functions():
    from studycards.answer_reader import FUNCTIONS
    from studycards.formula import BASE_FUNCTIONS

    assert set(FUNCTIONS) == set(BASE_FUNCTIONS)  # an alias may not shadow any of them
