"""The torch counter: meta-device counts agree with real CPU layers, and bad specs are one-line errors."""

from __future__ import annotations

import json

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards import count
from studycards.errors import SpecError
from studycards.layer_names import ARCHITECTURE_NAMES, BLOCKS, TORCH_LAYERS
from studycards.layer_spec import spec_functions


def cpu_count(module: torch.nn.Module, shape: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
    """What a real CPU build says: parameters, and the output shape of an actual forward pass."""
    module.eval()
    with torch.no_grad():
        out = module(torch.randn(*shape))
    return sum(p.numel() for p in module.parameters()), tuple(out.shape)


@settings(max_examples=40, deadline=None)
@given(
    c=st.integers(1, 8), o=st.integers(1, 8), k=st.integers(1, 5), s=st.integers(1, 3),
    p=st.integers(0, 2), d=st.integers(1, 2), i=st.integers(12, 24), bias=st.booleans(),
)
def test_meta_conv_agrees_with_a_real_cpu_conv(c, o, k, s, p, d, i, bias):
    spec = f"Conv2d({c}, {o}, {k}, stride={s}, padding={p}, dilation={d}, bias={bias})"
    meta = count(spec, (1, c, i, i))
    real = torch.nn.Conv2d(c, o, k, stride=s, padding=p, dilation=d, bias=bias)
    assert (meta.params, meta.output_shape) == cpu_count(real, (1, c, i, i))


@pytest.mark.parametrize(
    ("spec", "module", "shape"),
    [
        ("Linear(20, 7)", torch.nn.Linear(20, 7), (3, 20)),
        ("MaxPool2d(3, stride=2)", torch.nn.MaxPool2d(3, stride=2), (1, 4, 15, 15)),
        ("AvgPool2d(2)", torch.nn.AvgPool2d(2), (1, 4, 9, 9)),
        ("AdaptiveAvgPool2d((3, 3))", torch.nn.AdaptiveAvgPool2d((3, 3)), (1, 4, 9, 9)),
        ("ConvTranspose2d(4, 2, 3, stride=2)", torch.nn.ConvTranspose2d(4, 2, 3, stride=2), (1, 4, 5, 5)),
        ("Conv1d(3, 5, 3, groups=1)", torch.nn.Conv1d(3, 5, 3), (2, 3, 11)),
        ("BatchNorm2d(6)", torch.nn.BatchNorm2d(6), (2, 6, 4, 4)),
        ("LayerNorm(10)", torch.nn.LayerNorm(10), (2, 5, 10)),
        ("Sequential(Conv2d(3, 6, 3), ReLU(), Flatten(), Linear(6*6*6, 10))",
         torch.nn.Sequential(torch.nn.Conv2d(3, 6, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                             torch.nn.Linear(216, 10)), (1, 3, 8, 8)),
        ("GRU(6, 4, num_layers=2, batch_first=True)", torch.nn.GRU(6, 4, num_layers=2, batch_first=True),
         (3, 5, 6)),
    ],
)
def test_meta_layers_agree_with_real_cpu_layers(spec, module, shape):
    meta = count(spec, shape)
    params, out_shape = (sum(p.numel() for p in module.parameters()), None)
    with torch.no_grad():
        out = module.eval()(torch.randn(*shape))
    out_shape = tuple((out[0] if isinstance(out, tuple) else out).shape)
    assert (meta.params, meta.output_shape) == (params, out_shape)


def test_lstm_bidirectional_counts_two_bias_vectors_per_direction():
    x, h, layers = 10, 20, 2
    first = 4 * (h * (x + h) + 2 * h)
    second = 4 * (h * (2 * h + h) + 2 * h)  # layer 2 sees both directions' outputs: 2h inputs
    result = count(f"LSTM({x}, {h}, num_layers={layers}, bidirectional=True, batch_first=True)", (4, 7, x))
    assert result.params == 2 * (first + second)
    assert result.outputs == ((4, 7, 2 * h), (2 * layers, 4, h), (2 * layers, 4, h))


def test_named_architectures_use_the_default_input_and_match_torchvision():
    assert count("alexnet").params == 61_100_840
    assert count("vgg16").params == 138_357_544
    assert count("resnet50").params == 25_557_032
    assert count("resnet50").output_shape == (1, 1000)


def test_layer_table_rows_sum_to_the_total():
    result = count("resnet18")
    assert sum(layer.params for layer in result.layers) == result.params == 11_689_512
    assert result.layers[0].name == "conv1" and result.layers[0].output_shape == (1, 64, 112, 112)


def test_attention_rows_include_its_own_projection_and_sum_to_the_total():
    d, h = 16, 4
    result = count(f"MultiheadAttention({d}, {h}, batch_first=True)", "2,5,16;2,7,16;2,7,16")
    assert result.params == 4 * d * d + 4 * d
    assert sum(layer.params for layer in result.layers) == result.params
    assert result.outputs == ((2, 5, d), (2, 5, 7))


def test_spec_vocabulary_matches_the_torch_free_name_lists():
    assert set(spec_functions()) == TORCH_LAYERS | BLOCKS | {"Concat", "Residual", "MatMul"}
    from studycards.architectures import ARCHITECTURES

    assert set(ARCHITECTURES) >= ARCHITECTURE_NAMES


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("__import__('os').system('touch pwned')", "not allowed"),
        ("Conv2d.__init__", "not allowed"),
        ("Conv9d(3, 8, 3)", "did you mean 'Conv"),
        ("Conv2d(3, 8", "never closed"),
        ("Conv2d(3, 8, 3, device='cuda')", "'device' is not allowed"),
        ("LSTM(10, 10, num_layers=100000)", "num_layers"),
        ("LSTM(10, 10, 100000)", "num_layers"),
        ("DenseBlock(100000, 8, 4)", "num_layers"),
        ("Linear(10**30, 2)", "too large"),
        ("Conv2d(3, 8, -1)", "Conv2d(...)"),
        ("resnet51", "did you mean 'resnet50'"),
        ("Conv2d(c, 8, 3)", "unknown name 'c'"),
    ],
)
def test_hostile_or_malformed_specs_are_one_line_errors(spec, fragment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as caught:
        count(spec, (1, 3, 8, 8))
    assert fragment in str(caught.value) and "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_input_that_torch_refuses_is_an_error_naming_the_input():
    with pytest.raises(SpecError, match=r"on input \(1, 1, 3, 3\)"):
        count("Conv2d(1, 1, 5)", "1,1,3,3")


def test_count_cli_json_and_table(run_cli):
    result = run_cli("count", "Conv2d(3, 8, 5, stride=2, padding=1)", "--input", "1,3,37,37", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data == {
        "params": 5 * 5 * 3 * 8 + 8,
        "output_shape": [1, 8, 18, 18],
        "flops": 2 * 5 * 5 * 3 * 8 * 18 * 18,
        "layers": [
            {
                "name": "Conv2d", "type": "Conv2d", "params": 608, "output_shape": [1, 8, 18, 18], "flops": 388800,
                "depth": 0, "own": [],
            }
        ],
    }
    table = run_cli("count", "vgg16")
    assert "total parameters: 138,357,544" in table.output
    lines = table.output.splitlines()
    classifier = next(i for i, line in enumerate(lines) if line.startswith("classifier "))
    assert lines[classifier + 1].startswith("  0 ")  # classifier.0, indented under its container


def test_count_cli_bad_spec_exits_nonzero_with_one_line(run_cli):
    from click.testing import CliRunner

    from studycards.cli import main

    result = CliRunner().invoke(main, ["count", "Conv2d(3, 8"])
    assert result.exit_code != 0
    assert result.output.strip().startswith("studycards: cannot read layer spec")
    assert len(result.output.strip().splitlines()) == 1
