"""Named networks match torchvision's published totals; blocks match hand-counted formulas.

Everything is built on the meta device (shapes, no storage), except one small real CPU forward per block
that checks meta shape propagation agrees with actual computation.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from studycards import layer_names
from studycards.architectures import (
    ARCHITECTURES,
    BLOCKS,
    DEFAULT_INPUT,
    BasicBlock,
    BasicConv2d,
    Bottleneck,
    DenseBlock,
    DenseLayer,
    Inception,
    InceptionNaive,
    Transition,
    build_architecture,
)
from studycards.errors import SpecError

# torchvision's model cards (weights.meta["num_params"]); alexnet-2gpu is checked layer by layer below.
PUBLISHED_TOTALS = {
    "alexnet": 61_100_840,
    "alexnet-2gpu": 60_965_224,
    "vgg11": 132_863_336,
    "vgg13": 133_047_848,
    "vgg16": 138_357_544,
    "vgg19": 143_667_240,
    "vgg11_bn": 132_868_840,
    "vgg13_bn": 133_053_736,
    "vgg16_bn": 138_365_992,
    "vgg19_bn": 143_678_248,
    "googlenet": 6_624_904,
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "densenet121": 7_978_856,
    "densenet169": 14_149_480,
    "densenet201": 20_013_928,
    "densenet161": 28_681_000,
}


def params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def on_meta(factory, *args, **kwargs) -> nn.Module:
    with torch.device("meta"):
        return factory(*args, **kwargs)


def meta_forward(module: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Output shape in eval mode, as the counter measures: training-mode BN rejects a 1×1 batch of one."""
    return tuple(module.eval()(torch.empty(shape, device="meta")).shape)


def bn(channels: int) -> int:
    """A BatchNorm2d's learnable weight and bias."""
    return 2 * channels


@pytest.fixture(scope="module")
def built() -> dict[str, nn.Module]:
    """Each named network built once on meta, shared by the tests below."""
    return {name: on_meta(build_architecture, name) for name in ARCHITECTURES}


def test_every_name_has_a_published_total() -> None:
    assert set(ARCHITECTURES) == set(PUBLISHED_TOTALS)


@pytest.mark.parametrize("name", sorted(PUBLISHED_TOTALS))
def test_total_equals_published(built: dict[str, nn.Module], name: str) -> None:
    model = built[name]
    assert all(p.device.type == "meta" for p in model.parameters())
    assert params(model) == PUBLISHED_TOTALS[name]


@pytest.mark.parametrize("name", sorted(PUBLISHED_TOTALS))
def test_imagenet_output_shape(built: dict[str, nn.Module], name: str) -> None:
    assert DEFAULT_INPUT == (1, 3, 224, 224)
    assert meta_forward(built[name], DEFAULT_INPUT) == (1, 1000)


@pytest.mark.parametrize(
    ("name", "module_name", "shape"),
    [
        ("alexnet", "features", (1, 256, 6, 6)),
        ("alexnet-2gpu", "features", (1, 256, 6, 6)),
        ("vgg16", "features", (1, 512, 7, 7)),
        ("googlenet", "inception3a", (1, 256, 28, 28)),
        ("googlenet", "maxpool4", (1, 832, 7, 7)),
        ("googlenet", "inception5b", (1, 1024, 7, 7)),
        ("resnet18", "layer1", (1, 64, 56, 56)),
        ("resnet50", "layer1", (1, 256, 56, 56)),
        ("resnet50", "layer4", (1, 2048, 7, 7)),
        ("densenet121", "features.denseblock1", (1, 256, 56, 56)),
        ("densenet121", "features.transition1", (1, 128, 28, 28)),
        ("densenet121", "features.norm5", (1, 1024, 7, 7)),
        ("densenet169", "features.norm5", (1, 1664, 7, 7)),
    ],
)
def test_intermediate_shapes_match_torchvision(
    built: dict[str, nn.Module], name: str, module_name: str, shape: tuple[int, ...]
) -> None:
    model = built[name]
    seen: list[tuple[int, ...]] = []
    hook = model.get_submodule(module_name).register_forward_hook(lambda _m, _i, out: seen.append(out.shape))
    try:
        meta_forward(model, DEFAULT_INPUT)
    finally:
        hook.remove()
    assert [tuple(s) for s in seen] == [shape]


@pytest.mark.parametrize(
    ("name", "module_names"),
    [
        ("alexnet", ["features.0", "features.10", "avgpool", "classifier.6"]),
        ("vgg16", ["features.28", "classifier.0", "classifier.6"]),
        ("googlenet", ["conv1.conv", "inception3a.branch2.1.conv", "inception5b.branch4.1.bn", "fc"]),
        ("resnet50", ["conv1", "bn1", "layer1.0.downsample.0", "layer4.2.conv3", "fc"]),
        ("resnet18", ["layer2.0.downsample.1", "layer4.1.bn2"]),
        (
            "densenet121",
            [
                "features.conv0",
                "features.denseblock1.denselayer1.conv1",
                "features.denseblock4.denselayer16.conv2",
                "features.transition3.pool",
                "classifier",
            ],
        ),
    ],
)
def test_module_names_follow_torchvision(
    built: dict[str, nn.Module], name: str, module_names: list[str]
) -> None:
    found = dict(built[name].named_modules())
    assert [n for n in module_names if n not in found] == []


def test_resnet18_has_no_projection_in_its_first_stage(built: dict[str, nn.Module]) -> None:
    model = built["resnet18"]
    assert model.layer1[0].downsample is None
    assert model.layer2[0].downsample is not None


def test_alexnet_2gpu_is_the_sum_of_its_layers(built: dict[str, nn.Module]) -> None:
    """The two-GPU AlexNet of Krizhevsky et al. 2012, counted by hand (weights + biases):

    conv1  11·11·3·48·2   + 96   =     34,944   (sees all 3 input channels)
    conv2  5·5·48·128·2   + 256  =    307,456   (each half sees its own 48 channels)
    conv3  3·3·128·2·192·2 + 384 =    885,120   (crosses between GPUs)
    conv4  3·3·192·192·2  + 384  =    663,936
    conv5  3·3·192·128·2  + 256  =    442,624
    fc6    256·6·6·4096   + 4096 = 37,752,832
    fc7    4096·4096      + 4096 = 16,781,312
    fc8    4096·1000      + 1000 =  4,097,000
    total                        = 60,965,224
    """
    by_hand = [
        11 * 11 * 3 * 48 * 2 + 96,
        5 * 5 * 48 * 128 * 2 + 256,
        3 * 3 * 128 * 2 * 192 * 2 + 384,
        3 * 3 * 192 * 192 * 2 + 384,
        3 * 3 * 192 * 128 * 2 + 256,
        256 * 6 * 6 * 4096 + 4096,
        4096 * 4096 + 4096,
        4096 * 1000 + 1000,
    ]
    assert by_hand == [34_944, 307_456, 885_120, 663_936, 442_624, 37_752_832, 16_781_312, 4_097_000]
    assert sum(by_hand) == 60_965_224
    model = built["alexnet-2gpu"]
    layers = [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    assert [params(m) for m in layers] == by_hand
    assert [m.groups for m in layers if isinstance(m, nn.Conv2d)] == [1, 2, 1, 2, 2]


@pytest.mark.parametrize("name", ["alexnet", "googlenet", "densenet121", "resnet18"])
def test_training_mode_forward_also_runs_on_meta(name: str) -> None:
    """Dropout and batch-norm statistics updates must not need real data either."""
    model = on_meta(build_architecture, name).train()
    assert tuple(model(torch.empty(2, 3, 224, 224, device="meta")).shape) == (2, 1000)


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(SpecError) as caught:
        build_architecture("resnet51")
    message = str(caught.value)
    assert "'resnet51'" in message and "did you mean 'resnet50'" in message
    assert "\n" not in message


def test_unknown_name_with_nothing_close_lists_the_known() -> None:
    with pytest.raises(SpecError) as caught:
        build_architecture("transformer")
    assert "did you mean" not in str(caught.value)
    assert "densenet121" in str(caught.value)


def test_names_agree_with_layer_names() -> None:
    """The torch-free name lists the deck loader checks against must match what is built here."""
    assert set(BLOCKS) == layer_names.BLOCKS
    assert all(BLOCKS[name].__name__ == name for name in BLOCKS)
    assert set(ARCHITECTURES) >= layer_names.ARCHITECTURE_NAMES


# ---------------------------------------------------------------------------------------------- blocks


def test_basic_conv2d() -> None:
    block = on_meta(BasicConv2d, 16, 32, 3, stride=2, padding=1)
    assert params(block) == 3 * 3 * 16 * 32 + bn(32)
    assert block.bn.eps == 0.001
    assert meta_forward(block, (2, 16, 9, 9)) == (2, 32, 5, 5)


def test_inception_3a_with_paper_5x5() -> None:
    block = on_meta(Inception, 192, 64, 96, 128, 16, 32, 32)
    weights = 192 * 64 + 192 * 96 + 3 * 3 * 96 * 128 + 192 * 16 + 5 * 5 * 16 * 32 + 192 * 32
    assert params(block) == weights + bn(64 + 96 + 128 + 16 + 32 + 32)
    assert block.branch3[1].conv.kernel_size == (5, 5)
    assert meta_forward(block, (1, 192, 28, 28)) == (1, 64 + 128 + 32 + 32, 28, 28)


def test_inception_torchvision_3x3_quirk() -> None:
    block = on_meta(Inception, 192, 64, 96, 128, 16, 32, 32, k5=3)
    weights = 192 * 64 + 192 * 96 + 3 * 3 * 96 * 128 + 192 * 16 + 3 * 3 * 16 * 32 + 192 * 32
    assert params(block) == weights + bn(64 + 96 + 128 + 16 + 32 + 32)
    assert meta_forward(block, (1, 192, 28, 28)) == (1, 256, 28, 28)


def test_inception_paper_units_have_bias_and_no_bn() -> None:
    block = on_meta(Inception, 192, 64, 96, 128, 16, 32, 32, basic=False)
    weights = 192 * 64 + 192 * 96 + 5 * 5 * 16 * 32 + 3 * 3 * 96 * 128 + 192 * 16 + 192 * 32
    assert params(block) == weights + (64 + 96 + 128 + 16 + 32 + 32)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in block.modules())
    assert meta_forward(block, (1, 192, 28, 28)) == (1, 256, 28, 28)


def test_inception_naive_passes_pool_channels_through() -> None:
    block = on_meta(InceptionNaive, 192, 64, 128, 32)
    assert params(block) == (192 * 64 + 64) + (3 * 3 * 192 * 128 + 128) + (5 * 5 * 192 * 32 + 32)
    assert meta_forward(block, (1, 192, 28, 28)) == (1, 64 + 128 + 32 + 192, 28, 28)


def test_reductions_save_parameters() -> None:
    """The point of fig. 2b: the same output widths cost far less with 1×1 reductions in front."""
    naive = on_meta(InceptionNaive, 192, 64, 128, 32)
    reduced = on_meta(Inception, 192, 64, 96, 128, 16, 32, 32, basic=False)
    assert params(reduced) < params(naive) // 2


def test_basic_block_identity() -> None:
    block = on_meta(BasicBlock, 64, 64)
    assert block.downsample is None
    assert params(block) == 2 * (3 * 3 * 64 * 64) + bn(64) * 2
    assert meta_forward(block, (1, 64, 56, 56)) == (1, 64, 56, 56)


def test_basic_block_with_projection() -> None:
    block = on_meta(BasicBlock, 64, 128, stride=2)
    assert params(block) == 3 * 3 * 64 * 128 + 3 * 3 * 128 * 128 + 1 * 1 * 64 * 128 + bn(128) * 3
    assert meta_forward(block, (1, 64, 56, 56)) == (1, 128, 28, 28)


def test_bottleneck_identity() -> None:
    block = on_meta(Bottleneck, 256, 64)
    assert block.downsample is None and Bottleneck.expansion == 4
    assert params(block) == 1 * 1 * 256 * 64 + 3 * 3 * 64 * 64 + 1 * 1 * 64 * 256 + bn(64) + bn(64) + bn(256)
    assert meta_forward(block, (1, 256, 56, 56)) == (1, 256, 56, 56)


def test_bottleneck_projection_on_channels_alone() -> None:
    block = on_meta(Bottleneck, 64, 64)
    projection = 1 * 1 * 64 * 256 + bn(256)
    assert params(block) == 64 * 64 + 3 * 3 * 64 * 64 + 64 * 256 + bn(64) * 2 + bn(256) + projection
    assert meta_forward(block, (1, 64, 56, 56)) == (1, 256, 56, 56)


def test_bottleneck_strides_on_the_3x3() -> None:
    block = on_meta(Bottleneck, 256, 128, stride=2)
    assert block.conv1.stride == (1, 1) and block.conv2.stride == (2, 2)
    assert block.downsample[0].stride == (2, 2)
    assert meta_forward(block, (1, 256, 56, 56)) == (1, 512, 28, 28)


def dense_layer_params(in_ch: int, growth: int, bn_size: int = 4) -> int:
    width = bn_size * growth
    return bn(in_ch) + in_ch * width + bn(width) + 3 * 3 * width * growth


def test_dense_layer() -> None:
    layer = on_meta(DenseLayer, 64, 32)
    assert params(layer) == 2 * 64 + 64 * 128 + 2 * 128 + 3 * 3 * 128 * 32
    assert meta_forward(layer, (1, 64, 56, 56)) == (1, 96, 56, 56)


def test_dense_block_first_of_densenet121() -> None:
    block = on_meta(DenseBlock, 6, 64, 32)
    assert [name for name, _ in block.named_children()] == [f"denselayer{i}" for i in range(1, 7)]
    assert params(block) == sum(dense_layer_params(64 + 32 * i, 32) for i in range(6))
    assert meta_forward(block, (1, 64, 56, 56)) == (1, 64 + 6 * 32, 56, 56)


def test_transition() -> None:
    block = on_meta(Transition, 256, 128)
    assert params(block) == bn(256) + 256 * 128
    assert meta_forward(block, (1, 256, 56, 56)) == (1, 128, 28, 28)


@settings(max_examples=40, deadline=None)
@given(
    num_layers=st.integers(0, 5),
    in_ch=st.integers(1, 24),
    growth=st.integers(1, 16),
    bn_size=st.integers(1, 4),
    side=st.integers(1, 9),
)
def test_dense_block_channels_grow_linearly(
    num_layers: int, in_ch: int, growth: int, bn_size: int, side: int
) -> None:
    block = on_meta(DenseBlock, num_layers, in_ch, growth, bn_size=bn_size)
    assert params(block) == sum(
        dense_layer_params(in_ch + i * growth, growth, bn_size) for i in range(num_layers)
    )
    assert meta_forward(block, (1, in_ch, side, side)) == (1, in_ch + num_layers * growth, side, side)


@settings(max_examples=40, deadline=None)
@given(
    widths=st.lists(st.integers(1, 12), min_size=7, max_size=7),
    k5=st.sampled_from([3, 5]),
    side=st.integers(1, 9),
)
def test_inception_output_is_the_sum_of_its_branches(widths: list[int], k5: int, side: int) -> None:
    in_ch, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj = widths
    block = on_meta(Inception, *widths, k5=k5)
    weights = (
        in_ch * (ch1x1 + ch3x3red + ch5x5red + pool_proj) + 9 * ch3x3red * ch3x3 + k5 * k5 * ch5x5red * ch5x5
    )
    assert params(block) == weights + bn(ch1x1 + ch3x3red + ch3x3 + ch5x5red + ch5x5 + pool_proj)
    assert meta_forward(block, (1, in_ch, side, side)) == (1, ch1x1 + ch3x3 + ch5x5 + pool_proj, side, side)


@pytest.mark.parametrize(
    ("factory", "args", "shape"),
    [
        (Inception, (16, 8, 4, 8, 2, 4, 4), (1, 16, 8, 8)),
        (InceptionNaive, (16, 8, 8, 4), (1, 16, 8, 8)),
        (BasicBlock, (16, 32, 2), (1, 16, 8, 8)),
        (Bottleneck, (16, 8, 2), (1, 16, 8, 8)),
        (DenseBlock, (3, 16, 4), (1, 16, 8, 8)),
        (Transition, (16, 8), (1, 16, 8, 8)),
    ],
)
def test_real_cpu_forward_agrees_with_meta(factory, args: tuple[int, ...], shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    real = factory(*args).eval()
    with torch.no_grad():
        out = real(torch.randn(shape))
    assert torch.isfinite(out).all()
    assert tuple(out.shape) == meta_forward(on_meta(factory, *args), shape)
    assert params(real) == params(on_meta(factory, *args))
