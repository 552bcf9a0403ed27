"""``studycards export DECK|all -o FILE.apkg``: decks as an Anki package (and optionally a TSV file)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from studycards.cli.context import home_of
from studycards.cli.output import warn_broken

ALL_DECKS = "all"


@click.command()
@click.argument("deck_ids", metavar="DECK...|all", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The package to write, FILE.apkg (replaced if it exists).",
)
@click.option(
    "--instances",
    type=click.IntRange(min=1, max=100_000),
    default=5,
    show_default=True,
    help="Notes per card template, one per seed: S, S+1, ... (several, so reviews draw fresh numbers).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The first seed, S.")
@click.option("--type-answer", is_flag=True, help="Also make a card where you type the answer in.")
@click.option("--tsv", is_flag=True, help="Also write FILE.tsv beside the package, for other SRS tools.")
@click.pass_context
def export(
    ctx: click.Context,
    deck_ids: tuple[str, ...],
    output: Path,
    instances: int,
    seed: int,
    type_answer: bool,
    tsv: bool,
) -> None:
    """Export DECK (several, or all) to an Anki package that Anki imports as studycards::DECK.

    Re-importing an export of the same decks and seeds changes nothing; another seed adds notes; an
    edited template updates its notes in place. A question that cannot be generated is left out, with
    one line on stderr per card saying why.
    """
    from studycards.anki_export import export_decks, note_count
    from studycards.deck import load_decks

    if output.suffix.lower() != ".apkg":
        raise click.BadParameter(f"{str(output)!r} must end in .apkg (Anki imports only that)", param_hint="'-o'")
    home = home_of(ctx)
    loaded = load_decks(home)
    if ALL_DECKS in deck_ids:
        if len(deck_ids) > 1:
            raise click.BadParameter("give deck ids or 'all', not both", param_hint="DECK...|all")
        decks = list(loaded)
        warn_broken(loaded)
    else:
        decks = [loaded.find(deck_id) for deck_id in dict.fromkeys(deck_ids)]
    tsv_path = output.with_suffix(".tsv") if tsv else None

    left_out = _LeftOut()
    try:
        with _progress(note_count(decks, instances)) as progress:
            summary = export_decks(
                decks,
                output,
                instances=instances,
                seed=seed,
                type_answer=type_answer,
                tsv_path=tsv_path,
                progress=progress,
                on_broken_card=left_out,
            )
    finally:  # after the progress bar, and before an error that every question was left out
        left_out.report()
    seeds = f"seed {seed}" if instances == 1 else f"seeds {seed}-{seed + instances - 1}"
    click.echo(
        f"Wrote {summary.note_count} notes from {len(summary.deck_ids)} deck(s) "
        f"({', '.join(summary.deck_ids)}; {seeds}) to {summary.path}"
    )
    if summary.tsv_path is not None:
        click.echo(f"Wrote {summary.tsv_path}")


class _LeftOut:
    """The questions an export left out because they cannot be generated: one line per card on stderr,
    with how many and which seeds, and the card's first error (which names deck file, card and field)."""

    def __init__(self) -> None:
        self.cards: dict[str, tuple[str, list[int]]] = {}

    def __call__(self, ref: str, seed: int, error: str) -> None:
        self.cards.setdefault(ref, (error, []))[1].append(seed)

    def report(self) -> None:
        for error, seeds in self.cards.values():
            count = "1 question" if len(seeds) == 1 else f"{len(seeds)} questions"
            click.echo(
                f"studycards: left out {count} that cannot be generated ({_seeds(seeds)}): {error}", err=True
            )


def _seeds(seeds: list[int]) -> str:
    """``seed 3``, ``seeds 0-4`` (a run), ``seeds 1, 3``."""
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}-{seeds[-1]}"
    return "seeds " + ", ".join(str(seed) for seed in seeds)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for a terminal; nothing at all when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        yield None
        return
    steps = max(1, total // 200)  # redraw about 200 times, not once per note
    with click.progressbar(
        length=total, label="Exporting", file=sys.stderr, show_pos=True, update_min_steps=steps
    ) as bar:
        yield bar.update
