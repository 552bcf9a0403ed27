"""``studycards show DECK[/CARD]``: generated questions with their answers and worked solutions."""

from __future__ import annotations

import click

from studycards.cli.context import home_of
from studycards.cli.output import echo_json
from studycards.reading_cache import ReadingCache
from studycards.text_blocks import plain_text


@click.command()
@click.argument("ref")
@click.option("--seed", type=int, default=0, show_default=True, help="Which instance of the template (the first one).")
@click.option(
    "--instances",
    type=click.IntRange(min=1, max=10_000),
    default=1,
    show_default=True,
    help="Questions per card template, one per seed: S, S+1, ...",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON: prompt, answer, solution, mistakes, equivalents, aliases, slips, params, seed.",
)
@click.option("--truth", is_flag=True, help="Also show what torch reads for this question.")
@click.pass_context
def show(ctx: click.Context, ref: str, seed: int, instances: int, as_json: bool, truth: bool) -> None:
    """Show the question DECK/CARD asks for a seed, or one question per card of DECK."""
    from studycards.deck import find_card, find_deck
    from studycards.question import generate

    home = home_of(ctx)
    cards = [find_card(ref, home)[1]] if "/" in ref else list(find_deck(ref, home).cards)
    seeds = range(seed, seed + instances)
    questions = [generate(card, n) for card in cards for n in seeds]
    readings = ReadingCache(home)
    truths = [_truth_lines(readings, q) for q in questions] if truth else [None] * len(questions)
    if as_json:
        items = []
        for question, line in zip(questions, truths):
            item = question.to_dict()
            if truth:
                item["truth"] = "; ".join(line) if line is not None else None
                item["truth_lines"] = list(line) if line is not None else None  # one per line shown
            items.append(item)
        # One card, one seed: the question itself; anything more: a list of questions.
        echo_json(items[0] if "/" in ref and instances == 1 else items)
        return
    for index, (question, line) in enumerate(zip(questions, truths)):
        if index:
            click.echo()
        click.secho(f"{question.ref}  (seed {question.seed})  {question.card.title}", bold=True)
        click.echo(plain_text(question.prompt.strip()))
        if question.card.choices:
            for choice in question.card.choices:
                click.echo(f"  - {choice}")
        click.secho(f"answer: {_answer_line(question)}", fg="green")
        click.echo("solution:")
        for solution_line in plain_text(question.solution.strip()).splitlines():
            click.echo(f"  {solution_line}")
        for truth_line in line or ():  # one line each: a layer torch built, a computation, the answer
            click.echo(truth_line)


def _answer_line(question) -> str:
    """The answer; on a formula card, the formula followed by its value for this example."""
    if question.kind != "expression":
        return question.answer_text
    from studycards.formula import display_value

    return f"{question.answer_text}  (here {display_value(question.answer)})"


def _truth_lines(readings: ReadingCache, question) -> tuple[str, ...] | None:
    result = readings.truth(question)
    return result.lines if result is not None else None
