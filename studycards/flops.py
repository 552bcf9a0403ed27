"""FLOPs of a forward pass, counted by torch's own ``FlopCounterMode``, per module and in total.

The counter reads every aten op's shapes as the op is dispatched, so it works on the ``meta`` device:
no memory, no arithmetic. It follows torch's convention, a multiply-add is 2 FLOPs (a ``Linear(a, b)``
on one row costs 2·a·b), and it counts matrix products and convolutions only: a bias, a ReLU or a
normalisation costs 0. Papers and torchvision's model tables often publish multiply-adds under the
name "GFLOPS", half of torch's figure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from torch import nn
from torch.utils.flop_counter import FlopCounterMode


class FlopTally:
    """What one counted forward pass cost: the total and each module's share by qualified name.

    Both are None until a pass has run to its end inside ``counting()``.
    """

    def __init__(self, root: nn.Module) -> None:
        self._root = root
        self._mode: FlopCounterMode | None = None
        self._stretched: list[tuple[nn.Module, int, int]] = []

    @contextlib.contextmanager
    def counting(self, enabled: bool = True) -> Iterator[None]:
        """Count what runs inside the block (``enabled=False``: count nothing and cost nothing)."""
        if not enabled:
            yield
            return
        mode = FlopCounterMode(display=False)
        with mode:
            yield
        self._mode = mode
        for layer, steps, ran in self._stretched:
            self._scale(layer, steps, ran)

    def stretch(self, layer: nn.Module, steps: int, ran: int) -> None:
        """``layer`` (a recurrent one, ``studycards.short_sequence``) ran ``ran`` of its ``steps`` time steps.

        All its work is per step, so once the pass is counted its FLOPs, and those of every module
        holding it, are scaled to the full length.
        """
        self._stretched.append((layer, steps, ran))

    def _scale(self, layer: nn.Module, steps: int, ran: int) -> None:
        assert self._mode is not None
        counts = self._mode.flop_counts
        name = next(name for name, module in self._root.named_modules() if module is layer)
        key = ".".join(part for part in (type(self._root).__name__, name) if part)
        holders = ["Global"] + [key.rsplit(".", depth)[0] for depth in range(key.count("."), 0, -1)]
        for op, flops in list(counts.get(key, {}).items()):
            extra = flops * steps // ran - flops
            for holder in (*holders, key):
                counts[holder][op] += extra

    @property
    def total(self) -> int | None:
        return int(self._mode.get_total_flops()) if self._mode is not None else None

    def own(self, names: Sequence[str]) -> list[int | None]:
        """Each named module's FLOPs minus its children's, so rows that nest still add up to the total.

        A module whose work is done in its own forward (attention's projections are plain ``F.linear``
        calls on its own weights, not calls to its ``out_proj`` child) keeps that work.
        """
        if self._mode is None:
            return [None] * len(names)
        by_module = {key: sum(ops.values()) for key, ops in self._mode.get_flop_counts().items()}
        prefix = type(self._root).__name__
        modules = dict(self._root.named_modules())

        def inclusive(name: str) -> int:
            return int(by_module.get(f"{prefix}.{name}" if name else prefix, 0))

        shares: list[int | None] = []
        for name in names:
            module = modules.get(name)
            if module is None:
                shares.append(None)
                continue
            children = sum(inclusive(f"{name}.{child}" if name else child) for child, _ in module.named_children())
            shares.append(inclusive(name) - children)
        return shares

