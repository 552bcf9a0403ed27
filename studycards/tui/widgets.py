"""Small widgets the screens share: the answer box, the grade picker and the deck table.

Each one re-declares the keys it owns with a description, so the footer shows what Enter does where the
focus is ("Check", "Accept grade", "Quiz deck") instead of hiding it.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual._time import get_time  # the clock Textual stamps its events with (time on Windows)
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
    """The answer box: Enter checks the answer (the footer says so; "Check again" for an answer an undo
    brought back, see ``came_back``).

    Keys are applied in the order they were typed. Textual's Input inserts printable keys itself but
    leaves its bound keys (Backspace, Home, ctrl+u, Enter, ...) to bubble up to the app, which runs the
    binding after the Input has already inserted the text typed behind them in the same burst: ``C-u xyz``
    left an empty box, and ``7 Enter 4`` checked 74. Here the box's own bindings run where they arrive.
    """

    BINDINGS = [
        Binding("enter", "submit", "Check"),
        Binding("enter", "submit('again')", "Check again"),
    ]

    came_back: reactive[bool] = reactive(False, init=False)

    def __init__(self, *args, **kwargs) -> None:
        # Focus never selects the text: an answer an undo brought back is kept, and what is typed next is
        # added to it, visibly, rather than replacing it unseen.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return bool(parameters) == self.came_back
        return super().check_action(action, parameters)

    def watch_came_back(self) -> None:
        self.refresh_bindings()

    async def action_submit(self, _again: str = "") -> None:
        await super().action_submit()

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            active = self.screen.active_bindings.get(event.key)
            if active is not None and active.node is self:
                event.stop()
                event.prevent_default()
                if active.enabled:
                    await self.run_action(active.binding.action)
                return
        await super()._on_key(event)


class DeckTable(DataTable):
    """The home screen's table of decks: Enter starts a quiz of the highlighted one."""

    BINDINGS = [Binding("enter", "select_cursor", "Quiz deck")]


class GradeBar(Widget, can_focus=True):
    """Grades 0-5 with one preselected: Enter accepts it, a digit gives that grade at once, ←/→ move.

    Posts ``GradeBar.Chosen`` with the grade; the screen writes it to the store. A grade key typed before
    the verdict was on screen (in the same burst as the Enter that checked, say) cannot be a grade of
    this card: ``arm`` is called when a verdict is shown, and until the screen has been painted, keys
    created before that moment are dropped and ``GradeBar.Early`` is posted instead.
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

    GRADE_KEYS = frozenset({"enter", *(str(quality) for quality in range(6))})

    selected: reactive[int] = reactive(4)
    suggested: reactive[int] = reactive(4)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown_at: float | None = None  # when the verdict was painted (Textual's clock); None: not yet

    class Chosen(Message):
        """The learner gave ``quality``."""

        def __init__(self, quality: int) -> None:
            super().__init__()
            self.quality = quality

    class Early(Message):
        """A grade key (``key``) was typed before the verdict was on screen, and ignored."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def arm(self) -> None:
        """A verdict is being shown: take grade keys typed from the moment it has been painted."""
        self._shown_at = None
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self._shown_at = get_time()

    async def _on_key(self, event: events.Key) -> None:
        if event.key in self.GRADE_KEYS and (self._shown_at is None or event.time < self._shown_at):
            event.stop()
            event.prevent_default()
            self.post_message(self.Early(event.key))
            return
        await super()._on_key(event)

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
