"""``studycards due``: for each deck, what today holds: learning cards, cards due, new cards available,
reviews done."""

from __future__ import annotations

import click

from studycards.cli.context import home_of
from studycards.cli.output import echo_broken, echo_json, echo_table, warn_broken


@click.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print JSON: [{"deck", "learning", "due", "new", "reviewed_today"}], one per deck.',
)
@click.pass_context
def due(ctx: click.Context, as_json: bool) -> None:
    """Learning cards, cards due today, new cards available today, and cards reviewed today, per deck.

    A learning card was graded below 4 earlier today and not yet answered with 4 or 5: the next quiz or
    review asks it first.

    The study day rolls over at 4 am local time (day_starts_at_hour in <home>/config.toml), and each deck
    introduces at most new_cards_per_day new cards a day (default 20). A broken deck is listed with its
    error (with --json: one line on stderr, the rows keep their keys).
    """
    from studycards.deck import load_decks
    from studycards.store import Store, catalogue

    home = home_of(ctx)
    decks = load_decks(home)
    with Store(home) as store:
        summary = store.due_summary(catalogue(decks))
    if as_json:
        echo_json([deck.to_dict() for deck in summary])
        warn_broken(decks)
        return
    if not summary and not decks.broken:
        click.echo("no decks: add deck files to the decks folder of your data home")
        return
    echo_table(
        ("deck", "learning", "due", "new", "reviewed today"),
        [(deck.deck, deck.learning, deck.due, deck.new, deck.reviewed_today) for deck in summary]
        + [(broken.label, "-", "-", "-", "-") for broken in decks.broken],
        right=(1, 2, 3, 4),
    )
    echo_broken(decks)
