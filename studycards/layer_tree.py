"""The rows of ``count``'s table as a tree: each row indented under its parent.

A table row is a leaf layer or a layer holding parameters of its own (attention keeps its input
projection on itself, beside its ``out_proj`` child), so the rows add up to the total. Shown flat, such a
parent row looked like the module's total while holding only its own part; here each row knows its
depth, a parent row names the parameters it holds itself (``own: in_proj``), and containers without
parameters of their own (``layer1``, ``layer1.0``) become group rows so that every child has a parent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from torch import nn

from studycards.layer_count import LayerCount


def own_parameter_names(module: nn.Module) -> tuple[str, ...]:
    """The parameters a module holds itself, weight and bias of one projection named once: ``in_proj``."""
    names: dict[str, None] = {}
    for name, _ in module.named_parameters(recurse=False):
        for suffix in ("_weight", "_bias"):
            if name.endswith(suffix) and name != suffix[1:]:
                name = name[: -len(suffix)]
        names[name] = None
    return tuple(names)


def tree_rows(module: nn.Module, rows: tuple[Any, ...], raw_names: list[str]) -> tuple[Any, ...]:
    """``rows`` (one per raw name, in ``named_modules`` order) with depths, own-parameter notes and the
    group rows of their parameterless ancestors, in the order a tree is read."""
    by_name = dict(zip(raw_names, rows))
    wanted = set(raw_names)
    for name in raw_names:
        parts = name.split(".") if name else []
        wanted.update(".".join(parts[:i]) for i in range(1, len(parts)))
    top_shown = "" in by_name
    out = []
    for name, child in module.named_modules():
        if name not in wanted:
            continue
        depth = (name.count(".") + 1 if name else 0) - (0 if top_shown else 1)
        has_children = any(True for _ in child.children())
        own = own_parameter_names(child) if has_children else ()
        row = by_name.get(name)
        if row is None:
            out.append(_group_row(row_type=type(child).__name__, name=name, depth=depth))
        else:
            out.append(replace(row, depth=depth, own=own))
    return tuple(out)


def _group_row(row_type: str, name: str, depth: int) -> Any:
    return LayerCount(name, row_type, 0, None, None, depth=depth, group=True)
