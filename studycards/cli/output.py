"""Small helpers the commands share for printing: JSON and aligned text tables."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = ()) -> None:
    """Print rows under headers, columns padded; columns listed in ``right`` are right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        return "  ".join(parts).rstrip()

    click.echo(line(cells[0]))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        click.echo(line(row))


def warn_broken(load: Any) -> None:
    """One line on stderr per deck set aside, for commands whose output has no place to list them."""
    for broken in getattr(load, "broken", ()):
        click.echo(f"studycards: set aside a broken deck: {broken.error}", err=True)


def echo_broken(load: Any) -> None:
    """The decks set aside, under a listing that showed them as broken: each with its one-line error."""
    if not getattr(load, "broken", ()):
        return
    click.echo()
    click.echo("Broken decks, set aside (the others work):")
    for broken in load.broken:
        click.echo(f"  {broken.error}")
