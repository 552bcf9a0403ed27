"""Small widgets the screens share: the answer box, the grade picker and the deck table.

Each one re-declares the keys it owns with a description, so the footer shows what Enter does where the
focus is ("Check", "Accept grade", "Quiz deck") instead of hiding it.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Input

GRADE_MEANINGS = {
    0: "blank",
    1: "wrong",
    2: "wrong, close",
    3: "right, hard",
    4: "right",
    5: "right, easy",
}


class AnswerInput(Input):
    """The answer box: Enter checks the answer (the footer says so)."""

    BINDINGS = [Binding("enter", "submit", "Check")]


class DeckTable(DataTable):
    """The home screen's table of decks: Enter starts a quiz of the highlighted one."""

    BINDINGS = [Binding("enter", "select_cursor", "Quiz deck")]


class GradeBar(Widget, can_focus=True):
    """Grades 0-5 with one preselected: Enter accepts it, a digit gives that grade at once, ←/→ move.

    Posts ``GradeBar.Chosen`` with the grade; the screen writes it to the store.
    """

    BINDINGS = [
        Binding("enter", "accept", "Accept grade"),
        # One footer entry for the six digit keys.
        Binding("0", "choose(0)", "Grade", key_display="0-5"),
        *(Binding(str(quality), f"choose({quality})", "Grade", show=False) for quality in range(1, 6)),
        Binding("left", "move(-1)", "Lower", show=False),
        Binding("right", "move(1)", "Higher", show=False),
    ]
    COMPONENT_CLASSES = {"grade-bar--selected", "grade-bar--meaning"}

    selected: reactive[int] = reactive(4)
    suggested: reactive[int] = reactive(4)

    class Chosen(Message):
        """The learner gave ``quality``."""

        def __init__(self, quality: int) -> None:
            super().__init__()
            self.quality = quality

    def suggest(self, quality: int) -> None:
        """Preselect ``quality``, the grade the verdict suggests."""
        self.suggested = quality
        self.selected = quality

    def render(self) -> Text:
        selected_style = self.get_component_rich_style("grade-bar--selected")
        meaning_style = self.get_component_rich_style("grade-bar--meaning")
        line = Text("Grade ")
        for quality in range(6):
            label = f" {quality} "
            line.append(label, selected_style if quality == self.selected else "")
        line.append(f"  {GRADE_MEANINGS[self.selected]}", meaning_style)
        if self.selected == self.suggested:
            line.append(" (suggested)", meaning_style)
        return line

    def action_accept(self) -> None:
        self.post_message(self.Chosen(self.selected))

    def action_choose(self, quality: int) -> None:
        self.selected = quality
        self.post_message(self.Chosen(quality))

    def action_move(self, step: int) -> None:
        self.selected = min(5, max(0, self.selected + step))
