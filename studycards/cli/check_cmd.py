"""``studycards check [DECK] [--seeds N]``: prove every card's answers with torch over many seeds."""

from __future__ import annotations

import time

import click

from studycards.cli import home_of
from studycards.cli.output import echo_table


@click.command()
@click.argument("deck_id", required=False)
@click.option("--seeds", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--first-seed", type=int, default=0, show_default=True)
@click.pass_context
def check(ctx: click.Context, deck_id: str | None, seeds: int, first_seed: int) -> None:
    """Generate every card for each seed and compare its answer with torch; exit 1 on any disagreement."""
    from studycards.deck import find_deck, load_decks
    from studycards.deck_check import check_deck

    home = home_of(ctx)
    decks = [find_deck(deck_id, home)] if deck_id else load_decks(home)
    started = time.perf_counter()
    reports = [report for deck in decks for report in check_deck(deck, seeds, first_seed)]
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
    echo_table(("card", "seeds", "proved", "no torch", "failed", "seconds", ""), rows, right=(1, 2, 3, 4, 5))
    failed = [report for report in reports if not report.ok]
    total = sum(report.seeds for report in reports)
    click.echo()
    click.echo(
        f"{len(reports)} cards, {total} questions, {sum(r.proved for r in reports)} proved by torch, "
        f"{sum(r.failed for r in reports)} failed, in {time.perf_counter() - started:.1f} s"
    )
    if failed:
        for report in failed:
            for message in report.failures:
                click.echo(f"FAIL {message}", err=True)
        ctx.exit(1)
