"""torch's refusals, worded the way CPU torch words them, in one line that names the layer.

Layers run on the ``meta`` device, whose checks differ from the CPU's: a zero stride dies in Python's
integer division, a wrong channel count says only "Invalid channel dimensions", and a negative padding
or a zero dilation is not refused at all. ``check_arguments`` refuses what CPU torch refuses before the
forward pass; ``explain`` turns what the pass raised into the problem a learner can act on, naming the
layer that refused (``Conv2d(3, 8, 3): expected 3 input channels, got 4``). ``one_line`` keeps any
message to one line of reasonable length.
"""

from __future__ import annotations

import re
from typing import Any

from torch import nn

MAX_MESSAGE = 240
MAX_NUMBER_DIGITS = 24


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line, huge numbers shortened (``1000…000 (310 digits)``), cut with an ellipsis."""
    flat = " ".join(str(text).split())
    flat = re.sub(rf"\d{{{MAX_NUMBER_DIGITS + 1},}}", lambda m: short_number(m.group()), flat)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def short_number(digits: str) -> str:
    return f"{digits[:4]}…{digits[-3:]} ({len(digits)} digits)"


ARGUMENT_RULES = (
    ("stride", lambda v: v > 0, "stride must be positive"),
    ("dilation", lambda v: v > 0, "dilation must be positive"),
    ("padding", lambda v: v >= 0, "padding must not be negative"),
)


def about_the_input(problem: str) -> bool:
    """Whether ``problem`` is about the input (worth showing it) rather than the layer's own arguments
    or the number of inputs."""
    return not problem.startswith("takes ") and not any(problem.endswith(rule[2]) for rule in ARGUMENT_RULES)


def check_arguments(module: nn.Module) -> str | None:
    """What CPU torch would refuse in the layers' own arguments (meta lets some through), or None."""
    for name, layer in module.named_modules():
        for argument, allowed, problem in ARGUMENT_RULES:
            value = getattr(layer, argument, None)
            sizes = value if isinstance(value, tuple) else (value,)
            if any(isinstance(v, int) and not allowed(v) for v in sizes):
                return _where(name, layer) + problem
    return None


def _where(name: str, layer: nn.Module) -> str:
    """Empty for the whole spec (its text already leads the message), else which layer inside it."""
    return f"layer {name} ({type(layer).__name__}): " if name else ""


def explain(error: BaseException, failing: tuple[str, nn.Module, tuple[tuple[int, ...], ...]] | None) -> str:
    """The problem behind ``error``, raised while ``failing`` = (name, layer, input shapes) was running."""
    message = " ".join(str(error).split()) or type(error).__name__
    positional = re.search(r"takes (\d+) positional arguments? but (\d+) (?:were|was) given", message)
    if isinstance(error, TypeError) and positional:
        takes, given = int(positional.group(1)) - 1, int(positional.group(2)) - 1
        inputs = "one input" if takes == 1 else f"{takes} inputs"
        return f"takes {inputs}, got {given}"
    missing = re.search(r"missing (\d+) required positional arguments?: (.*)$", message)
    if isinstance(error, TypeError) and missing and failing is not None:
        given = len(failing[2])
        names = re.findall(r"'(\w+)'", missing.group(2))
        return f"takes {given + int(missing.group(1))} inputs, got {given} (missing {' and '.join(names)})"
    if failing is None:
        return message
    name, layer, shapes = failing
    where = _where(name, layer)
    shape = shapes[0] if shapes else ()
    problem = _layer_problem(layer, shape)
    return where + (problem or message)


def _layer_problem(layer: nn.Module, shape: tuple[int, ...]) -> str | None:
    """The input's mismatch with the layer, in the terms the layer was built with."""
    if isinstance(layer, nn.modules.conv._ConvNd):
        dims = len(layer.kernel_size)
        if len(shape) not in (dims + 1, dims + 2):
            return f"expected a {dims + 1}-D (unbatched) or {dims + 2}-D (batched) input, got {_shape(shape)}"
        channels = shape[0] if len(shape) == dims + 1 else shape[1]
        if channels != layer.in_channels:
            return f"expected {layer.in_channels} input channels, got {channels}"
        return None
    if isinstance(layer, nn.Linear) and shape and shape[-1] != layer.in_features:
        return f"expected {layer.in_features} input features (the last size), got {shape[-1]}"
    if isinstance(layer, nn.modules.batchnorm._BatchNorm) and len(shape) > 1 and shape[1] != layer.num_features:
        return f"expected {layer.num_features} channels, got {shape[1]}"
    if isinstance(layer, nn.Embedding):
        return None
    return None


def _shape(shape: Any) -> str:
    """A shape as Python prints it, ``(8,)`` included; several shapes as a tuple of them."""
    return (
        "("
        + ", ".join(_shape(d) if isinstance(d, tuple) else str(d) for d in shape)
        + ("," if len(shape) == 1 else "")
        + ")"
    )


shape_text = _shape


def shapes_of(inputs: Any) -> tuple[tuple[int, ...], ...]:
    """The shapes of a forward call's positional inputs (tensors only)."""
    return tuple(tuple(t.shape) for t in inputs if hasattr(t, "shape"))
