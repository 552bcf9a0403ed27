"""``studycards stats [--deck D] [--json]``: the year's activity, the coming month, retention, weak spots.

The numbers come from ``studycards.stats`` (whose docstring defines each one); this module only draws
them as text that fits 80 columns: a year heatmap, a bar chart of the next 30 days, and three tables.
"""

from __future__ import annotations

from datetime import date, timedelta

import click

from studycards.cli.context import home_of
from studycards.cli.output import echo_json, warn_broken
from studycards.stats import (
    FORECAST_DAYS,
    HEATMAP_DAYS,
    INTERVAL_BUCKETS,
    MONTHS,
    RECENT_DAYS,
    WEEKDAYS,
    ForecastDay,
    Stats,
    heatmap,
)

HEATMAP_CHARS = "·░▒▓█"  # level 0 (no answers) to 4 (the busiest days)
BAR_EIGHTHS = " ▁▂▃▄▅▆▇█"
CHART_HEIGHT = 4  # rows of the forecast chart; each row holds eight steps
FEEDBACK_WIDTH = 66
LINE_WIDTH = 80


@click.command()
@click.option("--deck", "deck_id", metavar="D", default=None, help="Only this deck's reviews and cards.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print JSON: {"reviews_by_day", "streak", "forecast", "retention", "weakest", "misconceptions"}.',
)
@click.pass_context
def stats(ctx: click.Context, deck_id: str | None, as_json: bool) -> None:
    """Reviews per day over the last year and the current streak, cards due in the next 30 days,
    retention by interval and by deck, the weakest templates and the most frequent mistakes.

    In the TUI (`studycards`, then `s`) the same screen has a key to quiz the weakest templates.
    """
    from studycards.deck import load_decks
    from studycards.errors import RefError
    from studycards.stats import compute_stats
    from studycards.store import Store

    home = home_of(ctx)
    decks = load_decks(home)
    if deck_id is not None and deck_id not in {deck.id for deck in decks} and decks.broken_named(deck_id):
        decks.find(deck_id)  # a broken deck asked for by name: its own error
    with Store(home) as store:
        if deck_id is not None:
            known = {deck.id for deck in decks} | {card.deck_id for card in store.cards()}
            if deck_id not in known:
                raise RefError(f"no deck {deck_id!r} (decks: {', '.join(sorted(known)) or 'none'})")
        result = compute_stats(store, decks, deck_id=deck_id)
    warn_broken(decks)
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo("\n".join(render(result)))


def render(stats: Stats) -> list[str]:
    """The text report, line by line, at most 80 columns wide."""
    scope = f"deck {stats.deck_id}" if stats.deck_id else "all decks"
    lines = [f"Statistics for {scope}, study day {stats.today.isoformat()}", ""]
    lines += _activity(stats)
    lines += [""] + _forecast(stats.forecast, stats.today)
    lines += [""] + _retention(stats)
    lines += [""] + _weakest(stats)
    lines += [""] + _misconceptions(stats)
    return lines


def _activity(stats: Stats) -> list[str]:
    days = len(stats.reviews_by_day)
    streak = f"{stats.streak} day{'s' if stats.streak != 1 else ''}"
    lines = [
        f"Activity: {stats.answers_this_year:,} answers on {days} of the last {HEATMAP_DAYS} days; streak: {streak}"
    ]
    grid = heatmap(stats.reviews_by_day, stats.today)
    weeks = len(grid.levels[0])
    header = [" "] * weeks
    for week, name in grid.months:
        header[week : week + len(name)] = name
    lines.append("     " + "".join(header)[:weeks].rstrip())
    for weekday, row in enumerate(grid.levels):
        cells = "".join(" " if level is None else HEATMAP_CHARS[level] for level in row)
        lines.append(f"{WEEKDAYS[weekday]:<4} {cells}".rstrip())
    lines.append(f"     less {HEATMAP_CHARS} more (busiest day: {grid.busiest})")
    return lines


def _forecast(forecast: list[ForecastDay], today: date) -> list[str]:
    total = sum(day.due for day in forecast)
    overdue_note = " (today includes overdue cards)" if forecast and forecast[0].day == today else ""
    lines = [f"Due in the next {FORECAST_DAYS} days: {total} card{'s' if total != 1 else ''}{overdue_note}"]
    if not total:
        return lines
    lines += forecast_chart(forecast, today)
    return lines


def forecast_chart(forecast: list[ForecastDay], today: date, height: int = CHART_HEIGHT) -> list[str]:
    """A bar per day, two columns each, ``height`` rows of eighth blocks; the busiest day fills them."""
    due = {day.day: day.due for day in forecast}
    values = [due.get(today + timedelta(days=offset), 0) for offset in range(FORECAST_DAYS)]
    top = max(values)
    steps = [round(value * height * 8 / top) if value else 0 for value in values]
    steps = [max(step, 1) if value else 0 for step, value in zip(steps, values)]  # never hide a day with cards
    rows = []
    for row in range(height, 0, -1):
        cells = "".join(BAR_EIGHTHS[min(8, max(0, step - (row - 1) * 8))] + " " for step in steps)
        label = str(top) if row == height else ""
        rows.append(f"{label:>5} │{cells}".rstrip())
    rows.append("    0 └" + "─" * (2 * FORECAST_DAYS))
    axis = [" "] * (2 * FORECAST_DAYS + 8)
    for offset in range(0, FORECAST_DAYS, 7):
        day = today + timedelta(days=offset)
        text = f"{MONTHS[day.month - 1]} {day.day}"
        axis[2 * offset : 2 * offset + len(text)] = text
    rows.append("       " + "".join(axis).rstrip())
    return rows


def _retention(stats: Stats) -> list[str]:
    lines = ["Retention: scheduled reviews answered right, by the interval before the review"]
    found = {r.label: r for r in stats.retention_by_interval}
    lines.append(f"  {'interval':<9}{'reviews':>8}{'correct':>9}")
    for label, _ in INTERVAL_BUCKETS:
        bucket = found.get(label)
        if bucket is None:
            lines.append(f"  {label:<9}{'-':>8}{'-':>9}")
        else:
            lines.append(f"  {label:<9}{bucket.reviews:>8,}{_percent(bucket.rate):>9}")
    if stats.retention_by_deck:
        lines.append("  by deck:")
        width = max(len(r.label) for r in stats.retention_by_deck)
        for deck in stats.retention_by_deck:
            lines.append(f"    {deck.label:<{width}} {_percent(deck.rate):>5} of {deck.reviews:,}")
    return lines


def _weakest(stats: Stats) -> list[str]:
    lines = [f"Weakest templates: lowest accuracy over the last {RECENT_DAYS} days, then lowest easiness"]
    if not stats.weakest:
        if not stats.answers_recently:
            lines.append(f"  none yet: no card answered in the last {RECENT_DAYS} days")
        else:
            lines.append("  none: every card answered lately was right, and no easiness is below 2.5")
        return lines
    width = min(48, max(len(f"{w.deck_id}/{w.card_id}") for w in stats.weakest))
    lines.append(f"  {'card':<{width}} {'recent':>11} {'easiness':>8}  due")
    for weak in stats.weakest:
        ref = _fit(f"{weak.deck_id}/{weak.card_id}", width)
        recent = f"{weak.correct}/{weak.answers} {_percent(weak.accuracy)}" if weak.answers else "none"
        lines.append(f"  {ref:<{width}} {recent:>11} {weak.easiness:>8.2f}  {weak.due.isoformat()}")
    lines.append("  (in the TUI, `studycards` then `s`, the key w quizzes just these)")
    return lines


def _misconceptions(stats: Stats) -> list[str]:
    lines = [f"Misconceptions: mistakes made most in the last {RECENT_DAYS} days (earlier → later half)"]
    if not stats.misconceptions:
        lines.append("  none logged")
        return lines
    for found in stats.misconceptions:
        head = f"  {found.count:>3}×  {found.deck_id}/{found.card_id}: {found.mistake_id}"
        trend = f"({found.earlier} → {found.later}: {found.trend})"
        lines += [f"{head}  {trend}"] if len(head) + len(trend) + 2 <= LINE_WIDTH else [head, f"{'':8}{trend}"]
        if found.feedback:
            lines += ["        " + line for line in _wrap(found.feedback, FEEDBACK_WIDTH)]
        if found.seed is not None:
            answered = f"you answered {found.answer}; " if found.answer else ""
            where = f"{answered}the question: studycards show {found.deck_id}/{found.card_id} --seed {found.seed}"
            lines += ["        " + line for line in _wrap(f"({where})", FEEDBACK_WIDTH)]
    return lines


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False) or [""]
