"""`studycards count` refuses bad layers and inputs in one line, in CPU torch's terms, naming the layer."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _error(run_cli, *args: str) -> str:
    result = run_cli("count", *args)
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert len(lines[0]) <= 260, lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("spec", "shape", "expected"),
    [
        ("Conv2d(3,8,3,stride=0)", "1,3,8,8", "studycards: Conv2d(3, 8, 3, stride=0): stride must be positive"),
        ("Conv2d(3,8,3)", "1,4,8,8",
         "studycards: Conv2d(3, 8, 3) on input (1, 4, 8, 8): expected 3 input channels, got 4"),
        ("Conv2d(3,8,3)", "1,3,8,8;1,3,8,8", "studycards: Conv2d(3, 8, 3) takes one input, got 2"),
        ("Conv2d(3, 8, 3, padding=-1)", "1,3,8,8",
         "studycards: Conv2d(3, 8, 3, padding=-1): padding must not be negative"),
        ("MaxPool2d(2, stride=0)", "1,3,8,8", "studycards: MaxPool2d(2, stride=0): stride must be positive"),
        ("Linear(3, 4)", "2,5",
         "studycards: Linear(3, 4) on input (2, 5): expected 3 input features (the last size), got 5"),
        ("Conv1d(3, 8, 3)", "8",
         "studycards: Conv1d(3, 8, 3) on input (8,): expected a 2-D (unbatched) or 3-D (batched) input, got (8,)"),
        (
            "Sequential(Conv2d(3, 8, 3), Flatten(), Linear(100, 2))",
            "1,3,8,8",
            "studycards: Sequential(Conv2d(3, 8, 3), Flatten(), Linear(100, 2)) on input (1, 3, 8, 8): "
            "layer 2 (Linear): "
            "expected 100 input features (the last size), got 288",
        ),
        ("resnet18", "1,4,224,224", "studycards: resnet18 on input (1, 4, 224, 224): "
         "layer conv1 (Conv2d): expected 3 input channels, got 4"),
    ],
)  # fmt: skip
def test_a_refused_input_is_one_line_naming_the_layer_and_the_problem(run_cli, spec, shape, expected):
    assert _error(run_cli, spec, "--input", shape) == expected


def test_too_few_inputs_name_what_is_missing(run_cli):
    line = _error(run_cli, "MultiheadAttention(4, 2)", "--input", "1,2,4")
    assert line == "studycards: MultiheadAttention(4, 2) takes 3 inputs, got 1 (missing key and value)"


def test_a_thousand_inputs_are_counted_not_echoed(run_cli):
    line = _error(run_cli, "Linear(10, 1)", "--input", ";".join(["1,10"] * 1000))
    assert line == "studycards: Linear(10, 1) takes one input, got 1000"


def test_a_huge_number_is_shortened(run_cli):
    line = _error(run_cli, "Linear(1e308*10, 1)")
    assert "(310 digits)" in line and "0000000000000000000000000" not in line


def test_a_repeated_sequential_is_one_line(run_cli):
    line = _error(run_cli, "Sequential(ReLU())*1000000")
    assert line.startswith("studycards: cannot build Sequential(ReLU())*1000000: ")
    assert "needs numbers, got a Sequential" in line


def test_a_long_spec_is_cut_so_the_problem_stays_visible(run_cli):
    layers = ", ".join(["Conv2d(8, 8, 3, padding=1)"] * 20)
    line = _error(run_cli, f"Sequential(Conv2d(3, 8, 3), {layers})", "--input", "1,4,32,32")
    assert line.endswith("layer 0 (Conv2d): expected 3 input channels, got 4")
    assert "…" in line


def test_a_long_input_shape_is_not_echoed_whole(run_cli):
    line = _error(run_cli, "Linear(3, 4)", "--input", ",".join(["1"] * 3000))
    assert "must be 1 to 8 whole sizes" in line


def test_torch_warnings_do_not_reach_stderr(home):
    result = subprocess.run(
        [sys.executable, "-m", "studycards", "--home", str(home), "count", "Linear(0, 0)", "--input", "1,0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert "total parameters: 0" in result.stdout


def test_a_parent_row_says_it_holds_only_its_own_parameters(run_cli):
    result = run_cli("count", "MultiheadAttention(512, 8)")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[2].startswith("MultiheadAttention (own params: in_proj)")
    assert lines[2].split()[-1] == f"{3 * (512 * 512 + 512):,}"
    assert lines[3].startswith("  out_proj ") and lines[3].split()[-1] == f"{512 * 512 + 512:,}"
    assert "total parameters: 1,050,624" in result.stdout


def test_child_rows_are_indented_under_their_parent_and_still_add_up(run_cli):
    import json

    result = run_cli("count", "resnet18")
    lines = result.stdout.splitlines()
    layer1 = lines.index(next(line for line in lines if line.startswith("layer1 ")))
    assert lines[layer1].split() == ["layer1", "Sequential"]  # a container: no count of its own
    assert lines[layer1 + 1].split() == ["0", "BasicBlock"] and lines[layer1 + 1].startswith("  0 ")
    assert lines[layer1 + 2].startswith("    conv1 ")
    data = json.loads(run_cli("count", "resnet18", "--json").stdout)
    assert sum(layer["params"] for layer in data["layers"]) == data["params"] == 11_689_512
    depths = {layer["name"]: layer["depth"] for layer in data["layers"]}
    assert depths["conv1"] == 0 and depths["layer1.0.conv1"] == 2 and depths["layer2.0.downsample.0"] == 3
