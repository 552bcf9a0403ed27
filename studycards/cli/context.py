"""What a subcommand reads from the ``studycards`` group's context: the data home its ``--home`` chose.

Its own module, so the subcommands need not import the group (``studycards.cli``), which imports them.
"""

from __future__ import annotations

from pathlib import Path

import click


def home_of(ctx: click.Context) -> Path:
    """The data home chosen by the group's ``--home`` option."""
    return ctx.find_root().obj["home"]
