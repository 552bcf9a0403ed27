"""``studycards due``: for each deck, what today holds: cards due, new cards available, reviews done."""

from __future__ import annotations

import click

from studycards.cli import home_of
from studycards.cli.output import echo_json, echo_table


@click.command()
@click.option(
    "--json", "as_json", is_flag=True, help='Print JSON: [{"deck", "due", "new", "reviewed_today"}], one per deck.'
)
@click.pass_context
def due(ctx: click.Context, as_json: bool) -> None:
    """Cards due today, new cards available today, and cards reviewed today, per deck.

    The study day rolls over at 4 am local time (day_starts_at_hour in <home>/config.toml), and each deck
    introduces at most new_cards_per_day new cards a day (default 20).
    """
    from studycards.deck import load_decks
    from studycards.store import Store, catalogue

    home = home_of(ctx)
    decks = load_decks(home)
    with Store(home) as store:
        summary = store.due_summary(catalogue(decks))
    if as_json:
        echo_json([deck.to_dict() for deck in summary])
        return
    if not summary:
        click.echo("no decks: add deck files to the decks folder of your data home")
        return
    echo_table(
        ("deck", "due", "new", "reviewed today"),
        [(deck.deck, deck.due, deck.new, deck.reviewed_today) for deck in summary],
        right=(1, 2, 3),
    )
