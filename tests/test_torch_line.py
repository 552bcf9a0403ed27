"""The torch line shows the layer torch built, every value evaluated, and says what proves the answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studycards.deck import load_deck, load_decks
from studycards.ground_truth import torch_line
from studycards.layer_spec import parse_spec, typed_layer
from studycards.question import generate

SEEDS = range(25)
TEMPLATE_SYNTAX = ("==", "!=", " if ", " else ", "{", "}")


def _questions(home: Path):
    for deck in load_decks(home):
        for card in deck.cards:
            for seed in SEEDS:
                yield generate(card, seed)


def _bare_names(line: str, names: set[str]) -> list[str]:
    """Parameter names standing alone where a value belongs (``name = value`` and ``name=value`` are
    labels with their value, and ``h_n`` is one word)."""
    found = []
    for match in re.finditer(r"[A-Za-z_][A-Za-z_0-9]*", line):
        word = match.group()
        if word in names and not re.match(r"\s*=", line[match.end() :]):
            found.append(word)
    return found


def test_every_torch_line_of_every_deck_is_the_layer_torch_built(home):
    checked = 0
    for question in _questions(home):
        text = torch_line(question)
        if text is None:
            continue
        checked += 1
        where = f"{question.ref} seed {question.seed}: {text}"
        for syntax in TEMPLATE_SYNTAX:
            assert syntax not in text, where
        names = set(question.card.params) | set(question.card.derived)
        # The truth's own layer names label their lines: "torch (direct): ...".
        labels = set(re.findall(r"torch \((\w+)\)", text)) | set(re.findall(r"parameters \((\w+)\)", text))
        assert not _bare_names(re.sub(r"torch \(\w+\)|parameters \(\w+\)", "", text), names - labels), where
        assert text.startswith("torch: ") or text.startswith("torch ("), where
        assert "torch disagrees" not in text
    assert checked > 1500


def test_big_numbers_have_separators_and_code_keeps_plain_numbers(home):
    deck = next(d for d in load_decks(home) if d.id == "modern-cnn")
    card = next(c for c in deck.cards if c.id == "alexnet-fc6-input-size")
    text = torch_line(generate(card, 0))
    assert "Linear(9216, 4096, bias=False) has 37,748,736 parameters" in text
    assert "answer: 37,748,736 parameters (fc6)" in text


@pytest.mark.parametrize(
    ("template", "values", "typed"),
    [
        (
            "LSTM(x, h, num_layers=n, batch_first=bf == 1, bidirectional=bd == 1)",
            {"x": 8, "h": 20, "n": 3, "bf": 1, "bd": 0},
            "LSTM(8, 20, num_layers=3, batch_first=True)",
        ),
        ("Conv2d(384, 4096, 1, groups=1) if L <= 5 else Linear(9216, 4096)", {"L": 6}, "Linear(9216, 4096)"),
        ("Conv2d(384, 4096, 1, groups=1) if L <= 5 else Linear(9216, 4096)", {"L": 5}, "Conv2d(384, 4096, 1)"),
        ("Linear(7*7*512, 4096, bias=True)", {}, "Linear(25088, 4096)"),
        ("Sequential(Conv2d(c, c, 3) if n == 3 else Identity(), ReLU())", {"c": 4, "n": 2},
         "Sequential(Identity(), ReLU())"),
        ("Conv2d(c, o, (kh, kw), stride=s, padding=p)", {"c": 3, "o": 8, "kh": 3, "kw": 5, "s": 2, "p": 0},
         "Conv2d(3, 8, (3, 5), stride=2)"),
        ("Conv2d(3, 8, 3, padding='same')", {}, "Conv2d(3, 8, 3, padding='same')"),
        ("Dropout(p=1/4)", {}, "Dropout(p=0.25)"),
        ("RNN(4, 4, nonlinearity='relu')", {}, "RNN(4, 4, nonlinearity='relu')"),
    ],
)  # fmt: skip
def test_a_template_is_written_as_the_layer_it_builds(template, values, typed):
    assert typed_layer(parse_spec(template), values) == typed


def test_the_line_names_the_output_that_holds_the_answer(home):
    deck = next(d for d in load_decks(home) if d.id == "lstm")
    card = next(c for c in deck.cards if c.id == "lstm-hn-shape")
    question = generate(card, 0)
    lines = torch_line(question).splitlines()
    layer = r"torch: LSTM\(\d+, \d+, num_layers=\d+.*\)"
    assert re.match(layer + r" on \(.*\) → output \(.*\), h_n \(.*\), c_n \(.*\)", lines[0])
    assert lines[-1] == f"answer: h_n {question.answer_text}, c_n {question.answer_text}"


def test_only_the_layer_the_question_uses_is_shown(home):
    deck = next(d for d in load_decks(home) if d.id == "modern-cnn")
    card = next(c for c in deck.cards if c.id == "vgg-total")
    for seed in range(8):
        question = generate(card, seed)
        text = torch_line(question)
        assert text == f"torch: vgg{question.values['N']} has {question.answer:,} parameters"


DECK = '''
id = "two"
title = "Two layers"

[[cards]]
id = "sum"
title = "Two layers"
kind = "number"
prompt = "Two linear layers {a} → {b} → 1: parameters?"
answer = "a*b + b + b + 1"
solution = "{a}·{b} + {b} + {b} + 1"

[cards.params]
a = { range = [1000, 2000] }
b = { choices = [1, 2] }

[cards.truth.layers]
first = "Linear(a, b)"
second = "Linear(b, 1)"

[cards.truth]
read = "params(first) + params(second)"
'''


def test_several_layers_are_labelled_and_the_sum_is_spelled_out(tmp_path: Path):
    path = tmp_path / "two.toml"
    path.write_text(DECK, encoding="utf-8")
    card = load_deck(path).cards[0]
    question = next(q for q in (generate(card, s) for s in range(20)) if q.values["b"] == 1)
    a = question.values["a"]
    assert torch_line(question).splitlines() == [
        f"torch (first): Linear({a}, 1) has {a + 1:,} parameters",
        "torch (second): Linear(1, 1) has 2 parameters",
        f"answer: {a + 1:,} + 2 = {a + 3:,}",
    ]


def test_a_long_torch_line_breaks_between_layers_never_inside_one(home):
    from studycards.torch_line import wrap_torch_line

    deck = next(d for d in load_decks(home) if d.id == "modern-cnn")
    card = next(c for c in deck.cards if c.id == "alexnet-fc6-input-size")
    first = torch_line(generate(card, 0)).splitlines()[0]
    for width in (40, 60, 76, 100):
        parts = wrap_torch_line(first, width)
        assert " ".join(part.strip() for part in parts) == first
        assert all(part.startswith("  ") for part in parts[1:])
        for part, following in zip(parts, parts[1:]):  # each break falls between layers or before on/→
            assert part.endswith("),") or following.strip().startswith(("on (", "→ ", "(")), (part, following)
        if width >= 76:
            assert max(len(part) for part in parts) <= width


def test_a_check_that_fails_early_still_gets_its_torch_line(tmp_path: Path):
    """After a false ``and``, the rest was never measured: the line shows what was, and check reports it."""
    text = DECK.replace(
        'read = "params(first) + params(second)"',
        'holds = "params(first) == params(second) and params(second) + shape(second, 3)[0] == answer"',
    )
    path = tmp_path / "two.toml"
    path.write_text(text, encoding="utf-8")
    card = load_deck(path).cards[0]
    from studycards.ground_truth import truth_of

    result = truth_of(generate(card, 0))
    assert not result.agrees
    assert result.lines[0].startswith("torch (first): Linear(") and len(result.lines) == 2


def test_show_truth_prints_each_torch_line_on_its_own_line(run_cli):
    result = run_cli("show", "cnn/one-by-one-savings", "--seed", "0", "--truth")
    lines = result.stdout.splitlines()
    assert lines[-3].startswith("torch (direct): Conv2d(")
    assert lines[-2].startswith("torch (reduced): Sequential(")
    assert lines[-1].startswith("answer: ") and " − " in lines[-1]


def test_every_computation_a_deck_can_call_is_described_in_words(home):
    """A truth function's own name (nbytes(...), stat_size(...)) is ours, not torch's: each has its words."""
    from studycards.layer_names import COMPUTE_FUNCTIONS

    seen = set()
    for question in _questions(home):
        if question.seed > 2:
            continue
        text = torch_line(question) or ""
        seen.update(name for name in COMPUTE_FUNCTIONS if f"{name}(" in text)
    assert not seen, seen


def test_a_buffers_question_shows_the_buffers_torch_counted(home):
    """The BatchNorm-buffers card asks for 2C + 1 buffer numbers: its line shows those, split by buffer,
    not the 2C parameters the card is not about."""
    deck = next(d for d in load_decks(home) if d.id == "normalization")
    card = next(c for c in deck.cards if c.id == "batchnorm-buffers")
    question = next(q for q in (generate(card, s) for s in range(40)) if q.values["c"] == 2048)
    assert torch_line(question) == (
        "torch: BatchNorm2d(2048) keeps 4,097 numbers in its buffers"
        " (running_mean 2,048, running_var 2,048, num_batches_tracked 1)"
    )
    from studycards.torch_line import wrap_torch_line

    assert wrap_torch_line(torch_line(question), 76) == [
        "torch: BatchNorm2d(2048) keeps 4,097 numbers in its buffers",
        "  (running_mean 2,048, running_var 2,048, num_batches_tracked 1)",
    ]


def test_a_truth_that_reads_parameters_and_buffers_shows_both(tmp_path: Path):
    text = DECK.replace('read = "params(first) + params(second)"', 'read = "params(first) + buffers(second)"')
    text = text.replace('second = "Linear(b, 1)"', 'second = "BatchNorm1d(b)"').replace(
        'answer = "a*b + b + b + 1"', 'answer = "a*b + b + 2*b + 1"'
    )
    path = tmp_path / "two.toml"
    path.write_text(text, encoding="utf-8")
    question = generate(load_deck(path).cards[0], 0)
    a, b = question.values["a"], question.values["b"]
    assert torch_line(question).splitlines() == [
        f"torch (first): Linear({a}, {b}) has {a * b + b:,} parameters",
        f"torch (second): BatchNorm1d({b}) keeps {2 * b + 1} numbers in its buffers"
        f" (running_mean {b}, running_var {b}, num_batches_tracked 1)",
        f"answer: {a * b + b:,} + {2 * b + 1} = {question.answer:,}",
    ]


def test_a_matrix_product_reads_as_torch_code_writes_it(home):
    deck = next(d for d in load_decks(home) if d.id == "compute")
    card = deck.card("bmm-flops")
    question = generate(card, 0)
    n, p, q, r = (question.values[name] for name in "npqr")
    assert torch_line(question) == (
        f"torch: ({n}, {p}, {q}) @ ({n}, {q}, {r}) → ({n}, {p}, {r}) ({2 * n * p * q * r:,} FLOPs)"
    )


def test_values_in_a_torch_sentence_take_the_minus_sign_the_solution_uses(home):
    deck = next(d for d in load_decks(home) if d.id == "lstm")
    card = deck.card("lstm-cell-update")
    question = next(q for q in (generate(card, seed) for seed in range(50)) if q.values["c_prev"] < 0)
    line = torch_line(question)
    assert "c_prev = −" in line and "= -" not in line, line
    from studycards.rendering import display_value

    shown = display_value(question.values["c_prev"])
    assert f"c_prev = {shown}" in line and f"({shown})" in question.solution  # written as the solution writes it
