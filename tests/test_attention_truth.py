"""``attention_weights`` and ``attention_scale``: forward-time facts of ``nn.MultiheadAttention`` read off torch."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.errors import FormulaError
from studycards.truth_compute import COMPUTE, attention_scale, attention_weights, softmax_sums

Q, KV = (2, 5, 16), (2, 7, 16)


def test_weights_are_averaged_over_heads_unless_asked_per_head():
    assert attention_weights(16, 4, Q, KV, KV) == (2, 5, 7)
    assert attention_weights(16, 4, Q, KV, KV, average=False) == (2, 4, 5, 7)


def test_a_value_length_other_than_the_key_length_is_refused():
    assert attention_weights(16, 4, Q, KV, (2, 6, 16)) == ()


@pytest.mark.parametrize(
    ("mask", "accepted"),
    [((5, 7), True), ((7, 5), False), ((8, 5, 7), True), ((2, 5, 7), False), ((2, 4, 5, 7), False)],
)
def test_torch_decides_which_attn_mask_shapes_fit(mask, accepted):
    assert (attention_weights(16, 4, Q, KV, KV, attn_mask=mask) == (2, 5, 7)) is accepted
    if not accepted:
        assert attention_weights(16, 4, Q, KV, KV, attn_mask=mask) == ()


@settings(max_examples=25, deadline=None)
@given(head_dim=st.integers(1, 64), heads=st.sampled_from([1, 2, 3, 4, 8]))
def test_the_scale_is_the_root_of_the_head_dimension(head_dim, heads):
    assert abs(float(attention_scale(head_dim * heads, heads)) - math.sqrt(head_dim)) < 1e-6


def test_bad_sizes_are_one_line_formula_errors():
    with pytest.raises(FormulaError, match="divisible"):
        attention_scale(10, 4)
    with pytest.raises(FormulaError, match="divisible"):
        attention_weights(10, 4, Q, KV, KV)
    with pytest.raises(FormulaError, match="query"):
        attention_weights(16, 4, (2, 0, 16), KV, KV)


def test_the_callers_thread_count_is_kept():
    before = torch.get_num_threads()
    attention_weights(32, 2, (3, 4, 32), (3, 6, 32), (3, 6, 32))
    assert softmax_sums((3, 4), 1) == (3, (3,))
    assert torch.get_num_threads() == before


def test_decks_may_call_them():
    from studycards.layer_names import COMPUTE_FUNCTIONS

    assert {"attention_weights", "attention_scale"} <= COMPUTE_FUNCTIONS
    assert COMPUTE["attention_weights"] is attention_weights and COMPUTE["attention_scale"] is attention_scale
