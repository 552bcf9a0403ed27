"""Text laid out for the terminal: prose wraps under its own indentation, blocks keep their lines.

A prompt's code, tables and lists of values are fenced blocks in the deck (see ``studycards.text_blocks``);
here they become a tinted monospace box, one line per line of the deck, never joined with the prose. Every
other line wraps with a hanging indent: a continuation starts under the line's own text (under the text
after a bullet), not back at column 0, so an indented feedback or a summary item reads as one item.
"""

from __future__ import annotations

import re

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from studycards.text_blocks import segments

# Where a line's own text starts: after its indentation, and after a bullet, a number or a label set off by
# two or more spaces ("• ", "- ", "1. ", "Next       ", "tok:     ").
_HANG = re.compile(r"^(\s*(?:[•\-*] |\d+\. |[A-Za-z_][\w:+]*  +(?=\S))?)")
# A short bracket with a number or an operator in it is a formula or a shape, "(i − k + 2p)", "(4, 16, 18, 14)":
# it wraps as one word. A longer one, or words in brackets, wraps like the prose it is.
_FORMULA_BRACKET = re.compile(r"\([^()\n]{1,30}\)|\[[^\[\]\n]{1,30}\]")
_KEPT_SPACE = "\ue000"  # a private-use character: no wrapper breaks at it, and it is never in a deck text


class LaidOutText(Widget):
    """A deck text (prompt, solution, feedback) or a summary on screen, with its blocks and indents kept."""

    DEFAULT_CSS = """
    LaidOutText {
        height: auto;
    }
    LaidOutText > .laid-out-text--block {
        background: $panel;
        color: $text;
    }
    """
    COMPONENT_CLASSES = {"laid-out-text--block"}

    text: reactive[str] = reactive("", layout=True)

    def __init__(self, text: str = "", *, reflow: bool = False, mend: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.reflow = reflow
        self.mend = mend
        self.set_reactive(LaidOutText.text, text)

    def update(self, text: str) -> None:
        """Show ``text`` (the same call as on a ``Static``)."""
        self.text = text

    def render(self) -> RenderableType:
        block_style = self.get_component_rich_style("laid-out-text--block")
        return laid_out(self.text, reflow=self.reflow, mend=self.mend, block_style=block_style)


def laid_out(text: str, *, reflow: bool = False, mend: bool = False, block_style: Style | str = "") -> Group:
    """``text`` as Rich renderables: hanging-indented prose lines and tinted, line-kept blocks."""
    parts: list[RenderableType] = []
    for segment in segments(text, reflow=reflow, mend=mend):
        if segment.block:
            lines = [Text(line, no_wrap=False, overflow="fold") for line in segment.lines]
            parts.append(Padding(Group(*lines), (0, 1), style=block_style, expand=False))
        else:
            parts.extend(hanging(line) for line in segment.lines)
    return Group(*parts)


def hanging(line: str) -> RenderableType:
    """One line that wraps under its own text rather than back at column 0."""
    if not line.strip():
        return Text("")
    hang = len(_HANG.match(line).group(1))  # type: ignore[union-attr]
    if hang == 0:
        return _KeptTogether(line)
    head, body = line[:hang], line[hang:]
    indent = len(head) - len(head.lstrip())
    marker = head.lstrip()
    if not marker:
        return Padding(_KeptTogether(body), (0, 0, 0, indent))
    # The marker (a bullet, a number) stays on the first line; the text wraps under the text.
    from rich.table import Table

    grid = Table.grid(padding=0, expand=True)
    grid.add_column(width=hang, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(head), _KeptTogether(body))
    return grid


def keep_formulas_together(text: str) -> str:
    """``text`` with the spaces inside short formula brackets made unbreakable (``_KEPT_SPACE``)."""

    def keep(match: re.Match[str]) -> str:
        inner = match.group(0)
        if not re.search(r"[\d+\-−·×*/=^,]", inner):
            return inner  # "(both GPUs together)": words, free to wrap
        return inner.replace(" ", _KEPT_SPACE)

    return _FORMULA_BRACKET.sub(keep, text)  # the innermost brackets: floor((i − k + 2p)/s) holds no other space


class _KeptTogether:
    """A prose line that wraps to the width it is given, never inside a formula's or a shape's brackets."""

    def __init__(self, text: str) -> None:
        self.text = keep_formulas_together(text)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, Text(self.text))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in Text(self.text).wrap(console, options.max_width):
            line.plain = line.plain.replace(_KEPT_SPACE, " ")
            yield line
