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
