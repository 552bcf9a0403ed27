"""``studycards decks``: the decks this home can use, with their cards."""

from __future__ import annotations

import click

from studycards.cli.context import home_of
from studycards.cli.output import echo_broken, echo_json, echo_table


@click.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print JSON: [{"id", "title", "source", "cards": [{"id", "title", "kind", "aliases", "slips",'
    ' "equivalents"}]}]; a broken deck also has "path" and "error".',
)
@click.pass_context
def decks(ctx: click.Context, as_json: bool) -> None:
    """List the decks (bundled, and your own in <home>/decks); a broken deck is listed with its error."""
    from studycards.deck import load_decks

    loaded = load_decks(home_of(ctx))
    if as_json:
        echo_json(
            [
                {
                    "id": deck.id,
                    "title": deck.title,
                    "source": deck.source,
                    "cards": [
                        {
                            "id": card.id,
                            "title": card.title,
                            "kind": card.kind,
                            "aliases": dict(card.aliases),
                            "slips": list(card.slips),
                            "equivalents": [equivalent.answer.text for equivalent in card.equivalents],
                        }
                        for card in deck.cards
                    ],
                }
                for deck in loaded
            ]
            + [
                {"id": broken.id, "title": "", "source": "", "cards": [], **broken.to_dict()}
                for broken in loaded.broken
            ]
        )
        return
    echo_table(
        ("deck", "cards", "title"),
        [(deck.id, len(deck.cards), deck.title) for deck in loaded]
        + [(broken.label, "-", "(broken, set aside)") for broken in loaded.broken],
        right=(1,),
    )
    echo_broken(loaded)
