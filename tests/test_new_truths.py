"""Truth functions behind the compute, normalization and transformer decks, checked against hand formulas."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.deck import load_deck
from studycards.errors import FormulaError
from studycards.layer_names import COMPUTE_FUNCTIONS
from studycards.truth_functions import TRUTH_FUNCTIONS
from studycards.truth_memory import adam_state_bytes, nbytes
from studycards.truth_modes import (
    causal_mask,
    dropout_kept_value,
    eval_changes,
    first_dim_mixed,
    output_is_normalized,
    running_stats_move,
    stat_size,
)

FAST = settings(max_examples=20, deadline=None)
DECKS = Path(__file__).resolve().parent.parent / "decks"


def test_every_truth_function_is_listed_for_deck_validation():
    assert set(TRUTH_FUNCTIONS) == COMPUTE_FUNCTIONS


@FAST
@given(shape=st.lists(st.integers(0, 10**4), min_size=1, max_size=3).map(tuple))
def test_nbytes_is_element_size_times_numel(shape):
    numel = math.prod(shape)
    assert nbytes(shape, "float32") == 4 * numel
    assert nbytes(shape, "bf16") == nbytes(shape, "float16") == 2 * numel
    assert nbytes(shape, "int8") == numel


def test_nbytes_refuses_unknown_dtypes_and_absurd_sizes():
    with pytest.raises(FormulaError, match="dtype"):
        nbytes((3,), "float8")
    with pytest.raises(FormulaError, match="2\\*\\*50"):
        nbytes((2**30, 2**30), "float32")


@pytest.mark.parametrize("numel", [1, 1000, 124_439_808])
def test_adam_keeps_two_fp32_copies(numel):
    assert adam_state_bytes(numel) == 2 * 4 * numel


@FAST
@given(
    n=st.integers(1, 6), c=st.integers(1, 8), h=st.integers(1, 6), w=st.integers(1, 6), groups=st.integers(1, 8)
)
def test_stat_size_matches_each_normalisation(n, c, h, w, groups):
    shape = (n, c, h, w)
    if n * h * w > 1:
        assert stat_size("batch", shape) == n * h * w
    if h * w > 1:
        assert stat_size("instance", shape) == h * w
    if w > 1:
        assert stat_size("layer", shape, 1) == w
    if c * h * w > 1:
        assert stat_size("layer", shape, 3) == c * h * w
    if c % groups == 0 and c // groups * h * w > 1:
        assert stat_size("group", shape, groups) == c // groups * h * w


def test_stat_size_stays_small():
    with pytest.raises(FormulaError, match="too large"):
        stat_size("layer", (64, 512, 768), 1)


@pytest.mark.parametrize("n", [1, 2, 7, 64])
def test_causal_mask_blocks_above_the_diagonal(n):
    assert causal_mask(n) == ((n, n), n * (n - 1) // 2)


def test_causal_mask_is_bounded():
    with pytest.raises(FormulaError):
        causal_mask(100_000)


def test_eval_changes_batchnorm_and_dropout_only():
    changed = {k for k in ("BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm2d", "Dropout") if eval_changes(k)}
    assert changed == {"BatchNorm2d", "Dropout"}
    assert running_stats_move("BatchNorm2d", True) and not running_stats_move("BatchNorm2d", False)
    assert not running_stats_move("LayerNorm", True)


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5])
def test_dropout_scales_survivors_in_training_only(p):
    assert abs(float(dropout_kept_value(p, True)) - 1 / (1 - p)) < 1e-9
    assert dropout_kept_value(p, False) == 1


def test_norm_first_and_batch_first_behaviour():
    assert output_is_normalized(False) and not output_is_normalized(True)
    assert first_dim_mixed(False) and not first_dim_mixed(True)


@pytest.mark.parametrize(("deck_id", "least"), [("transformer", 12), ("compute", 12), ("normalization", 10)])
def test_new_decks_have_their_templates_each_with_mistakes_and_a_source(deck_id, least):
    deck = load_deck(DECKS / f"{deck_id}.toml")
    assert len(deck.cards) >= least
    assert deck.source
    for card in deck.cards:
        assert card.mistakes, card.ref
        assert card.solution.strip(), card.ref
        assert card.truth is not None, card.ref
        assert card.source, card.ref
    readme = (DECKS.parent / "README.md").read_text(encoding="utf-8")
    assert f"| `{deck_id}` |" in readme


def test_numbers_inside_a_fenced_block_keep_plain_digits_even_on_a_continued_line():
    from studycards.question import fill

    text = "width {n}\n```\nlayer = f(d_model={n},\n          ff={n})\n```\nthen {n}"
    assert fill(text, {"n": 4096}) == "width 4,096\n```\nlayer = f(d_model=4096,\n          ff=4096)\n```\nthen 4,096"


def test_a_cards_own_source_reaches_anki_instead_of_the_decks():
    from studycards.anki_export import exported_note
    from studycards.question import generate

    deck = load_deck(DECKS / "transformer.toml")
    card = next(c for c in deck.cards if c.id == "gpt2-total")
    note = exported_note(deck, generate(card, 0))
    assert note.source == card.source and "Radford et al. 2019" in note.source and note.source != deck.source
