"""What ``train()`` and ``eval()`` change, and which values share one mean: proved by running torch.

Normalisation and dropout questions are about behaviour, not shapes: which statistics BatchNorm
uses in eval mode, whether a forward pass moves its running mean, what dropout scales the kept values
to, how many values one LayerNorm/GroupNorm mean averages. Each function runs the real module or
functional op on a tiny CPU tensor (bounded: at most 1e6 elements) and reports what torch did.
Each is callable from a card's truth formula and listed in ``studycards.layer_names.COMPUTE_FUNCTIONS``.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 - torch's own spelling

from studycards.errors import FormulaError
from studycards.truth_budget import check_deadline, require_bytes
from studycards.truth_compute import _exact, _one_thread, _small_shape

MODULES = {
    "BatchNorm1d": lambda: torch.nn.BatchNorm1d(3), "BatchNorm2d": lambda: torch.nn.BatchNorm2d(3),
    "LayerNorm": lambda: torch.nn.LayerNorm(5), "GroupNorm": lambda: torch.nn.GroupNorm(3, 3),
    "InstanceNorm1d": lambda: torch.nn.InstanceNorm1d(3), "InstanceNorm2d": lambda: torch.nn.InstanceNorm2d(3),
    "Dropout": lambda: torch.nn.Dropout(0.5),
}  # fmt: skip
TINY = 1e-30  # eps: torch refuses 0 in training, and 1e-30 is far below any variance here
INPUTS = {"BatchNorm1d": (4, 3, 5), "InstanceNorm1d": (4, 3, 5), "LayerNorm": (4, 3, 5)}


def _module(kind: Any) -> torch.nn.Module:
    if kind not in MODULES:
        raise FormulaError(f"layer kind must be one of {', '.join(sorted(MODULES))}, got {kind!r}")
    torch.manual_seed(0)
    return MODULES[kind]().double()


def _input(kind: str) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    return 3 + 2 * torch.randn(*INPUTS.get(kind, (4, 3, 5, 5)), generator=generator, dtype=torch.float64)


@functools.lru_cache(maxsize=64)
def eval_changes(kind: Any) -> bool:
    """Whether ``module.eval()`` changes the output of a freshly built ``kind`` on the same input."""
    module, x = _module(kind), _input(kind)
    with torch.no_grad(), _one_thread():
        trained = module.train()(x)
        evaluated = module.eval()(x)
    return not torch.allclose(trained, evaluated)


@functools.lru_cache(maxsize=64)
def running_stats_move(kind: Any, training: Any) -> bool:
    """Whether one forward pass in train (``training`` true) or eval mode changes the running mean."""
    module, x = _module(kind), _input(kind)
    if getattr(module, "running_mean", None) is None:
        return False
    before = module.running_mean.clone()
    with torch.no_grad(), _one_thread():
        module.train(bool(training))(x)
    return not torch.equal(before, module.running_mean)


@functools.lru_cache(maxsize=64)
def dropout_kept_value(p: Any, training: Any) -> Fraction:
    """The value ``nn.Dropout(p)`` gives the entries it keeps of an all-ones tensor in this mode."""
    if not 0 <= float(p) < 1:
        raise FormulaError(f"dropout probability must be in [0, 1), got {p}")
    torch.manual_seed(0)
    layer = torch.nn.Dropout(float(p)).train(bool(training))
    with torch.no_grad(), _one_thread():
        out = layer(torch.ones(1000, dtype=torch.float64))
    return _exact(out.max().item())


@functools.lru_cache(maxsize=1024)
def stat_size(kind: Any, shape: Any, arg: Any = 1) -> int:
    """How many values one mean (and variance) averages over, in torch's own normalisation.

    ``kind``: 'batch', 'instance', 'layer' (``arg`` = how many trailing dims) or 'group' (``arg`` =
    groups). One entry is 1 and the rest 0, with a negligible eps: normalised, that entry becomes √(n − 1) for
    the n values that share its statistics, so n is read back from torch's output.
    """
    sizes = _small_shape(shape, "shape")
    require_bytes(3 * 8 * math.prod(sizes), f"stat_size({kind!r}, {sizes})")  # x, y and one temporary
    check_deadline()
    x = torch.zeros(*sizes, dtype=torch.float64)
    x.view(-1)[0] = 1.0
    with torch.no_grad(), _one_thread():
        if kind == "batch":
            y = F.batch_norm(x, None, None, training=True, eps=TINY)
        elif kind == "instance":
            y = F.instance_norm(x, eps=TINY)
        elif kind == "layer":
            dims = int(arg)
            if not 1 <= dims <= len(sizes):
                raise FormulaError(f"layer norm over {dims} trailing dims of a {len(sizes)}-d shape")
            y = F.layer_norm(x, sizes[-dims:], eps=TINY)
        elif kind == "group":
            y = F.group_norm(x, int(arg), eps=TINY)
        else:
            raise FormulaError(f"kind must be 'batch', 'instance', 'layer' or 'group', got {kind!r}")
    value = y.view(-1)[0].item()
    return 1 if math.isnan(value) else round(value * value + 1)


@functools.lru_cache(maxsize=256)
def causal_mask(n: Any) -> tuple[tuple[int, ...], int]:
    """(shape, how many entries are -inf) of ``nn.Transformer.generate_square_subsequent_mask(n)``."""
    if not isinstance(n, int) or not 1 <= n <= 2048:
        raise FormulaError(f"a causal mask's length must be a whole number from 1 to 2048, got {n}")
    require_bytes(2 * 4 * n * n, f"causal_mask({n})")  # the float mask and a temporary
    check_deadline()
    mask = torch.nn.Transformer.generate_square_subsequent_mask(n, device=torch.device("cpu"))
    return tuple(mask.shape), int(torch.isinf(mask).sum().item())


@functools.lru_cache(maxsize=8)
def output_is_normalized(norm_first: Any) -> bool:
    """Whether ``nn.TransformerEncoderLayer(norm_first=...)``'s output has mean 0 and variance 1 at every
    position, as the output of a fresh LayerNorm does: true when the layer ends with its LayerNorm."""
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, norm_first=bool(norm_first), batch_first=True)
    x = 3 + 5 * torch.randn(2, 6, 16, generator=torch.Generator().manual_seed(1))
    with torch.no_grad(), _one_thread():
        out = layer.eval().double()(x.double())
    mean, var = out.mean(-1), out.var(-1, unbiased=False)
    return bool(
        torch.allclose(mean, torch.zeros_like(mean), atol=1e-6) and torch.allclose(var, torch.ones_like(var), atol=1e-3)
    )


@functools.lru_cache(maxsize=8)
def first_dim_mixed(batch_first: Any) -> bool:
    """Whether ``nn.TransformerEncoderLayer(batch_first=...)`` lets entries along the input's first dim
    see each other: change x[1] and look at out[0]. With the default ``batch_first=False`` the first dim
    is the sequence, so attention mixes it; with ``True`` it is the batch, whose samples stay apart."""
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=bool(batch_first)).eval().double()
    x = torch.randn(3, 4, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    changed = x.clone()
    changed[1] += 1.0
    with torch.no_grad(), _one_thread():
        return not torch.allclose(layer(x)[0], layer(changed)[0])
