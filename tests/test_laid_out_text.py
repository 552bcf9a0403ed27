"""On screen, a wrapped line continues under its own text, and a block keeps its lines however narrow."""

from __future__ import annotations

import io

from rich.console import Console

from studycards.tui.laid_out_text import laid_out

SUMMARY = """\
Answered   2

Mistakes
  • Output size of a convolution: 17, expected 18
    You forgot the +1: the first position of the kernel counts too, and so does the last one here."""


def shown(text: str, width: int, *, reflow: bool = False) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(laid_out(text, reflow=reflow))
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_a_summary_item_and_its_feedback_wrap_under_their_own_text():
    lines = shown(SUMMARY, 40)
    item = lines.index("  • Output size of a convolution: 17,")
    assert lines[item + 1] == "    expected 18"  # under the text after the bullet
    feedback = lines[item + 2 :]
    assert feedback[0].startswith("    You forgot the +1")
    assert len(feedback) > 2 and all(line.startswith("    ") and line[4] != " " for line in feedback)
    assert " ".join(" ".join(feedback).split()) == SUMMARY.splitlines()[-1].strip()


def test_a_block_keeps_its_lines_and_the_prose_around_it_reflows():
    text = (
        "The layer is built\nas follows:\n```\nattn = nn.MultiheadAttention(256, 4)\nout, w = attn(q, k, v)\n```\n"
        "What is out?"
    )
    lines = shown(text, 60, reflow=True)
    assert lines == [
        "The layer is built as follows:",
        " attn = nn.MultiheadAttention(256, 4)",
        " out, w = attn(q, k, v)",
        "What is out?",
    ]


def test_a_numbered_option_wraps_under_its_text():
    lines = shown("  1. torch refuses: the key and the value must have one length", 30)
    assert lines[0].startswith("  1. torch refuses")
    assert all(line.startswith("     ") for line in lines[1:]) and len(lines) > 1


def test_a_formula_or_a_shape_is_never_split_across_lines():
    text = "Take floor((i − k + 2p)/s) before adding 1: the output is (4, 16, 18, 14) here, (both GPUs together)."
    for width in range(24, 70):
        lines = shown(text, width)
        joined = "\n".join(lines)
        assert "floor((i − k + 2p)/s)" in joined and "(4, 16, 18, 14)" in joined, (width, lines)
        assert " ".join(" ".join(lines).split()) == text
    assert "(both GPUs\ntogether)." in "\n".join(shown(text, 47))  # words in brackets still wrap as prose


def test_a_labelled_line_wraps_under_its_text():
    lines = shown("Next       1 failed card to re-drill today; 2 cards due tomorrow (2026-12-04)", 40)
    assert lines[0].startswith("Next       1 failed")
    assert len(lines) > 1 and all(line.startswith(" " * 11) and line[11] != " " for line in lines[1:])
