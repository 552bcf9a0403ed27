"""The Stats screen (``s`` on the home screen): what ``studycards stats`` prints, drawn for the terminal.

The year heatmap and streak, a plotext bar chart of the next 30 days, retention by interval and by deck,
the weakest templates and the most frequent mistakes. ``w`` quizzes just the weakest templates (the due
ones as reviews, the rest as practice, which never moves their schedule); ``d`` steps through the decks.
The numbers come from ``studycards.stats`` (whose docstring defines them), computed in a thread so a big
history never freezes the screen, and again whenever the screen comes back (after that quiz, say).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from studycards.stats import (
    FORECAST_DAYS,
    HEATMAP_DAYS,
    INTERVAL_BUCKETS,
    MONTHS,
    RECENT_DAYS,
    WEEKDAYS,
    Stats,
    compute_stats,
    heatmap,
)

if TYPE_CHECKING:
    from studycards.tui.study_app import StudyApp

HEATMAP_CHARS = "·░▒▓█"  # level 0 (no answers) to 4 (the busiest days), as in `studycards stats`
FORECAST_TICKS = range(0, FORECAST_DAYS, 7)
RETENTION_WIDTH = 44
WIDE = 110  # from this many columns on, the heatmap and the retention table sit side by side


class StatsScreen(Screen[None]):
    """Statistics of one deck or all of them, read from the store and decks the app holds."""

    DEFAULT_CSS = """
    StatsScreen #stats-title {
        padding: 0 1;
        text-style: bold;
        color: $accent;
    }
    StatsScreen #stats-body {
        height: 1fr;
        padding: 0 1;
    }
    StatsScreen #stats-top {
        height: auto;
        layout: vertical;
    }
    StatsScreen.-wide #stats-top {
        layout: horizontal;
    }
    StatsScreen.-wide #stats-activity {
        width: 60;
    }
    StatsScreen.-wide #stats-retention {
        width: 1fr;
    }
    StatsScreen .stats-section {
        height: auto;
        margin-bottom: 1;
    }
    StatsScreen #stats-forecast {
        height: 10;
        margin-bottom: 1;
    }
    """

    BINDINGS = [
        Binding("w", "quiz_weakest", "Quiz weakest"),
        Binding("d", "next_deck", "Deck"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]

    def __init__(self, deck_id: str | None = None, *, today: date | None = None) -> None:
        super().__init__()
        self.deck_id = deck_id
        self.today = today  # None: the store's current study day
        self.stats: Stats | None = None

    @property
    def studycards(self) -> StudyApp:
        return self.app  # type: ignore[return-value]

    # --- layout --------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="stats-title", markup=False)
        with VerticalScroll(id="stats-body"):
            with Horizontal(id="stats-top"):  # side by side from WIDE columns on, else one above the other
                yield Static("Reading the review log…", id="stats-activity", classes="stats-section")
                yield Static(id="stats-retention", classes="stats-section")
            yield Static(id="stats-forecast-title", markup=False)
            yield PlotextPlot(id="stats-forecast")
            yield Static(id="stats-weakest", classes="stats-section")
            yield Static(id="stats-misconceptions", classes="stats-section")
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.app.size.width >= WIDE, "-wide")
        self.query_one("#stats-forecast").display = False
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")

    def on_screen_resume(self) -> None:
        if self.stats is not None:
            self.load()

    # --- reading -------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Compute the statistics in a thread (a million reviews take a few hundred ms), then show them."""
        scope = f"deck {self.deck_id}" if self.deck_id else "all decks"
        self.query_one("#stats-title", Static).update(f"Statistics: {scope}")
        app = self.studycards
        deck_id, today = self.deck_id, self.today
        self.run_worker(
            lambda: compute_stats(app.store, app.decks, deck_id=deck_id, today=today),
            thread=True,
            exclusive=True,
            group="stats",
            name="stats",
            exit_on_error=False,  # a store that cannot be read is said on the screen (below), not a crash
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "stats":
            return
        if event.state == WorkerState.SUCCESS:
            self.show(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.query_one("#stats-activity", Static).update(Text(f"Cannot read the statistics: {event.worker.error}"))

    def show(self, stats: Stats) -> None:
        self.stats = stats
        scope = f"deck {stats.deck_id}" if stats.deck_id else "all decks"
        self.query_one("#stats-title", Static).update(f"Statistics: {scope}, study day {stats.today.isoformat()}")
        self.query_one("#stats-activity", Static).update(activity(stats, self._accent()))
        self._show_forecast(stats)
        self.query_one("#stats-retention", Static).update(retention_table(stats))
        self.query_one("#stats-weakest", Static).update(weakest_table(stats))
        self.query_one("#stats-misconceptions", Static).update(misconceptions_table(stats))

    def _show_forecast(self, stats: Stats) -> None:
        total = sum(day.due for day in stats.forecast)
        title = f"Due in the next {FORECAST_DAYS} days: {total} card{'s' if total != 1 else ''}"
        if stats.forecast and stats.forecast[0].day == stats.today:
            title += f" ({stats.forecast[0].due} today, overdue ones included)"
        self.query_one("#stats-forecast-title", Static).update(Text(title, style="bold"))
        chart = self.query_one(PlotextPlot)
        chart.display = total > 0
        if not total:
            return
        due = {day.day: day.due for day in stats.forecast}
        values = [due.get(stats.today + timedelta(days=offset), 0) for offset in range(FORECAST_DAYS)]
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        plt.bar(list(range(FORECAST_DAYS)), values, marker="hd", width=0.7)
        plt.xticks(list(FORECAST_TICKS), [_short_day(stats.today + timedelta(days=n)) for n in FORECAST_TICKS])
        top = max(values)
        plt.yticks(sorted({0, top // 2, top}))
        plt.ylim(0, top)
        chart.refresh()

    def _accent(self) -> str:
        return self.app.theme_variables.get("success", "green")

    # --- keys ----------------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_next_deck(self) -> None:
        """All decks, then each deck in turn, then all again."""
        choices: list[str | None] = [None, *(deck.id for deck in self.studycards.decks)]
        position = choices.index(self.deck_id) if self.deck_id in choices else 0
        self.deck_id = choices[(position + 1) % len(choices)]
        self.load()

    def action_quiz_weakest(self) -> None:
        """Quiz the weakest templates: those due today as reviews, the others as practice."""
        from studycards.session import QuizSession
        from studycards.tui.quiz_screen import QuizScreen

        weakest = self.stats.weakest if self.stats is not None else []
        if not weakest:
            answered = self.stats is not None and self.stats.answers_recently
            why = "every card answered lately was right" if answered else f"no card answered in {RECENT_DAYS} days"
            self.notify(f"No weak templates to quiz: {why}.")
            return
        app = self.studycards
        keys = {(weak.deck_id, weak.card_id) for weak in weakest}
        decks = [replace(deck, cards=tuple(c for c in deck.cards if (deck.id, c.id) in keys)) for deck in app.decks]
        session = QuizSession(
            app.store,
            [deck for deck in decks if deck.cards],
            seeds=app.seeds,
            clock=app.clock,
            label="the weakest templates",
        )
        session.add_practice(len(keys))  # the ones not due today; the due ones are queued already
        self.app.push_screen(QuizScreen(session))


# --- drawing (plain Rich renderables, so the layout is the same in every terminal) -------------------------------


def activity(stats: Stats, accent: str) -> Group:
    """The headline and the year as a calendar: week columns, Monday on top, darker for busier days."""
    days = len(stats.reviews_by_day)
    streak = f"{stats.streak} day{'s' if stats.streak != 1 else ''}"
    headline = Text.assemble(
        ("Activity", "bold"),
        f": {stats.answers_this_year:,} answers on {days} of the last {HEATMAP_DAYS} days\n",
        ("Streak", "bold"),
        ": ",
        (streak, f"bold {accent}" if stats.streak else "bold"),
    )
    grid = heatmap(stats.reviews_by_day, stats.today)
    weeks = len(grid.levels[0])
    header = [" "] * weeks
    for week, name in grid.months:
        header[week : week + len(name)] = name
    lines = [headline, Text("    " + "".join(header)[:weeks].rstrip(), style="dim")]
    for weekday, row in enumerate(grid.levels):
        line = Text(f"{WEEKDAYS[weekday]:<4}", style="dim")
        for level in row:
            if level is None:
                line.append(" ")
            else:
                line.append(HEATMAP_CHARS[level], style="dim" if level == 0 else accent)
        lines.append(line)
    legend = Text("    less ", style="dim")
    for level, char in enumerate(HEATMAP_CHARS):
        legend.append(char, style="dim" if level == 0 else accent)
    legend.append(f" more (busiest day: {grid.busiest})", style="dim")
    lines.append(legend)
    return Group(*lines)


def retention_table(stats: Stats) -> Table:
    table = _table("Retention: scheduled reviews answered right", expand=False)
    table.min_width = RETENTION_WIDTH
    table.add_column("interval before")
    table.add_column("reviews", justify="right")
    table.add_column("right", justify="right")
    found = {r.label: r for r in stats.retention_by_interval}
    for label, _ in INTERVAL_BUCKETS:
        bucket = found.get(label)
        table.add_row(label, *(("-", "-") if bucket is None else (f"{bucket.reviews:,}", _percent(bucket.rate))))
    if stats.retention_by_deck:  # a second part, ruled off under its own heading: not one more interval
        table.add_section()
        table.add_row(Text("by deck", style="bold"), "", "")
        for deck in stats.retention_by_deck:
            table.add_row(Text(deck.label, style="italic"), f"{deck.reviews:,}", _percent(deck.rate))
    return table


def weakest_table(stats: Stats) -> Table | Text:
    title = f"Weakest templates: lowest accuracy in {RECENT_DAYS} days, then easiness (w quizzes)"  # one line at 80
    if not stats.weakest:
        if not stats.answers_recently:
            return Text.assemble((title, "bold"), f"\n  none yet: no card answered in the last {RECENT_DAYS} days")
        return Text.assemble((title, "bold"), "\n  none: every card answered lately was right")
    table = _table(title)
    table.add_column("card", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("recent", justify="right")
    table.add_column("ease", justify="right")
    table.add_column("due", justify="right")
    for weak in stats.weakest:
        recent = f"{weak.correct}/{weak.answers} {_percent(weak.accuracy)}" if weak.answers else "none"
        name = weak.title or f"{weak.deck_id}/{weak.card_id}"
        table.add_row(name, recent, f"{weak.easiness:.2f}", _due(weak.due, stats.today))
    return table


def misconceptions_table(stats: Stats) -> Table | Text:
    title = f"Misconceptions: mistakes made most in {RECENT_DAYS} days (earlier → later 15 days)"
    if not stats.misconceptions:
        return Text.assemble((title, "bold"), "\n  none logged")
    table = _table(title)
    table.add_column("×", justify="right")
    table.add_column("mistake", ratio=1)
    table.add_column("trend", no_wrap=True)
    for found in stats.misconceptions:
        what = Text(f"{found.title or found.card_id}: {found.mistake_id}")
        if found.feedback:
            # As the learner last saw it: that question's numbers, and what they answered.
            answered = f"You answered {found.answer}. " if found.answer and found.question else ""
            what.append(f"\n{answered}{found.feedback}", style="dim")
        table.add_row(str(found.count), what, f"{found.earlier} → {found.later} {found.trend}")
    return table


def _table(title: str, expand: bool = True) -> Table:
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        expand=expand,
        pad_edge=False,
        show_edge=False,
    )


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _short_day(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}"


def _due(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return f"{-days}d overdue"
    return "today" if days == 0 else f"in {days}d"
