"""Truths that need real arithmetic, computed by torch on the CPU on tiny tensors.

Most truths are shapes and parameter counts, read on the meta device. A few cards ask for values (the
new cell state of an LSTM given its gates; which entries a softmax normalises), and those are proved by
running the real torch function on the CPU with the card's numbers. Each function here is callable from
a card's ``truth.read`` / ``truth.holds`` formula; its name must also be listed in
``studycards.layer_names.COMPUTE_FUNCTIONS`` so decks can be validated without importing torch.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import torch

from studycards.errors import FormulaError
from studycards.formula import render_value
from studycards.truth_budget import check_deadline, require_bytes

PRECISION = 10**9  # computed floats come back as fractions with this denominator bound
MAX_EMBED_DIM = 1 << 20  # attention on meta allocates nothing, but torch's sizes must stay well within int64


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
    # torch orders the gates input, forget, cell (candidate), output.
    return _cell_with_biases([_logit(float(i)), _logit(float(f)), math.atanh(float(g)), _logit(float(o))], c_prev)


def lstm_preact_step(zi: Any, zf: Any, zg: Any, zo: Any, c_prev: Any) -> tuple[Fraction, Fraction]:
    """(h_t, c_t) from ``torch.nn.LSTMCell`` given the gates' pre-activations, not their values.

    Like ``lstm_step`` but the biases are the raw pre-activations, so torch itself applies sigmoid to
    the input, forget and output gates and tanh to the candidate: a card asking which activation each
    gate uses is proved by torch, not by the deck's own formula.
    """
    return _cell_with_biases([float(zi), float(zf), float(zg), float(zo)], c_prev)


def _cell_with_biases(biases: list[float], c_prev: Any) -> tuple[Fraction, Fraction]:
    """One step of a 1-unit ``LSTMCell`` with zero weights: each gate's pre-activation is its bias."""
    check_deadline()
    cell = torch.nn.LSTMCell(1, 1, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.zero_()
        cell.weight_hh.zero_()
        cell.bias_hh.zero_()
        cell.bias_ih.copy_(torch.tensor(biases, dtype=torch.float64))
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
    check_deadline()
    if not isinstance(shape, tuple) or not shape or len(shape) > 6 or math.prod(shape) > 1_000_000:
        raise FormulaError("softmax_sums needs a small shape tuple (at most 6 dims, 1e6 entries)")
    # The input, softmax's output and its exponentials, in float64.
    require_bytes(3 * 8 * math.prod(shape), f"softmax_sums({render_value(shape)}, {render_value(dim)})")
    generator = torch.Generator().manual_seed(0)
    with _one_thread():
        x = torch.randn(*shape, generator=generator, dtype=torch.float64)
        sums = torch.softmax(x, dim=int(dim)).sum(dim=int(dim))
        ones = int(torch.isclose(sums, torch.ones_like(sums)).sum().item())
    return ones, tuple(sums.shape)


def _whole_size(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Fraction) or value != int(value) or value < 1:
        raise FormulaError(f"{what} must be a whole number ≥ 1, got {value}")
    return int(value)


def _small_shape(shape: Any, what: str) -> tuple[int, ...]:
    if not isinstance(shape, tuple) or not 1 <= len(shape) <= 4:
        raise FormulaError(f"{what} must be a shape tuple of 1 to 4 sizes")
    sizes = tuple(_whole_size(s, what) for s in shape)
    if math.prod(sizes) > 1_000_000:
        raise FormulaError(f"{what} {sizes} is too large (at most 1e6 entries)")
    return sizes


@contextlib.contextmanager
def _one_thread():
    """Run tiny tensor work on one thread: on a busy machine (CI's 2 cores) waking an OpenMP pool for
    a 4×64 matmul costs ~10× more than the arithmetic. The caller's thread count is restored."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@functools.lru_cache(maxsize=1024)
def attention_weights(
    embed_dim: Any, num_heads: Any, query: Any, key: Any, value: Any, attn_mask: Any = (), average: Any = True
) -> tuple[int, ...]:
    """Shape of the attention weights ``nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)``
    returns for these input shapes, or ``()`` when torch refuses them.

    Meta counting cannot pass forward-time options, so this calls the real layer itself with
    ``average_attn_weights=average`` and, when ``attn_mask`` is a shape, a boolean mask of that shape:
    torch's own shape checks decide which masks (and which key/value lengths) it accepts. Only shapes
    matter, so the layer and its inputs live on the meta device: nothing is allocated, whatever the sizes
    (a real ``MultiheadAttention(16384, 1)`` would take 4 GB).
    """
    check_deadline()
    d, h = _whole_size(embed_dim, "embed_dim"), _whole_size(num_heads, "num_heads")
    if d % h:
        raise FormulaError(f"embed_dim {d} is not divisible by num_heads {h}")
    if d > MAX_EMBED_DIM:
        raise FormulaError(f"embed_dim {d} is larger than {MAX_EMBED_DIM:,}")
    shapes = [_small_shape(s, name) for s, name in ((query, "query"), (key, "key"), (value, "value"))]
    with torch.device("meta"):
        mask = None
        if attn_mask != ():
            mask = torch.zeros(*_small_shape(attn_mask, "attn_mask"), dtype=torch.bool)
        tensors = [torch.empty(*shape) for shape in shapes]
    layer = _meta_attention(d, h)
    try:
        with torch.no_grad():
            _, weights = layer(*tensors, attn_mask=mask, average_attn_weights=bool(average))
    except (RuntimeError, AssertionError, ValueError):  # torch refused the shapes: that is the answer
        return ()
    return tuple(weights.shape)


@functools.lru_cache(maxsize=64)
def _meta_attention(embed_dim: int, num_heads: int) -> torch.nn.MultiheadAttention:
    """The layer ``attention_weights`` runs, built once per size: a card's seeds pass one layer many
    shapes, and a pass on meta leaves the layer as it was."""
    with torch.device("meta"):
        return torch.nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)


@functools.lru_cache(maxsize=256)
def attention_scale(embed_dim: Any, num_heads: Any) -> Fraction:
    """The number ``nn.MultiheadAttention(embed_dim, num_heads)`` divides its dot-product scores by.

    Projections are set to the identity, one query (1, 0, …) meets two keys, (1, 0, …) and 0: head 0's
    scores are 1/s and 0, so its weight on the first key is sigmoid(1/s), and s = 1/logit(weight).

    The layer's four d×d float64 weights are real memory (32 MB at d = 1024), so the size is checked
    against the truth budget before anything is allocated; the layer is built on meta and given
    uninitialised CPU storage that is then set to the identity in place (no random init, no copies).
    """
    check_deadline()
    d, h = _whole_size(embed_dim, "embed_dim"), _whole_size(num_heads, "num_heads")
    if d % h:
        raise FormulaError(f"embed_dim {d} is not divisible by num_heads {h}")
    # Four d×d weights (query, key, value, output), three d-vector projections of 3 tokens, in float64.
    require_bytes(8 * (4 * d * d + 16 * d), f"attention_scale({d}, {h})")
    with torch.device("meta"):
        layer = torch.nn.MultiheadAttention(d, h, bias=False, batch_first=True, dtype=torch.float64)
    layer = layer.to_empty(device="cpu")
    query = torch.zeros(1, 1, d, dtype=torch.float64)
    query[0, 0, 0] = 1.0
    keys = torch.zeros(1, 2, d, dtype=torch.float64)
    keys[0, 0, 0] = 1.0
    with torch.no_grad(), _one_thread():
        for weight in (*layer.in_proj_weight.view(3, d, d), layer.out_proj.weight):
            weight.zero_().fill_diagonal_(1.0)
        _, weights = layer(query, keys, keys, average_attn_weights=False)
    first = weights[0, 0, 0, 0].item()
    return _exact(1 / math.log(first / (1 - first)))


COMPUTE: dict[str, Callable[..., Any]] = {
    "lstm_step": lstm_step,
    "lstm_preact_step": lstm_preact_step,
    "softmax_sums": softmax_sums,
    "attention_weights": attention_weights,
    "attention_scale": attention_scale,
}
