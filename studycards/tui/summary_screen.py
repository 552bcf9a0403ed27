"""The summary shown when a session ends: answers, correct ones, time, the mistakes made, and what is next.

Enter or Esc goes back to the home screen when the session started there, and otherwise closes the app.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from studycards.session import Summary
from studycards.tui.laid_out_text import LaidOutText

MAX_MISTAKES_SHOWN = 20


class SummaryScreen(Screen[None]):
    """How the session went. Everything on it is already saved."""

    BINDINGS = [
        Binding("enter", "close", "Done"),
        Binding("escape", "close", "Done", show=False),
        Binding("q", "app.quit", "Quit", show=False),  # the footer shows ctrl+q, which quits too
    ]

    def __init__(self, summary: Summary, scope: str, *, back_home: bool) -> None:
        super().__init__()
        self.summary = summary
        self.scope = scope
        self.back_home = back_home

    def compose(self) -> ComposeResult:
        yield Static(f"Session over: {self.scope}", id="summary-title", markup=False)
        with VerticalScroll(id="summary-body"):
            # A mistake's line and its feedback wrap under their own indentation, not back at column 0.
            yield LaidOutText(summary_text(self.summary), id="summary-text")
        yield Footer()

    def action_close(self) -> None:
        if self.back_home:
            self.app.pop_screen()
        else:
            self.app.exit()


def summary_text(summary: Summary) -> str:
    """The summary as plain lines (also what the tests read)."""
    lines = [f"Answered   {summary.answered}{_extras(summary)}"]
    if summary.answered:
        share = round(100 * summary.correct / summary.answered)
        lines.append(f"Correct    {summary.correct} of {summary.answered} ({share}%)")
    lines.append(f"Time       {format_seconds(summary.seconds)} answering")
    if summary.skipped:
        lines.append(f"Skipped    {summary.skipped}")
    lines.append(f"Next       {next_due_text(summary)}")
    if summary.mistakes:
        lines += ["", "Mistakes"]
        for made in summary.mistakes[:MAX_MISTAKES_SHOWN]:
            answer = made.answer or "(no answer)"
            lines.append(f"  • {made.title}: {answer}, expected {made.expected}")
            if made.feedback:
                lines.append(f"    {made.feedback}")
        if len(summary.mistakes) > MAX_MISTAKES_SHOWN:
            lines.append(f"  … and {len(summary.mistakes) - MAX_MISTAKES_SHOWN} more")
    return "\n".join(lines)


def next_due_text(summary: Summary) -> str:
    parts = []
    if summary.learning_left:
        count = summary.learning_left
        parts.append(f"{count} failed card{'s' if count != 1 else ''} to re-drill today")
    if summary.due_left:
        parts.append(f"{summary.due_left} still due today")
    if summary.next_due is not None:
        count = summary.next_due_count
        parts.append(f"{count} card{'s' if count != 1 else ''} due {_day_name(summary.next_due, summary.today)}")
    return "; ".join(parts) if parts else "nothing scheduled yet"


def format_seconds(seconds: float) -> str:
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _extras(summary: Summary) -> str:
    extras = []
    if summary.redrills:
        extras.append(f"{summary.redrills} re-drill{'s' if summary.redrills != 1 else ''}")
    if summary.practice:
        extras.append(f"{summary.practice} practice")
    return f" ({', '.join(extras)})" if extras else ""


def _day_name(day: date, today: date) -> str:
    if day == today + timedelta(days=1):
        return f"tomorrow ({day.isoformat()})"
    return f"on {day.isoformat()} (in {(day - today).days} days)"
