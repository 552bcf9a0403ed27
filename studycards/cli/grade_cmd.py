"""``studycards grade DECK/CARD --seed N --answer TEXT`` and ``studycards parse TEXT``.

``grade`` exits 0 for every verdict (a wrong or unreadable answer is a result, not a failure); only a
bad reference is an error. ``parse`` shows how an answer is read (the TUI's live preview), exiting 1
when it cannot be read so scripts can tell.
"""

from __future__ import annotations

import click

from studycards.cli.context import home_of
from studycards.cli.output import echo_json

_COLOURS = {"correct": "green", "incorrect": "red", "unreadable": "yellow"}


@click.command()
@click.argument("ref")
@click.option("--seed", type=int, default=0, show_default=True, help="Which instance of the template.")
@click.option("--answer", "answer_text", required=True, help="The answer as a learner types it, e.g. '2^10'.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: verdict, expected, feedback, mistake, reading.")
@click.pass_context
def grade(ctx: click.Context, ref: str, seed: int, answer_text: str, as_json: bool) -> None:
    """Grade an answer to the question DECK/CARD asks for a seed: correct, incorrect or unreadable."""
    from studycards.grading import grade as grade_answer

    result = grade_answer(ref, seed, answer_text, home=home_of(ctx))
    if as_json:
        echo_json(result.to_dict())
        return
    title = result.verdict if result.mistake is None else f"{result.verdict} ({result.mistake})"
    click.secho(title, fg=_COLOURS[result.verdict], bold=True)
    if result.reading is not None:
        click.echo(f"read as:  {result.reading}")
    click.echo(f"expected: {result.expected}")
    if result.feedback:
        click.echo(result.feedback)


@click.command()
@click.argument("text")
@click.option("--card", "ref", default=None, help="Read the answer as for DECK/CARD (its names, its kind).")
@click.option("--seed", type=int, default=None, help="With --card: fill in that question's numbers.")
@click.pass_context
def parse(ctx: click.Context, text: str, ref: str | None, seed: int | None) -> None:
    """Show how TEXT is read as an answer ('reads as 2^10 = 1024'), or why it cannot be (exit 1)."""
    from studycards.answer_reader import preview

    target = None
    if ref is not None:
        from studycards.deck import find_card
        from studycards.question import generate

        _, card = find_card(ref, home_of(ctx))
        target = generate(card, seed) if seed is not None else card
    line = preview(text, target)
    click.echo(line)
    if line.startswith("cannot read"):
        ctx.exit(1)
