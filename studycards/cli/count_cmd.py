"""``studycards count SPEC_OR_NAME``: parameters and output shapes, layer by layer, read off torch."""

from __future__ import annotations

import click

from studycards.cli.context import home_of
from studycards.cli.output import echo_json, echo_table
from studycards.reading_cache import ReadingCache
from studycards.rendering import describe_flops, render_value


@click.command()
@click.argument("spec", metavar="SPEC_OR_NAME")
@click.option(
    "--input", "input_shape", default=None, help="Input shape, e.g. 1,3,224,224; several inputs separated by ';'."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: params, output_shape, flops, layers.")
@click.pass_context
def count(ctx: click.Context, spec: str, input_shape: str | None, as_json: bool) -> None:
    """Count the parameters (and, given --input, output shapes and FLOPs) of a layer spec or a named network.

    FLOPs are torch's count (FlopCounterMode): a multiply-add is 2 FLOPs, so they are twice the
    multiply-adds that papers and torchvision often publish as "GFLOPS".

    SPEC_OR_NAME is a torch layer like 'Conv2d(3, 8, 5, stride=2)', a 'Sequential(...)' of them, or a
    network name: alexnet, alexnet-2gpu, vgg11/13/16/19, googlenet, resnet18/34/50/101/152,
    densenet121/169.
    """
    result = ReadingCache(home_of(ctx)).count(spec, input_shape)
    if as_json:
        echo_json(result.to_dict())
        return
    rows = [
        (
            _shown_name(layer),
            layer.type,
            "" if layer.group else f"{layer.params:,}",
            render_value(layer.output_shape) if layer.output_shape else "",
        )
        + ((f"{layer.flops:,}" if layer.flops is not None else "",) if result.flops is not None else ())
        for layer in result.tree or result.layers
    ]
    header = ("layer", "type", "params", "output shape") + (("FLOPs",) if result.flops is not None else ())
    echo_table(header, rows, right=(2, 4))
    click.echo()
    click.echo(f"total parameters: {result.params:,}")
    if result.output_shape is not None:
        click.echo(f"output shape: {render_value(result.output_shape)} for input {render_value(result.input_shape)}")
    if result.flops is not None:
        click.echo(f"total FLOPs: {describe_flops(result.flops)}")


def _shown_name(layer) -> str:
    """The row's own name, indented under its parent; a parent row says which parameters are its own."""
    name = layer.name.rsplit(".", 1)[-1]
    own = f" (own params: {', '.join(layer.own)})" if layer.own else ""
    return "  " * layer.depth + name + own
