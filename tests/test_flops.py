"""FLOPs in `count`: torch's FlopCounterMode on meta agrees with the hand formulas, per row and in total."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import studycards
from studycards.errors import SpecError

FAST = settings(max_examples=25, deadline=None)


@FAST
@given(
    n=st.integers(1, 4),
    c=st.integers(1, 16),
    o=st.integers(1, 16),
    k=st.integers(1, 5),
    s=st.integers(1, 3),
    p=st.integers(0, 2),
    i=st.integers(5, 40),
)
def test_conv2d_flops_are_two_per_multiply_add(n, c, o, k, s, p, i):
    out = (i - k + 2 * p) // s + 1
    result = studycards.count(f"Conv2d({c}, {o}, {k}, stride={s}, padding={p})", (n, c, i, i))
    assert result.output_shape == (n, o, out, out)
    assert result.flops == 2 * k * k * c * o * out * out * n


@FAST
@given(rows=st.integers(1, 64), a=st.integers(1, 512), b=st.integers(1, 512), bias=st.booleans())
def test_linear_flops_ignore_the_bias(rows, a, b, bias):
    assert studycards.count(f"Linear({a}, {b}, bias={bias})", (rows, a)).flops == 2 * rows * a * b


@FAST
@given(batch=st.integers(1, 32), m=st.integers(1, 128), k=st.integers(1, 128), n=st.integers(1, 128))
def test_batched_matmul_flops(batch, m, k, n):
    result = studycards.count("MatMul()", f"{batch},{m},{k};{batch},{k},{n}")
    assert result.output_shape == (batch, m, n)
    assert result.flops == 2 * batch * m * k * n


def test_rows_add_up_to_the_total_and_named_networks_get_their_default_input():
    result = studycards.count("resnet50")
    assert result.flops == 8_178_368_512  # torchvision's 4.09 GFLOPS are multiply-adds: half of this
    assert sum(layer.flops for layer in result.layers) == result.flops
    assert result.layers[0].flops == 2 * 7 * 7 * 3 * 64 * 112 * 112


def test_attention_rows_keep_their_projections_and_the_n_squared_term():
    b, n, d = 2, 10, 64
    result = studycards.count("MultiheadAttention(64, 8, batch_first=True)", f"{b},{n},{d};{b},{n},{d};{b},{n},{d}")
    projections = 4 * 2 * b * n * d * d
    scores_and_mix = 2 * 2 * b * n * n * d
    assert result.flops == projections + scores_and_mix
    assert result.layers[0].flops == result.flops


def test_no_input_no_flops():
    assert studycards.count("Linear(3, 4)").flops is None


def test_count_json_has_flops_at_top_and_on_every_row(run_cli):
    result = run_cli(
        "count", "Sequential(Conv2d(3, 8, 5), ReLU(), Flatten(), Linear(200, 10))", "--input", "1,3,9,9", "--json"
    )
    data = json.loads(result.output)
    assert data["flops"] == 30000 + 4000
    assert [row["flops"] for row in data["layers"]] == [30000, 0, 0, 4000]
    without = json.loads(run_cli("count", "Linear(3, 4)", "--json").output)
    assert without["flops"] is None and without["layers"][0]["flops"] is None


def test_count_table_shows_flops_and_multiply_adds(run_cli):
    text = run_cli("count", "resnet50").output
    assert "FLOPs" in text.splitlines()[0]
    assert "total FLOPs: 8,178,368,512 = 8.18 G (4.09 G multiply-adds)" in text
    assert "FLOPs" not in run_cli("count", "Linear(3, 4)").output


# --- the whitelist grows with the decks --------------------------------------------------------------

D, H, FF = 768, 12, 3072
ATTENTION = 4 * D * D + 4 * D
FEED_FORWARD = 2 * D * FF + D + FF


@pytest.mark.parametrize(
    ("spec", "params"),
    [
        ("TransformerEncoderLayer(768, 12, 3072)", ATTENTION + FEED_FORWARD + 4 * D),
        ("TransformerEncoderLayer(768, 12, 3072, norm_first=True, batch_first=True)", ATTENTION + FEED_FORWARD + 4 * D),
        ("TransformerDecoderLayer(768, 12, 3072)", 2 * ATTENTION + FEED_FORWARD + 6 * D),
        ("TransformerEncoder(TransformerEncoderLayer(768, 12, 3072), 12)", 12 * (ATTENTION + FEED_FORWARD + 4 * D)),
        ("Embedding(50257, 768)", 50257 * 768),
        ("LayerNorm(768)", 2 * 768),
        ("LayerNorm((16, 768))", 2 * 16 * 768),
        ("GroupNorm(8, 64)", 2 * 64),
        ("InstanceNorm1d(64)", 0),
        ("InstanceNorm2d(64)", 0),
        ("InstanceNorm3d(64, affine=True)", 2 * 64),
        ("BatchNorm1d(64)", 2 * 64),
        ("BatchNorm2d(64)", 2 * 64),
        ("BatchNorm3d(64)", 2 * 64),
        ("Dropout(0.1)", 0),
        ("Sequential(Linear(768, 3072), GELU(), Linear(3072, 768), Dropout(0.1))", FEED_FORWARD),
    ],
)
def test_new_layers_count(spec, params):
    assert studycards.count(spec).params == params


def test_decoder_layer_takes_target_and_memory():
    result = studycards.count("TransformerDecoderLayer(512, 8, 2048, batch_first=True)", "2,10,512;2,7,512")
    assert result.output_shape == (2, 10, 512)


def test_batch_norm_buffers_are_counted_apart_from_parameters():
    result = studycards.count("BatchNorm2d(64)")
    assert (result.params, result.buffers) == (128, 64 + 64 + 1)


def test_stacks_stay_bounded():
    with pytest.raises(SpecError, match="more than 100"):
        studycards.count("TransformerEncoder(TransformerEncoderLayer(768, 12, 3072), 1000)")
    with pytest.raises(SpecError, match="too large"):
        studycards.count(f"Embedding({2**50}, 768)")
