"""One row of a count: a module's name, type, own parameters, output shape and FLOPs.

Its own module because both the counter (``ground_truth``) and the table's tree (``layer_tree``) build these
rows; neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Shape = tuple[int, ...]


@dataclass(frozen=True)
class LayerCount:
    """One leaf module: its qualified name, type, own parameters and the shape it produced."""

    name: str
    type: str
    params: int
    output_shape: Shape | None
    flops: int | None = None
    depth: int = 0  # how far below the spec's top the row sits, for indenting a table
    own: tuple[str, ...] = ()  # on a row with child layers: the parameters it holds itself ("in_proj")
    group: bool = False  # a container without parameters of its own, shown only to parent its rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "params": self.params,
            "output_shape": list(self.output_shape) if self.output_shape is not None else None,
            "flops": self.flops,
            "depth": self.depth,
            "own": list(self.own),
        }
