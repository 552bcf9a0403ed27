"""``studycards quiz DECK``, ``studycards review`` and the home screen (``studycards`` alone): the TUI.

Decks are loaded and the store opened before the terminal is taken over, so a damaged database, or a quiz
of a broken deck, is one line on stderr like any other command's error, never a screen that dies. Other
broken decks are set aside: the home screen lists them with their errors, and the rest work. The store is
closed when the app ends, however it ends; each grade was committed the moment it was given.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from studycards.cli.context import home_of
from studycards.errors import StudycardsError

_BENCH_HELP = "Write the wall-clock time when the first question is painted to FILE, then exit (benchmarks)."


class NoTerminalError(StudycardsError):
    """The TUI was asked for without a terminal to draw on."""


@click.command()
@click.argument("deck")
@click.option("--bench-first-paint", type=click.Path(dir_okay=False), hidden=True, help=_BENCH_HELP)
@click.pass_context
def quiz(ctx: click.Context, deck: str, bench_first_paint: str | None) -> None:
    """Quiz one deck: cards due first, then new ones, then extra practice if you want more."""
    run_tui(home_of(ctx), start="quiz", deck_id=deck, bench_file=bench_first_paint)


@click.command()
@click.option("--bench-first-paint", type=click.Path(dir_okay=False), hidden=True, help=_BENCH_HELP)
@click.pass_context
def review(ctx: click.Context, bench_first_paint: str | None) -> None:
    """The daily review: every deck's due and new cards, interleaved."""
    run_tui(home_of(ctx), start="review", bench_file=bench_first_paint)


def run_home(home: Path) -> None:
    """The home screen: every deck with what is due today (``studycards`` with no command)."""
    run_tui(home, start="home")


def run_tui(home: Path, *, start: str, deck_id: str | None = None, bench_file: str | None = None) -> None:
    """Load the decks, open the store, and run the app until the learner quits."""
    decks = _decks_for(home, deck_id)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        command = "studycards" if start == "home" else f"studycards {start}"
        raise NoTerminalError(f"`{command}` draws on a terminal; run it in one (stdin and stdout are not)")
    from studycards.store import Store
    from studycards.tui.app import StudycardsApp

    with Store(home) as store:
        app = StudycardsApp(
            home,
            decks,
            store,
            start=start,
            deck_id=deck_id,
            on_first_question=_bench_hook(Path(bench_file)) if bench_file else None,
        )
        app.run()
    _end_without_teardown(app.return_code or 0)


def _decks_for(home: Path, deck_id: str | None):
    """Every deck, or for a quiz just the one asked for: its file is usually named after it, and reading
    one deck file instead of all of them is a good part of getting the first question up fast."""
    from studycards.deck import DeckLoad, deck_paths, load_deck, load_decks

    if deck_id is None:
        return load_decks(home)
    for path in deck_paths(home):
        if path.stem == deck_id:
            deck = load_deck(path)
            if deck.id == deck_id:
                return DeckLoad((deck,))
    return DeckLoad((load_decks(home).find(deck_id),))


def _end_without_teardown(code: int) -> None:
    """Quit at once. With torch loaded, the interpreter's own teardown takes a second or more after the
    screen is gone; by now every grade is committed and the store closed, so there is nothing to wait for."""
    if "torch" not in sys.modules:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _bench_hook(path: Path):
    def painted(app) -> None:
        path.write_text(f"{time.time():.6f}\n")
        app.exit()

    return painted
