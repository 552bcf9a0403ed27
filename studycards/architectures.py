"""Named CNNs and their reusable blocks, rebuilt from plain ``torch.nn`` exactly as torchvision defines them.

The ground-truth counter builds these on the ``meta`` device and reads parameter totals and output shapes
off them, so every figure a deck quotes for ``resnet50`` is torch's own. torchvision is deliberately not a
dependency: the definitions below copy its layer sizes and attribute names (``features``/``classifier``,
``conv1``/``layer1``/``fc``, ``features.denseblock1.denselayer1.conv1`` ...) so per-layer tables read like
torchvision's and totals equal its published figures (pinned in ``tests/test_architectures.py``).

Nothing here initialises weights: values never matter for counting, and skipping init keeps meta builds free.
"""

from __future__ import annotations

import difflib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from studycards.errors import SpecError

DEFAULT_INPUT: tuple[int, int, int, int] = (1, 3, 224, 224)
NUM_CLASSES = 1000


# --------------------------------------------------------------------------------------------------------
# Reusable blocks (callable from deck layer specs with plain int arguments)
# --------------------------------------------------------------------------------------------------------


class BasicConv2d(nn.Module):
    """Conv (no bias) + BatchNorm2d(eps=0.001) + ReLU: torchvision ``googlenet.BasicConv2d``.

    The conv has no bias because the batch norm's shift would cancel it.
    """

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, stride: int = 1, padding: int = 0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, kernel_size, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_ch, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))


class ConvReLU(nn.Module):
    """Conv with bias + ReLU: the unit of the original GoogLeNet paper (Szegedy et al. 2014), before BN."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, stride: int = 1, padding: int = 0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, kernel_size, stride=stride, padding=padding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.conv(x))


class Inception(nn.Module):
    """GoogLeNet's Inception module with 1×1 reductions (Szegedy et al. 2014, fig. 2b; torchvision layout).

    Four branches concatenated on channels, so the output has ``ch1x1 + ch3x3 + ch5x5 + pool_proj``:
    ``branch1`` 1×1; ``branch2`` 1×1 reduce to ``ch3x3red`` then 3×3; ``branch3`` 1×1 reduce to
    ``ch5x5red`` then a ``k5``×``k5`` conv; ``branch4`` 3×3 max-pool (stride 1) then 1×1 ``pool_proj``.

    ``k5`` defaults to the paper's 5; torchvision's googlenet uses 3 there (a known quirk), which
    ``googlenet`` below reproduces with ``k5=3``. ``basic=True`` (default) builds each conv as
    ``BasicConv2d`` (no bias + BN, as torchvision); ``basic=False`` builds the paper's biased conv + ReLU,
    the counterpart of ``InceptionNaive`` for "what do the 1×1 reductions save" questions.
    """

    def __init__(
        self,
        in_ch: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
        k5: int = 5,
        basic: bool = True,
    ) -> None:
        super().__init__()
        unit = BasicConv2d if basic else ConvReLU
        self.branch1 = unit(in_ch, ch1x1, 1)
        self.branch2 = nn.Sequential(unit(in_ch, ch3x3red, 1), unit(ch3x3red, ch3x3, 3, padding=1))
        self.branch3 = nn.Sequential(unit(in_ch, ch5x5red, 1), unit(ch5x5red, ch5x5, k5, padding=k5 // 2))
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True), unit(in_ch, pool_proj, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)


class InceptionNaive(nn.Module):
    """The naive Inception module with no 1×1 reductions (Szegedy et al. 2014, fig. 2a).

    Biased 1×1, 3×3 and 5×5 convs (each + ReLU) beside a 3×3 max-pool whose input channels pass straight
    through, so the output has ``ch1x1 + ch3x3 + ch5x5 + in_ch`` channels: the block the paper rejects
    because every stacked module widens the next one's expensive convs.
    """

    def __init__(self, in_ch: int, ch1x1: int, ch3x3: int, ch5x5: int) -> None:
        super().__init__()
        self.branch1 = ConvReLU(in_ch, ch1x1, 1)
        self.branch2 = ConvReLU(in_ch, ch3x3, 3, padding=1)
        self.branch3 = ConvReLU(in_ch, ch5x5, 5, padding=2)
        self.branch4 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)


def _projection(in_ch: int, out_ch: int, stride: int) -> nn.Sequential | None:
    """ResNet's shortcut: a strided 1×1 conv + BN when the shape changes, else none (identity)."""
    if stride == 1 and in_ch == out_ch:
        return None
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False), nn.BatchNorm2d(out_ch))


class BasicBlock(nn.Module):
    """ResNet-18/34's block (He et al. 2015; torchvision ``resnet.BasicBlock``): two 3×3 convs + shortcut.

    Output has ``planes`` channels (``expansion`` 1); the first conv carries the stride. A 1×1 projection
    shortcut (``downsample``) is added when the stride or channel count changes.
    """

    expansion = 1

    def __init__(self, in_ch: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = _projection(in_ch, planes * self.expansion, stride)
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """ResNet-50/101/152's block, v1.5 (torchvision ``resnet.Bottleneck``): 1×1 reduce, 3×3, 1×1 expand.

    Output has ``planes * 4`` channels. As in torchvision (ResNet v1.5) the stride sits on the 3×3 conv,
    not the first 1×1 as in the paper; parameter counts are the same either way. A 1×1 projection shortcut
    (``downsample``) is added when the stride or channel count changes.
    """

    expansion = 4

    def __init__(self, in_ch: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU()
        self.downsample = _projection(in_ch, planes * self.expansion, stride)
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class DenseLayer(nn.Module):
    """DenseNet-BC's layer (Huang et al. 2017; torchvision ``densenet._DenseLayer``).

    BN-ReLU-Conv1×1(``bn_size·growth``)-BN-ReLU-Conv3×3(``growth``). Unlike torchvision, which returns only
    the new features and lets the block concatenate, this returns ``cat(input, new)`` (``in_ch + growth``
    channels) so it stands alone in a deck spec; parameters are identical.
    """

    def __init__(self, in_ch: int, growth: int, bn_size: int = 4) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(in_ch)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(in_ch, bn_size * growth, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        new = self.conv1(self.relu1(self.norm1(x)))
        new = self.conv2(self.relu2(self.norm2(new)))
        return torch.cat([x, new], dim=1)


class DenseBlock(nn.Sequential):
    """``num_layers`` DenseLayers in a row (torchvision ``densenet._DenseBlock``, children ``denselayerN``).

    Layer ``i`` (from 0) sees ``in_ch + i·growth`` channels; the block outputs ``in_ch + num_layers·growth``.
    """

    def __init__(self, num_layers: int, in_ch: int, growth: int, bn_size: int = 4) -> None:
        super().__init__(
            OrderedDict(
                (f"denselayer{i + 1}", DenseLayer(in_ch + i * growth, growth, bn_size))
                for i in range(num_layers)
            )
        )


class Transition(nn.Sequential):
    """DenseNet's transition (torchvision ``densenet._Transition``): BN-ReLU-Conv1×1-AvgPool2d(2, 2).

    Sits between dense blocks to cut channels (to ``out_ch``) and halve the spatial size.
    """

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__(
            OrderedDict(
                norm=nn.BatchNorm2d(in_ch),
                relu=nn.ReLU(),
                conv=nn.Conv2d(in_ch, out_ch, 1, bias=False),
                pool=nn.AvgPool2d(kernel_size=2, stride=2),
            )
        )


BLOCKS: dict[str, type[nn.Module]] = {
    cls.__name__: cls
    for cls in (
        BasicConv2d, Inception, InceptionNaive, BasicBlock, Bottleneck, DenseLayer, DenseBlock, Transition,
    )
}  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# Whole networks
# --------------------------------------------------------------------------------------------------------


class AlexNet(nn.Module):
    """torchvision's AlexNet (the one-GPU variant of Krizhevsky et al. 2012: 64-192-384-256-256 channels).

    ``two_gpu=True`` gives the paper's original two-GPU net as one model: 96-256-384-384-256 channels,
    with conv2, conv4 and conv5 grouped in two (each GPU's half sees only its own half), conv1 and conv3
    seeing everything. Sizes, pools and classifier are torchvision's in both.
    """

    def __init__(self, two_gpu: bool = False, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        if two_gpu:
            widths, groups = (96, 256, 384, 384, 256), (1, 2, 1, 2, 2)
        else:
            widths, groups = (64, 192, 384, 256, 256), (1, 1, 1, 1, 1)
        c1, c2, c3, c4, c5 = widths
        g1, g2, g3, g4, g5 = groups
        self.features = nn.Sequential(
            nn.Conv2d(3, c1, kernel_size=11, stride=4, padding=2, groups=g1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c1, c2, kernel_size=5, padding=2, groups=g2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c2, c3, kernel_size=3, padding=1, groups=g3),
            nn.ReLU(),
            nn.Conv2d(c3, c4, kernel_size=3, padding=1, groups=g4),
            nn.ReLU(),
            nn.Conv2d(c4, c5, kernel_size=3, padding=1, groups=g5),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5),
            nn.Linear(c5 * 6 * 6, 4096),
            nn.ReLU(),
            nn.Dropout(p=0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


# torchvision's VGG configurations: channel counts of 3×3 convs, "M" a 2×2 max-pool.
VGG_CONFIGS: dict[str, tuple[int | str, ...]] = {
    "vgg11": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg13": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg16": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
    "vgg19": (
        64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M",
    ),
}  # fmt: skip


class VGG(nn.Module):
    """torchvision's VGG (Simonyan & Zisserman 2014): 3×3 conv stacks, then 7×7×512 into three FC layers."""

    def __init__(
        self, config: Sequence[int | str], batch_norm: bool = False, num_classes: int = NUM_CLASSES
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        in_ch = 3
        for item in config:
            if item == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                continue
            assert isinstance(item, int)
            layers.append(nn.Conv2d(in_ch, item, kernel_size=3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(item))
            layers.append(nn.ReLU())
            in_ch = item
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(),
            nn.Dropout(p=0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(p=0.5),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


class GoogLeNet(nn.Module):
    """torchvision's GoogLeNet (Szegedy et al. 2014) without auxiliary classifiers.

    Batch-normed ``BasicConv2d`` units and, as torchvision does, a 3×3 conv in each Inception's "5×5"
    branch (``k5=3``), which is what makes the total 6,624,904.
    """

    def __init__(self, num_classes: int = NUM_CLASSES, k5: int = 3) -> None:
        super().__init__()
        inception = partial(Inception, k5=k5)
        self.conv1 = BasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = inception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = inception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = inception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = inception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = inception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = inception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = inception(832, 384, 192, 384, 48, 128, 128)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=0.2)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        for stage in (self.inception4a, self.inception4b, self.inception4c, self.inception4d):
            x = stage(x)
        x = self.maxpool4(self.inception4e(x))
        x = self.avgpool(self.inception5b(self.inception5a(x)))
        return self.fc(self.dropout(torch.flatten(x, 1)))


class ResNet(nn.Module):
    """torchvision's ResNet (He et al. 2015, v1.5): 7×7 stem, four stages of blocks, global pool, FC."""

    def __init__(
        self,
        block: type[BasicBlock] | type[Bottleneck],
        layers: Sequence[int],
        num_classes: int = NUM_CLASSES,
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        in_ch = 64
        for index, (planes, count) in enumerate(zip((64, 128, 256, 512), layers, strict=True)):
            stride = 1 if index == 0 else 2
            blocks = [block(in_ch, planes, stride)]
            in_ch = planes * block.expansion
            blocks += [block(in_ch, planes) for _ in range(count - 1)]
            self.add_module(f"layer{index + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for index in range(1, 5):
            x = getattr(self, f"layer{index}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class DenseNet(nn.Module):
    """torchvision's DenseNet-BC (Huang et al. 2017): dense blocks joined by halving transitions."""

    def __init__(
        self,
        block_config: Sequence[int],
        growth: int = 32,
        num_init_features: int = 64,
        bn_size: int = 4,
        num_classes: int = NUM_CLASSES,
    ) -> None:
        super().__init__()
        stem: list[tuple[str, nn.Module]] = [
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU()),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]
        self.features = nn.Sequential(OrderedDict(stem))
        channels = num_init_features
        for index, num_layers in enumerate(block_config):
            self.features.add_module(
                f"denseblock{index + 1}", DenseBlock(num_layers, channels, growth, bn_size)
            )
            channels += num_layers * growth
            if index != len(block_config) - 1:
                self.features.add_module(f"transition{index + 1}", Transition(channels, channels // 2))
                channels //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(channels))
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.adaptive_avg_pool2d(F.relu(self.features(x)), (1, 1))
        return self.classifier(torch.flatten(x, 1))


ARCHITECTURES: dict[str, Callable[[], nn.Module]] = {
    "alexnet": AlexNet,
    "alexnet-2gpu": partial(AlexNet, two_gpu=True),
    **{name: partial(VGG, config) for name, config in VGG_CONFIGS.items()},
    **{f"{name}_bn": partial(VGG, config, batch_norm=True) for name, config in VGG_CONFIGS.items()},
    "googlenet": GoogLeNet,
    "resnet18": partial(ResNet, BasicBlock, (2, 2, 2, 2)),
    "resnet34": partial(ResNet, BasicBlock, (3, 4, 6, 3)),
    "resnet50": partial(ResNet, Bottleneck, (3, 4, 6, 3)),
    "resnet101": partial(ResNet, Bottleneck, (3, 4, 23, 3)),
    "resnet152": partial(ResNet, Bottleneck, (3, 8, 36, 3)),
    "densenet121": partial(DenseNet, (6, 12, 24, 16)),
    "densenet169": partial(DenseNet, (6, 12, 32, 32)),
    "densenet201": partial(DenseNet, (6, 12, 48, 32)),
    "densenet161": partial(DenseNet, (6, 12, 36, 24), growth=48, num_init_features=96),
}


def build_architecture(name: str) -> nn.Module:
    """A fresh module for a named network, built on whatever device is current (the counter uses meta)."""
    factory = ARCHITECTURES.get(name)
    if factory is None:
        close = difflib.get_close_matches(name.strip().lower(), list(ARCHITECTURES), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise SpecError(f"unknown architecture {name!r}{hint} (known: {', '.join(ARCHITECTURES)})")
    return factory()
