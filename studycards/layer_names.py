"""The names a deck's truth spec may call, kept free of torch so loading a deck stays fast.

``layer_spec`` maps each name to a real ``torch.nn`` class or block; a test checks the two agree.
"""

from __future__ import annotations

TORCH_LAYERS: frozenset[str] = frozenset(
    {
        "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
        "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
        "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
        "Linear", "Bilinear", "Embedding",
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm",
        "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
        "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention",
        "TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder",
        "Flatten", "Unflatten", "ReLU", "GELU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Identity",
        "Dropout", "Dropout1d", "Dropout2d",
        "Sequential",
    }
)  # fmt: skip

# Composite helpers defined by studycards: parallel branches joined on channels, x + f(x), and a @ b
# (a batch of matrix products, as attention's QKᵀ and weights·V, with no parameters).
COMBINATORS: frozenset[str] = frozenset({"Concat", "Residual", "MatMul"})

# Reusable blocks from ``studycards.architectures`` (GoogLeNet, ResNet, DenseNet pieces).
BLOCKS: frozenset[str] = frozenset(
    {
        "BasicConv2d", "Inception", "InceptionNaive", "BasicBlock", "Bottleneck",
        "DenseLayer", "DenseBlock", "Transition",
    }
)  # fmt: skip

# Whole named networks, written as the entire spec (``resnet50``, ``alexnet-2gpu``).
ARCHITECTURE_NAMES: frozenset[str] = frozenset(
    {
        "alexnet", "alexnet-2gpu", "vgg11", "vgg13", "vgg16", "vgg19", "googlenet",
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "densenet121", "densenet169",
        "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn", "densenet161", "densenet201",
    }
)  # fmt: skip

SPEC_CALLS: frozenset[str] = TORCH_LAYERS | COMBINATORS | BLOCKS

# Truth functions that compute real values on the CPU (``studycards.truth_compute``).
COMPUTE_FUNCTIONS: frozenset[str] = frozenset(
    {"lstm_step", "lstm_preact_step", "softmax_sums", "attention_weights", "attention_scale"}
    # bytes on meta (``studycards.truth_memory``) and train/eval behaviour (``studycards.truth_modes``)
    | {"nbytes", "adam_state_bytes"}
    | {"eval_changes", "running_stats_move", "dropout_kept_value", "stat_size", "causal_mask", "output_is_normalized"}
    | {"first_dim_mixed"}
)
