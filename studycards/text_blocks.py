"""Which lines of a deck text are prose and which keep their layout (code, a table, a list of values).

A deck author wraps prose wherever the TOML file reads well, so prose is reflowed for the screen. Code,
tables and lists of values lose their meaning when reflowed; the author fences them, as in Markdown:

    The query has shape (2, 5, 64):
    ```
    attn = nn.MultiheadAttention(64, 4, batch_first=True)
    out, weights = attn(query, key, value)
    ```
    What is the shape of out?

The lines between the fences are a *block*: every renderer (the TUI, ``show``, the Anki export) shows
them one per line, as written, in a monospace block. This module only decides what is what, so all the
renderers agree; they pick their own way to draw a block.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

FENCE = "```"
# The widest block line an 80-column quiz shows whole: the body pads 1 column a side, keeps 2 for its
# scroll bar, and a block pads 1 a side. ``check`` reports a wider one (it would fold inside its box).
QUIZ_BLOCK_WIDTH = 74
# An opening fence may name what the block holds (```python, ```text); a closing fence is bare.
_OPENING = re.compile(r"^```[A-Za-z0-9_+-]*$")
# Where a wrapped prose line ends a sentence or a clause, the author's line break stays.
_KEEPS_BREAK_AFTER = (".", "?", "!", ":")
# An indented or bulleted prose line starts an item of its own.
_STARTS_ITEM = (" ", "\t", "-", "•", "*", "|")


@dataclass(frozen=True)
class Segment:
    """A run of prose, or a block whose lines are kept exactly (``block``)."""

    text: str
    block: bool = False

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


def fence_problem(text: str) -> str | None:
    """Why ``text``'s fences are malformed (for a deck error), or None when they pair up."""
    opened_at: int | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith(FENCE):
            continue
        if opened_at is None:
            if not _OPENING.match(stripped):
                return f"line {number}: a ``` fence stands alone on its line (```python names a block at most)"
            opened_at = number
        elif stripped != FENCE:
            return f"line {number}: a ``` block closes with a bare ``` line"
        else:
            opened_at = None
    if opened_at is not None:
        return f"the ``` block opened on line {opened_at} is never closed"
    return None


def segments(text: str, *, reflow: bool = False, mend: bool = False) -> tuple[Segment, ...]:
    """``text`` cut into prose and blocks, in order, without the fences and the blank edges.

    ``reflow`` joins prose lines an author wrapped mid-sentence, so a screen can wrap them evenly (a
    prompt). ``mend`` joins only the breaks that plainly fall inside a sentence, for texts whose other
    lines are steps of their own (a worked solution, feedback). A block's common indentation is removed;
    its lines are otherwise kept as they are.
    """
    found: list[Segment] = []
    prose: list[str] = []
    block: list[str] | None = None

    def flush_prose() -> None:
        kept = reflow_lines(prose) if reflow else mend_lines(prose) if mend else prose
        joined = "\n".join(kept).strip("\n")
        if joined.strip():
            found.append(Segment(joined.rstrip()))
        prose.clear()

    for line in text.splitlines():
        fence = line.strip().startswith(FENCE)
        if block is None and fence:
            flush_prose()
            block = []
        elif block is not None and fence:
            _add_block(found, block)
            block = None
        elif block is not None:
            block.append(line.rstrip())
        else:
            prose.append(line)
    if block is not None:  # unclosed (a deck load refuses it): keep the lines rather than lose them
        _add_block(found, block)
    flush_prose()
    return tuple(found)


def reflow_lines(lines: list[str]) -> list[str]:
    """Undo the line breaks of prose wrapped mid-sentence.

    A break stays where a sentence or a clause ends (``.``, ``?``, ``!``, ``:``), before an indented or
    bulleted line, and around blank lines.
    """
    return _joined(lines, _wrapped_prose)


def mend_lines(lines: list[str]) -> list[str]:
    """Join the lines of a step-by-step text only where a break plainly falls inside a sentence: the line
    ends in a word or a comma (not a number, ``.``, ``:``, ``=`` …), and the next one goes on
    with two lower-case words ("and every head", "so the softmax"), never a name or a formula
    (``out_proj: …``, ``k = 3``)."""
    return _joined(lines, _broken_sentence)


def _joined(lines: list[str], joins: Callable[[str, str], bool]) -> list[str]:
    """``lines`` with each line appended to the one before wherever ``joins(before, line)`` says so."""
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and joins(out[-1], line):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


def _wrapped_prose(before: str, line: str) -> bool:
    return bool(line.strip()) and not before.rstrip().endswith(_KEEPS_BREAK_AFTER) and not line.startswith(_STARTS_ITEM)


def _broken_sentence(before: str, line: str) -> bool:
    return _ENDS_MID_SENTENCE.search(before) is not None and _GOES_ON.match(line) is not None


_ENDS_MID_SENTENCE = re.compile(r"[A-Za-z,]\s*$")
_GOES_ON = re.compile(r"^[a-z]{2,},? [a-z(]")


def plain_text(text: str, *, reflow: bool = False, indent: str = "    ") -> str:
    """``text`` for a plain-text reader (``show``, a TSV file): fences dropped, blocks indented by ``indent``."""
    parts = []
    for segment in segments(text, reflow=reflow):
        if segment.block:
            parts.append("\n".join(indent + line if line else "" for line in segment.lines))
        else:
            parts.append(segment.text)
    return "\n".join(parts)


def _add_block(found: list[Segment], lines: list[str]) -> None:
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines:
        found.append(Segment(textwrap.dedent("\n".join(lines)), block=True))
