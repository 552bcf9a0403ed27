"""Recurrent layers are measured on a short sequence: the shapes must equal torch's full run, and be fast."""

from __future__ import annotations

import time

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from studycards.flops import FlopTally
from studycards.ground_truth import count
from studycards.short_sequence import shorten_sequences


def _shapes(result) -> list[tuple[int, ...]]:
    if isinstance(result, torch.Tensor):
        return [tuple(result.shape)]
    return [shape for item in result for shape in _shapes(item)]


def _run(layer: nn.Module, shape: tuple[int, ...], short: bool) -> tuple[list[tuple[int, ...]], int | None] | str:
    """What torch returns (its shapes and FLOPs), or how it refuses, with or without the short sequence."""
    tally = FlopTally(layer)
    handles = shorten_sequences(layer, tally.stretch) if short else []
    try:
        with tally.counting(), torch.no_grad():
            shapes = _shapes(layer(torch.empty(shape, device="meta")))
        return shapes, tally.total
    except Exception as error:  # torch's refusal must be the same refusal
        return f"{type(error).__name__}: {error}"
    finally:
        for handle in handles:
            handle.remove()


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["RNN", "LSTM", "GRU"]),
    input_size=st.integers(1, 6),
    hidden=st.integers(2, 6),
    layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    proj=st.integers(0, 3),
    batch=st.integers(1, 3),
    length=st.integers(0, 9),
    unbatched=st.booleans(),
    feature_slip=st.sampled_from([0, 0, 0, 1]),
)
def test_short_sequence_shapes_and_flops_equal_a_full_run(
    kind, input_size, hidden, layers, bidirectional, batch_first, proj, batch, length, unbatched, feature_slip
):
    options = {"num_layers": layers, "bidirectional": bidirectional, "batch_first": batch_first}
    if kind == "LSTM" and proj and proj < hidden:
        options["proj_size"] = proj
    with torch.device("meta"):
        layer = getattr(nn, kind)(input_size, hidden, **options)
    features = input_size + feature_slip  # sometimes a wrong feature size: torch's error must come through
    batched = (batch, length, features) if batch_first else (length, batch, features)
    shape = (length, features) if unbatched else batched
    assert _run(layer, shape, short=True) == _run(layer, shape, short=False)


def test_a_long_sequence_is_counted_fast_with_the_full_length():
    count("LSTM(8, 8, 2)", "50,1,8")  # torch's one-time meta start-up is not what this measures
    started = time.perf_counter()
    result = count("LSTM(8, 8, 2)", "5000,1,8")
    assert time.perf_counter() - started < 1.0
    assert result.outputs == ((5000, 1, 8), (2, 1, 8), (2, 1, 8))
    assert result.params == 1152
    assert result.layers[0].output_shape == (5000, 1, 8)
    assert result.flops == 5000 * 2 * (2 * 8 * 32 + 2 * 8 * 32)  # each step, each layer: x·W_ih and h·W_hh


def test_a_long_batch_first_bidirectional_gru_keeps_its_layout():
    result = count("GRU(8, 16, 3, batch_first=True, bidirectional=True)", "4,7000,8")
    assert result.outputs == ((4, 7000, 32), (6, 4, 16))
