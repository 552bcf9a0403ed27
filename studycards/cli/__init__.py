"""The ``studycards`` command: a thin click group over the core.

Each subcommand lives in its own module and is imported only when it runs, so ``studycards due`` never
pays for importing torch or Textual. Errors meant for the user (``StudycardsError``) become one line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from studycards.errors import StudycardsError

# name -> "module:function"; each module is imported only when its command is used.
COMMANDS: dict[str, str] = {
    "count": "studycards.cli.count_cmd:count",
    "decks": "studycards.cli.decks_cmd:decks",
    "show": "studycards.cli.show_cmd:show",
    "check": "studycards.cli.check_cmd:check",
    "grade": "studycards.cli.grade_cmd:grade",
    "parse": "studycards.cli.grade_cmd:parse",
    "due": "studycards.cli.due_cmd:due",
    "doctor": "studycards.cli.doctor_cmd:doctor",
    "quiz": "studycards.cli.tui_cmd:quiz",
    "review": "studycards.cli.tui_cmd:review",
    "export": "studycards.cli.export_cmd:export",
    "stats": "studycards.cli.stats_cmd:stats",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (the pattern from click's docs)."""

    def __init__(self, *args, lazy_commands: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, attr = self.lazy_commands[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, cmd_name)


class Group(LazyGroup):
    """Turns ``StudycardsError`` into a one-line message and exit code, wherever it is raised."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StudycardsError as error:
            click.echo(f"studycards: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(
    cls=Group,
    lazy_commands=COMMANDS,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="studycards", prog_name="studycards", message="%(prog)s %(version)s")
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    default=None,
    help="Data folder (default: $STUDYCARDS_HOME, else the platform's user data dir).",
)
@click.pass_context
def main(ctx: click.Context, home: str | None) -> None:
    """Drill deep-learning fundamentals with spaced repetition. With no command: the home screen."""
    from studycards.locations import data_home

    ctx.obj = {"home": data_home(home)}
    if ctx.invoked_subcommand is None:
        from studycards.cli.tui_cmd import run_home

        run_home(ctx.obj["home"])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
