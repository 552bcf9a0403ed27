"""Truths that need real arithmetic, computed by torch on the CPU on tiny tensors.

Most truths are shapes and parameter counts, read on the meta device. A few cards ask for values (the
new cell state of an LSTM given its gates; which entries a softmax normalises), and those are proved by
running the real torch function on the CPU with the card's numbers. Each function here is callable from
a card's ``truth.read`` / ``truth.holds`` formula; its name must also be listed in
``studycards.layer_names.COMPUTE_FUNCTIONS`` so decks can be validated without importing torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import torch

from studycards.errors import FormulaError

PRECISION = 10**9  # computed floats come back as fractions with this denominator bound


def _exact(value: float) -> Fraction:
    return Fraction(value).limit_denominator(PRECISION)


def _logit(p: float) -> float:
    if not 0 < p < 1:
        raise FormulaError(f"a sigmoid gate value must be strictly between 0 and 1, got {p}")
    return math.log(p / (1 - p))


def lstm_step(i: Any, f: Any, g: Any, o: Any, c_prev: Any) -> tuple[Fraction, Fraction]:
    """(h_t, c_t) from ``torch.nn.LSTMCell`` whose gates are set to the given activations.

    The cell is 1-dimensional with zero weights, so each gate's pre-activation is its bias: the input,
    forget and output biases are logit(i), logit(f), logit(o), the candidate's is atanh(g). With x = 0,
    h = 0 and c = c_prev, torch computes c_t = f·c_prev + i·g and h_t = o·tanh(c_t) itself.
    """
    if not -1 < float(g) < 1:
        raise FormulaError(f"the candidate g = tanh(...) must be strictly between -1 and 1, got {g}")
    cell = torch.nn.LSTMCell(1, 1, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.zero_()
        cell.weight_hh.zero_()
        cell.bias_hh.zero_()
        # torch orders the gates input, forget, cell (candidate), output.
        cell.bias_ih.copy_(
            torch.tensor(
                [_logit(float(i)), _logit(float(f)), math.atanh(float(g)), _logit(float(o))],
                dtype=torch.float64,
            )
        )
        x = torch.zeros(1, 1, dtype=torch.float64)
        h0 = torch.zeros(1, 1, dtype=torch.float64)
        c0 = torch.tensor([[float(c_prev)]], dtype=torch.float64)
        h1, c1 = cell(x, (h0, c0))
    return _exact(h1.item()), _exact(c1.item())


def softmax_sums(shape: Any, dim: Any) -> tuple[int, tuple[int, ...]]:
    """(how many sums equal 1, the shape of those sums) after ``torch.softmax(x, dim)`` on ``shape``.

    Runs the real softmax on random values and sums along ``dim``: every entry of the sum is 1, so the
    count is the number of groups softmax normalised and the sum's shape says how they are laid out.
    """
    if not isinstance(shape, tuple) or not shape or len(shape) > 6 or math.prod(shape) > 1_000_000:
        raise FormulaError("softmax_sums needs a small shape tuple (at most 6 dims, 1e6 entries)")
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(*shape, generator=generator, dtype=torch.float64)
    sums = torch.softmax(x, dim=int(dim)).sum(dim=int(dim))
    ones = int(torch.isclose(sums, torch.ones_like(sums)).sum().item())
    return ones, tuple(sums.shape)


COMPUTE: dict[str, Callable[..., Any]] = {
    "lstm_step": lstm_step,
    "softmax_sums": softmax_sums,
}
