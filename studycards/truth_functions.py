"""Every value-computing truth function a card's formula may call, by name, in one table.

Values on the CPU (``truth_compute``), bytes on meta (``truth_memory``), and train/eval behaviour
(``truth_modes``); the names are also listed, torch-free, in ``studycards.layer_names.COMPUTE_FUNCTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studycards import truth_memory, truth_modes
from studycards.truth_compute import COMPUTE

TRUTH_FUNCTIONS: dict[str, Callable[..., Any]] = {
    **COMPUTE,
    "nbytes": truth_memory.nbytes,
    "adam_state_bytes": truth_memory.adam_state_bytes,
    "eval_changes": truth_modes.eval_changes,
    "running_stats_move": truth_modes.running_stats_move,
    "dropout_kept_value": truth_modes.dropout_kept_value,
    "stat_size": truth_modes.stat_size,
    "causal_mask": truth_modes.causal_mask,
    "output_is_normalized": truth_modes.output_is_normalized,
    "first_dim_mixed": truth_modes.first_dim_mixed,
}


def describe_call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> str | None:
    """The torch line for one of the bytes or train/eval truths: what torch was asked and what it did.

    None for the other functions, which ``studycards.torch_line`` describes itself.
    """
    from studycards.formula import display_value, render_value

    values = [*args, *kwargs.values()]

    def shown(value: Any) -> str:
        if isinstance(value, tuple) and len(value) == 1:
            return f"({render_value(value[0])},)"
        return render_value(value)

    mode = {True: "train", False: "eval"}
    if name == "nbytes":
        shape, dtype = values[0], values[1]
        return (
            f"torch: torch.empty({shown(shape if isinstance(shape, tuple) else (shape,))}, dtype=torch."
            f"{truth_memory.DTYPES[dtype]}, device='meta'): element_size() × numel() = {display_value(result)} bytes"
        ).replace("torch.torch.", "torch.")
    if name == "adam_state_bytes":
        return (
            f"torch: Adam.step() on {display_value(values[0])} float32 parameters (meta) keeps exp_avg and"
            f" exp_avg_sq: {display_value(result)} bytes"
        )
    if name == "stat_size":
        op = {"batch": "batch_norm", "instance": "instance_norm", "layer": "layer_norm", "group": "group_norm"}
        return (
            f"torch: F.{op.get(values[0], values[0])} of a {shown(values[1])} tensor of zeros with a single 1:"
            f" the 1 becomes √{result - 1}, so {display_value(result)} values share each mean"
        )
    if name == "causal_mask":
        (rows, blocked) = result
        return (
            f"torch: nn.Transformer.generate_square_subsequent_mask({values[0]}) → shape {shown(rows)},"
            f" {display_value(blocked)} entries -inf"
        )
    if name == "eval_changes":
        verdict = "outputs differ" if result else "the same output"
        return f"torch: {values[0]} in train() and in eval() on one CPU batch: {verdict}"
    if name == "running_stats_move":
        moved = "moves" if result else "stays"
        return f"torch: {values[0]} forward in {mode[bool(values[1])]} mode under no_grad: running_mean {moved}"
    if name == "dropout_kept_value":
        layer, kept = f"Dropout({float(values[0]):g})", display_value(result)
        return f"torch: {layer} in {mode[bool(values[1])]} mode on ones(1000): kept entries are {kept}"
    if name == "output_is_normalized":
        has = "has" if result else "does not have"
        return (
            f"torch: TransformerEncoderLayer(16, 2, 32, norm_first={bool(values[0])}) on a CPU batch: its output"
            f" {has} mean 0 and variance 1 at every position"
        )
    if name == "first_dim_mixed":
        effect = "changes out[0]" if result else "leaves out[0] as it was"
        return f"torch: TransformerEncoderLayer(8, 2, 16, batch_first={bool(values[0])}): changing x[1] {effect}"
    return None
