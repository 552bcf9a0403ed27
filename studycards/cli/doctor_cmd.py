"""``studycards doctor``: check the review database, and rebuild the card schedules from the review log."""

from __future__ import annotations

import click

from studycards.cli import home_of
from studycards.errors import StoreError


@click.command()
@click.option(
    "--rebuild", is_flag=True, help="Recompute every card's schedule from the review log (the log is kept as is)."
)
@click.pass_context
def doctor(ctx: click.Context, rebuild: bool) -> None:
    """Check the review database: SQLite integrity, and that each card's schedule matches its review log.

    Exits 1 if the schedules disagree with the log (fix: --rebuild). A damaged database is never
    changed: it is reported and left for you to restore.
    """
    from studycards.store import Store

    home = home_of(ctx)
    with Store(home) as store:
        click.echo(f"database: {store.path}")
        problems = store.integrity_problems()
        if problems:
            raise StoreError(
                f"{store.path}: the database is damaged ({problems[0]}); it was left untouched:"
                " restore it from a backup, or try `sqlite3 studycards.db .recover`"
            )
        click.echo("integrity: ok")
        counts = store.counts()
        click.echo(f"review log: {counts['log_rows']} rows ({counts['undos']} of them undos)")
        click.echo(f"cards: {counts['cards']} scheduled{_orphans(home, store)}")
        if rebuild:
            rebuilt = store.rebuild_cards()
            click.echo(f"rebuilt: {rebuilt} card schedules from the review log")
            return
        differing = store.differences_from_log()
        if not differing:
            click.echo("schedules: all match the review log")
            return
        shown = ", ".join(differing[:5]) + (", ..." if len(differing) > 5 else "")
        click.echo(f"schedules: {len(differing)} differ from the review log ({shown})")
        click.echo("run `studycards doctor --rebuild` to recompute them from the log")
        ctx.exit(1)


def _orphans(home, store) -> str:
    """A note on cards whose template no longer exists: kept with their history, just not scheduled."""
    from studycards.deck import load_decks
    from studycards.errors import StudycardsError
    from studycards.store import catalogue

    try:
        known = {(deck_id, card_id) for deck_id, cards in catalogue(load_decks(home)).items() for card_id in cards}
    except StudycardsError:
        return " (decks could not be loaded, so templates were not compared)"
    missing = sum(1 for card in store.cards() if (card.deck_id, card.card_id) not in known)
    if not missing:
        return ""
    return f"; {missing} of them from templates no longer in any deck (kept, not scheduled)"
