"""``lstm_preact_step``: torch's LSTMCell applies sigmoid to i, f, o and tanh to g from raw pre-activations."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.truth_compute import COMPUTE, lstm_preact_step, lstm_step

PRE = st.floats(min_value=-4, max_value=4, allow_nan=False)


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_a_known_step_by_hand():
    # zi = zf = zo = 0 gives gates of 0.5; zg = 0 gives a candidate of 0: c = 0.5 * 2 = 1, h = 0.5 * tanh(1).
    h, c = lstm_preact_step(0, 0, 0, 0, 2)
    assert c == 1
    assert abs(float(h) - 0.5 * math.tanh(1)) < 1e-9


def test_a_large_forget_preactivation_keeps_the_cell_and_a_negative_one_erases_it():
    _, kept = lstm_preact_step(-30, 30, 0, 0, 1.5)
    _, erased = lstm_preact_step(-30, -30, 0, 0, 1.5)
    assert abs(float(kept) - 1.5) < 1e-9 and abs(float(erased)) < 1e-9


@settings(max_examples=40, deadline=None)
@given(zi=PRE, zf=PRE, zg=PRE, zo=PRE, c_prev=st.floats(min_value=-3, max_value=3, allow_nan=False))
def test_agrees_with_the_gate_equations_and_with_lstm_step(zi, zf, zg, zo, c_prev):
    i, f, g, o = _sigmoid(zi), _sigmoid(zf), math.tanh(zg), _sigmoid(zo)
    c = f * c_prev + i * g
    h, c_t = lstm_preact_step(zi, zf, zg, zo, c_prev)
    assert abs(float(c_t) - c) < 1e-8 and abs(float(h) - o * math.tanh(c)) < 1e-8
    if abs(g) < 0.999:  # lstm_step takes the gate values themselves
        h2, c2 = lstm_step(i, f, g, o, c_prev)
        assert abs(float(c2) - float(c_t)) < 1e-8 and abs(float(h2) - float(h)) < 1e-8


def test_decks_may_call_it():
    from studycards.layer_names import COMPUTE_FUNCTIONS

    assert "lstm_preact_step" in COMPUTE_FUNCTIONS and COMPUTE["lstm_preact_step"] is lstm_preact_step
