"""``studycards doctor``: check the review database, and rebuild the card schedules from the review log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from studycards.cli.context import home_of
from studycards.errors import StoreError

if TYPE_CHECKING:
    from studycards.store import Store


@click.command()
@click.option(
    "--rebuild", is_flag=True, help="Recompute every card's schedule from the review log (the log is kept as is)."
)
@click.pass_context
def doctor(ctx: click.Context, rebuild: bool) -> None:
    """Check the review database: SQLite integrity, that each card's schedule and the statistics' tallies
    match the review log, that the new-card counts kept for studycards due match a recount, and that
    today's learning cards (failed today, asked first) are the ones the whole log gives.

    Exits 1 if the schedules, the tallies, the kept counts or the learning cards disagree with the log (fix:
    --rebuild). A damaged database is never changed: it is reported and left for you to restore.
    """
    from studycards.store import Store

    home = home_of(ctx)
    decks = _catalogue(home)
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
        click.echo(f"cards: {counts['cards']} scheduled{_orphans(decks, store)}")
        if rebuild:
            rebuilt = store.rebuild_cards()
            click.echo(f"rebuilt: {rebuilt} card schedules and the statistics' tallies from the review log")
            click.echo("new-card counts: the kept ones dropped; `studycards due` counts them again")
            differing = tallies = coverage = []
        else:
            differing = store.differences_from_log()
            if differing:
                click.echo(f"schedules: {len(differing)} differ from the review log ({_listed(differing)})")
            else:
                click.echo("schedules: all match the review log")
            tallies = store.tally_differences()
            if tallies:
                click.echo(f"statistics tallies: {len(tallies)} differ from the review log ({_listed(tallies)})")
            else:
                click.echo("statistics tallies: all match the review log")
            coverage = _check_coverage(decks, store)
        learning_agrees = _check_learning(store)
        if differing or tallies or coverage or not learning_agrees:
            click.echo("run `studycards doctor --rebuild` to recompute them from the log")
            ctx.exit(1)


def _check_learning(store) -> bool:
    """Today's learning cards as ``due`` and the quiz read them (today's rows, through the day index)
    against the same set recomputed from the whole log; and a note on rows dated after today."""
    today = store.today()
    reported = store.learning_cards(today=today)
    recomputed = store.learning_from_log(today=today)
    keys = {(card.deck_id, card.card_id) for card in reported}
    expected = {(card.deck_id, card.card_id) for card in recomputed}
    later = store.reviews_after(today)
    if later:
        click.echo(
            f"clock: {later} review{'s' if later != 1 else ''} dated after today ({today.isoformat()}),"
            " made while the clock was ahead; they count for their own day, not today"
        )
    if keys == expected:
        per_deck: dict[str, int] = {}
        for card in reported:
            per_deck[card.deck_id] = per_deck.get(card.deck_id, 0) + 1
        listed = ", ".join(f"{deck} {count}" for deck, count in sorted(per_deck.items()))
        counted = f"{len(keys)} card{'s' if len(keys) != 1 else ''} ({listed})" if keys else "none"
        click.echo(f"learning today: {counted}; the whole review log agrees")
        return True
    wrong = sorted(
        f"{deck}/{card} ({'not learning' if (deck, card) in keys else 'learning'} by the log)"
        for deck, card in keys ^ expected
    )
    click.echo(f"learning today: {len(wrong)} differ from the review log: {_listed(wrong)}")
    return False


def _listed(items: list[str]) -> str:
    return ", ".join(items[:5]) + (", ..." if len(items) > 5 else "")


Decks = tuple[dict[str, list[str]], set[str]] | None  # the catalogue and the ids of decks set aside (broken or unread)


def _catalogue(home: Path) -> Decks:
    """The decks' catalogue and the ids of broken decks, or None if the decks could not be loaded."""
    from studycards.deck import load_decks
    from studycards.errors import StudycardsError
    from studycards.store import catalogue

    try:
        loaded = load_decks(home)
    except StudycardsError:
        return None
    unread = loaded.unread.ids if loaded.unread is not None else frozenset()
    return catalogue(loaded), {deck.id for deck in loaded.broken} | unread


def _check_coverage(decks: Decks, store: Store) -> list[str]:
    """The new-card counts ``due`` keeps in the file, recounted for the decks as they are now; the rows
    that differ."""
    if decks is None:
        click.echo("new-card counts: not checked (the decks could not be loaded)")
        return []
    differing, checked = store.coverage_differences(decks[0])
    if differing:
        click.echo(f"new-card counts: {len(differing)} of {checked} kept differ from a recount ({_listed(differing)})")
    else:
        click.echo(f"new-card counts: {checked} kept for the decks as they are, all match a recount")
    return differing


def _orphans(decks: Decks, store: Store) -> str:
    """A note on cards whose template no longer exists: kept with their history, just not scheduled."""
    if decks is None:
        return " (decks could not be loaded, so templates were not compared)"
    listed, broken = decks
    known = {(deck_id, card_id) for deck_id, cards in listed.items() for card_id in cards}
    missing = [card for card in store.cards() if (card.deck_id, card.card_id) not in known]
    set_aside = sum(1 for card in missing if card.deck_id in broken)
    note = ""
    if len(missing) > set_aside:
        note += f"; {len(missing) - set_aside} of them from templates no longer in any deck (kept, not scheduled)"
    if set_aside:
        note += f"; {set_aside} of them from broken decks (kept, not scheduled until the deck is fixed)"
    return note
