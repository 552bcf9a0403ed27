"""Prose reflows, fenced blocks keep their lines: in the core, on load, in show and in the Anki fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studycards.anki_export import exported_note, note_fields
from studycards.deck import load_deck, load_decks
from studycards.errors import DeckError
from studycards.question import generate
from studycards.text_blocks import (
    QUIZ_BLOCK_WIDTH,
    Segment,
    fence_problem,
    mend_lines,
    plain_text,
    reflow_lines,
    segments,
)

BLOCK_WIDTH = QUIZ_BLOCK_WIDTH  # 80 columns less the body's padding, its scroll bar and the block's padding

PROMPT = """\
A decoder attends to an encoder output
of 40 positions:
```
attn = nn.MultiheadAttention(256, 4, batch_first=True)
out, weights = attn(query, key, value)
```
with query of shape (8, 10, 256).
What is the shape of out?"""


def test_a_mid_sentence_break_is_joined_and_sentence_breaks_stay():
    lines = "A 56×56 input, a 7×7 kernel, stride 3. The stride does not divide\n(i − k + 2p) evenly.\nWhat?"
    assert reflow_lines(lines.splitlines()) == [
        "A 56×56 input, a 7×7 kernel, stride 3. The stride does not divide (i − k + 2p) evenly.",
        "What?",
    ]


def test_code_lines_stay_apart_from_the_prose_around_them():
    assert segments(PROMPT, reflow=True) == (
        Segment("A decoder attends to an encoder output of 40 positions:"),
        Segment("attn = nn.MultiheadAttention(256, 4, batch_first=True)\nout, weights = attn(query, key, value)", True),
        Segment("with query of shape (8, 10, 256).\nWhat is the shape of out?"),
    )


def test_a_block_keeps_its_columns_and_loses_only_the_common_indent():
    text = "Branches:\n```\n  1×1 conv    64\n  3×3 conv   128\n```"
    assert segments(text)[1] == Segment("1×1 conv    64\n3×3 conv   128", block=True)


def test_plain_text_indents_blocks_and_drops_the_fences():
    assert plain_text(PROMPT).splitlines()[2:4] == [
        "    attn = nn.MultiheadAttention(256, 4, batch_first=True)",
        "    out, weights = attn(query, key, value)",
    ]
    assert "```" not in plain_text(PROMPT)


@given(st.lists(st.text(alphabet="ab .:\n`", max_size=30), max_size=6))
def test_segments_keep_every_word_and_fence_problem_agrees_with_the_fences(pieces):
    text = "\n".join(pieces)
    # A fence is a line of its own; three backticks inside a prose line are just text.
    words = [w for line in text.splitlines() if not line.strip().startswith("```") for w in line.split()]
    kept = " ".join(segment.text for segment in segments(text, reflow=True)).split()
    if fence_problem(text) is None:
        assert kept == words


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a\n```\ncode", "the ``` block opened on line 2 is never closed"),
        ("```python\ncode\n```python", "line 3: a ``` block closes with a bare ``` line"),
        ("``` code\n```", "line 1: a ``` fence stands alone on its line (```python names a block at most)"),
        ("a\n```python\ncode\n```\nb", None),
    ],
)
def test_fence_problems_name_the_line(text, problem):
    assert fence_problem(text) == problem


def test_an_unclosed_block_is_a_deck_error_naming_the_card_and_field(tmp_path: Path):
    path = tmp_path / "d.toml"
    path.write_text(
        """title = "T"
[[cards]]
id = "c"
title = "C"
prompt = '''
Code:
```
x = {n}'''
answer = "n"
solution = "{answer}"
[cards.params]
n = { range = [1, 3] }
""",
        encoding="utf-8",
    )
    with pytest.raises(DeckError) as raised:
        load_deck(path)
    assert str(raised.value) == (f"{path}: card 'c': field 'prompt': the ``` block opened on line 2 is never closed")


def test_shipped_prompts_keep_every_word_and_their_blocks_fit_the_quiz_at_80_columns():
    for deck in load_decks():
        for card in deck.cards:
            for seed in range(20):
                question = generate(card, seed)
                for field, text in (("prompt", question.prompt), ("solution", question.solution)):
                    words = [w for w in text.split() if w != "```"]
                    assert " ".join(s.text for s in segments(text, reflow=True)).split() == words
                    for segment in segments(text):
                        for line in segment.lines if segment.block else ():
                            assert len(line) <= BLOCK_WIDTH, (card.ref, seed, field, line)


def test_the_prompts_the_issue_names_hold_their_code_and_values_in_blocks():
    decks = {deck.id: deck for deck in load_decks()}
    blocks = {
        ref: [s.text for s in segments(generate(decks[ref.split("/")[0]].card(ref.split("/")[1]), 0).prompt) if s.block]
        for ref in ("attention/mha-weights-shape", "lstm/lstm-cell-update", "mdn/mdn-course-params")
    }
    assert blocks["attention/mha-weights-shape"][0].splitlines()[1] == "out, weights = attn(query, key, value)"
    assert [line.split()[-3:-1] for line in blocks["lstm/lstm-cell-update"][0].splitlines()] == [
        ["f", "="],
        ["i", "="],
        ["g", "="],
        ["o", "="],
    ]
    assert len(blocks["mdn/mdn-course-params"][0].splitlines()) == 6


def test_anki_shows_a_prompts_code_in_a_pre_block():
    deck = next(deck for deck in load_decks() if deck.id == "attention")
    question = generate(deck.card("mha-weights-shape"), 0)
    fields = note_fields(exported_note(deck, question))
    question_field = fields[0]
    assert '<pre class="sc-code">attn = nn.MultiheadAttention(' in question_field
    assert "out, weights = attn(query, key, value)</pre>The query has shape" in question_field
    assert "```" not in question_field


def test_check_names_a_block_line_too_wide_for_the_quiz(tmp_path: Path):
    from studycards.deck_check import check_card

    path = tmp_path / "wide.toml"
    path.write_text(
        """title = "T"
[[cards]]
id = "wide"
title = "Wide"
prompt = '''
The layer:
```
layer = nn.Linear({n}, 2)   # a comment long enough to run past the seventy-four columns
```
How many parameters does it have?'''
answer = "2*n + 2"
solution = "{answer}"
[cards.params]
n = { range = [3, 9] }
[cards.truth]
layer = "Linear(n, 2)"
read = "params"
""",
        encoding="utf-8",
    )
    report = check_card(load_deck(path).cards[0], range(2))
    assert not report.ok and report.proved == 2
    assert (
        "field 'prompt': a block line wider than the 74 columns an 80-column quiz shows: “layer = nn.Linear("
        in report.failures[0]
    )


def test_mending_joins_only_the_breaks_inside_a_sentence_and_keeps_each_step_on_its_line():
    solution = "\n".join(
        [
            "Padding is a property of the keys, and the same for every query",
            "and every head: (batch, key length) = (2, 24).",
            "in_proj: 3·d·d = 768",
            "out_proj: d·d = 256",
            "k = 3",
            "so the softmax does not saturate.",
            "    an indented line stays",
        ]
    )
    assert mend_lines(solution.splitlines()) == [
        "Padding is a property of the keys, and the same for every query and every head: (batch, key length)"
        " = (2, 24).",
        "in_proj: 3·d·d = 768",
        "out_proj: d·d = 256",
        "k = 3",
        "so the softmax does not saturate.",
        "    an indented line stays",
    ]
    # A block is never mended, and without ``mend`` nothing is joined.
    fenced = "the weights\nand the values\n```\nout, w = attn(q,\n  k, v)\n```"
    assert [s.text for s in segments(fenced, mend=True)] == ["the weights and the values", "out, w = attn(q,\n  k, v)"]
    assert segments(fenced)[0].text == "the weights\nand the values"
