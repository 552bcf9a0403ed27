"""What torch read: a module's ``Count`` and a question's ``TruthResult``, and their plain-JSON form.

Torch-free, so that a reading kept on disk (``studycards.torch_answers``) is given back without importing
torch: ``ground_truth`` makes these, everything else only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

from studycards.layer_count import LayerCount, Shape


@dataclass(frozen=True)
class Count:
    """What torch says about one module on one input: totals, every output's shape, and per-layer rows.

    ``outputs`` flattens nested results in order: an LSTM gives (output, h_n, c_n), attention
    (output, weights). ``error`` holds torch's message when the forward pass refused the input.
    ``flops`` is torch's FLOP count of the forward pass (a multiply-add is 2; ``studycards.flops``), None
    without an input or when not asked for; ``buffers`` the elements of its buffers (running statistics),
    and ``buffer_sizes`` those elements by buffer name (``running_mean``; summed over sublayers), in order.
    """

    spec: str
    params: int
    input_shape: Shape | tuple[Shape, ...] | None
    outputs: tuple[Shape | None, ...]
    layers: tuple[LayerCount, ...]
    error: str | None = None
    flops: int | None = None
    buffers: int = 0
    tree: tuple[LayerCount, ...] = ()  # ``layers`` in tree order, with group rows for their containers
    buffer_sizes: tuple[tuple[str, int], ...] = ()

    @property
    def output_shape(self) -> Shape | None:
        return self.outputs[0] if self.outputs else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "output_shape": list(self.output_shape) if self.output_shape is not None else None,
            "flops": self.flops,
            "layers": [layer.to_dict() for layer in self.layers],
        }


@dataclass(frozen=True)
class TruthResult:
    """torch's verdict on a question: the value it read, whether it agrees, and lines to show the learner."""

    agrees: bool
    value: Any
    lines: tuple[str, ...]

    def describe(self) -> str:
        return "; ".join(self.lines)


# --- plain JSON, exactly: a tuple stays a tuple and a fraction a fraction ----------------------------------


def plain(value: Any) -> Any:
    """``value`` as JSON data that ``exact`` turns back into an equal value of the same types.

    Raises ``TypeError`` for anything else (a caller keeping readings then simply does not keep it)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return {"tuple": [plain(item) for item in value]}
    if isinstance(value, Fraction):
        return {"fraction": [value.numerator, value.denominator]}
    if isinstance(value, LayerCount):
        return {"row": {f.name: plain(getattr(value, f.name)) for f in fields(LayerCount)}}
    if isinstance(value, Count):
        return {"count": {f.name: plain(getattr(value, f.name)) for f in fields(Count)}}
    if isinstance(value, TruthResult):
        return {"truth": {f.name: plain(getattr(value, f.name)) for f in fields(TruthResult)}}
    raise TypeError(f"{type(value).__name__} has no plain form")


def exact(data: Any) -> Any:
    """The value ``plain`` wrote. Raises ``ValueError`` on data it did not write."""
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, dict) and len(data) == 1:
        (tag, body), = data.items()
        if tag == "tuple" and isinstance(body, list):
            return tuple(exact(item) for item in body)
        if tag == "fraction" and isinstance(body, list) and len(body) == 2:
            return Fraction(*body)
        kinds = {"row": LayerCount, "count": Count, "truth": TruthResult}
        if tag in kinds and isinstance(body, dict):
            try:
                return kinds[tag](**{name: exact(item) for name, item in body.items()})
            except TypeError as error:
                raise ValueError(f"not a {tag}: {error}") from None
    raise ValueError(f"not a plain value: {str(data)[:60]}")
