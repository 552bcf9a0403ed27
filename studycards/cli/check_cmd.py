"""``studycards check [DECK] [--seeds N]``: prove every card's answers with torch over many seeds."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import click

from studycards.cli.context import home_of
from studycards.cli.output import echo_table

if TYPE_CHECKING:
    from studycards.deck import CardTemplate

PROGRESS_REF_WIDTH = 28  # "checking  [20 wide]  100%  00:01:39  " takes the other 50 columns


@click.command()
@click.argument("deck_id", required=False)
@click.option("--seeds", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--first-seed", type=int, default=0, show_default=True)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="processes to check on  [default: one per core when there are 5,000 questions or more, else 1]",
)
@click.pass_context
def check(ctx: click.Context, deck_id: str | None, seeds: int, first_seed: int, jobs: int | None) -> None:
    """Generate every card for each seed and compare its answer with torch; exit 1 on any disagreement,
    or when a deck file checked is broken."""
    from studycards.check_pool import check_cards, jobs_for
    from studycards.deck import load_decks

    home = home_of(ctx)
    loaded = load_decks(home)
    if deck_id is None:
        decks, broken = list(loaded), list(loaded.broken)
    else:
        decks = [deck for deck in loaded if deck.id == deck_id]
        broken = list(loaded.broken_named(deck_id))
        if not decks and not broken:
            loaded.find(deck_id)  # no such deck: raises the error naming the decks there are
    cards = [card for deck in decks for card in deck.cards]
    started = time.perf_counter()
    workers = jobs_for(jobs, len(cards), seeds)
    with _progress(cards) as done:
        reports, note = check_cards(
            cards, range(first_seed, first_seed + seeds), jobs=workers, home=home, on_done=done
        )
    if note is not None:
        click.echo(f"studycards: {note}", err=True)
    rows = [
        (
            report.ref,
            report.seeds,
            report.proved,
            report.unprovable,
            report.failed,
            f"{report.seconds:.2f}",
            "ok" if report.ok else "FAIL",
        )
        for report in reports
    ]
    echo_table(("card", "seeds", "proved", "no torch", "failed", "seconds", "result"), rows, right=(1, 2, 3, 4, 5))
    failed = [report for report in reports if not report.ok]
    total = sum(report.seeds for report in reports)
    click.echo()
    broken_note = f", {len(broken)} broken deck{'s' if len(broken) != 1 else ''}" if broken else ""
    click.echo(
        f"{len(reports)} cards, {total} questions, {sum(r.proved for r in reports)} proved by torch, "
        f"{sum(r.failed for r in reports)} failed{broken_note}, in {time.perf_counter() - started:.1f} s"
    )
    if failed or broken:
        for report in failed:
            for message in report.failures:
                click.echo(f"FAIL {message}", err=True)
        for deck in broken:
            click.echo(f"BROKEN {deck.error}", err=True)
        ctx.exit(1)


@contextlib.contextmanager
def _progress(cards: list[CardTemplate]) -> Iterator[Callable[[CardTemplate], None]]:
    """A function to call as each card is finished, drawing a progress bar on stderr that names the card
    just checked, only when stderr is a terminal: a pipe or a CI log gets the table and the summary alone."""
    if not sys.stderr.isatty():
        yield lambda card: None
        return
    with click.progressbar(
        length=len(cards), label="checking", file=sys.stderr, width=20, item_show_func=_shown_ref
    ) as bar:
        yield lambda card: bar.update(1, card)


def _shown_ref(card: CardTemplate | None) -> str | None:
    """The card's ref, cut from the left to keep the bar on one line of an 80-column terminal."""
    if card is None:
        return None
    return card.ref if len(card.ref) <= PROGRESS_REF_WIDTH else "…" + card.ref[-PROGRESS_REF_WIDTH + 1 :]
