"""SM-2 pinned with hand-computed sequences, and its invariants checked over random grade sequences."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.sm2 import Sm2State, needs_redrill, review


def run(qualities: list[int], state: Sm2State | None = None) -> list[Sm2State]:
    states = []
    state = state or Sm2State()
    for quality in qualities:
        state = review(state, quality)
        states.append(state)
    return states


def test_a_new_card_starts_at_repetitions_0_easiness_2_5_interval_0():
    assert Sm2State() == Sm2State(repetitions=0, easiness=2.5, interval=0)


def test_quality_4_four_times_gives_1_6_15_38_with_easiness_2_5_throughout():
    states = run([4, 4, 4, 4])
    assert [s.interval for s in states] == [1, 6, 15, 38]
    assert [s.easiness for s in states] == [2.5, 2.5, 2.5, 2.5]
    assert [s.repetitions for s in states] == [1, 2, 3, 4]


def test_quality_5_three_times_gives_1_6_17_using_the_easiness_before_the_review():
    states = run([5, 5, 5])
    assert [s.interval for s in states] == [1, 6, 17]  # 17 = ceil(6 * 2.7)
    assert [s.easiness for s in states] == [2.6, 2.7, 2.8]


def test_ceil_uses_the_easiness_before_the_review_not_after():
    # easiness 2.5 then q=5: ceil(6 * 2.5) = 15, whereas the new easiness 2.6 would give ceil(15.6) = 16.
    after = review(Sm2State(repetitions=2, easiness=2.5, interval=6), 5)
    assert after == Sm2State(repetitions=3, easiness=2.6, interval=15)


def test_a_lapse_restarts_repetitions_and_keeps_the_easiness():
    states = run([5, 5, 2, 4])
    assert [s.interval for s in states] == [1, 6, 1, 1]
    assert [s.easiness for s in states] == [2.6, 2.7, 2.7, 2.7]
    assert [s.repetitions for s in states] == [1, 2, 0, 1]


def test_quality_3_lowers_easiness_by_0_14_and_quality_0_to_2_leave_it():
    assert run([3]) == [Sm2State(repetitions=1, easiness=2.36, interval=1)]
    assert run([3, 3]) == [Sm2State(1, 2.36, 1), Sm2State(2, 2.22, 6)]
    for quality in (0, 1, 2):
        assert review(Sm2State(4, 1.9, 40), quality) == Sm2State(0, 1.9, 1)


def test_easiness_never_falls_below_1_3():
    states = run([3] * 12)
    assert [s.easiness for s in states][-3:] == [1.3, 1.3, 1.3]
    assert min(s.easiness for s in states) == 1.3


def test_float_noise_never_pushes_an_interval_up_a_day():
    # In floats 25 * 2.2 is 55.00000000000001 and 90 * 2.7 is 243.00000000000003; SM-2 wants 55 and 243.
    assert review(Sm2State(repetitions=3, easiness=2.2, interval=25), 4).interval == 55
    assert review(Sm2State(repetitions=3, easiness=2.7, interval=90), 4).interval == 243
    # and easiness sums stay clean decimals: 2.5 + 0.1 + 0.1 + 0.1 is 2.8, not 2.8000000000000003
    assert run([5, 5, 5])[-1].easiness == 2.8


@pytest.mark.parametrize("quality", [-1, 6, 100])
def test_a_quality_outside_0_to_5_is_a_value_error(quality):
    with pytest.raises(ValueError, match="0 to 5"):
        review(Sm2State(), quality)


@pytest.mark.parametrize("quality", [4.0, "4", None, True])
def test_a_quality_that_is_not_an_int_is_a_type_error(quality):
    with pytest.raises(TypeError):
        review(Sm2State(), quality)


def test_cards_graded_below_4_are_redrilled():
    assert [needs_redrill(q) for q in range(6)] == [True, True, True, True, False, False]


def test_states_are_frozen_values():
    state = Sm2State()
    with pytest.raises(AttributeError):
        state.interval = 3  # type: ignore[misc]
    assert review(state, 4) == review(Sm2State(), 4)


qualities = st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=40)
passes = st.lists(st.integers(min_value=3, max_value=5), min_size=1, max_size=30)
start_states = st.builds(
    Sm2State,
    repetitions=st.integers(min_value=0, max_value=50),
    easiness=st.integers(min_value=130, max_value=400).map(lambda n: n / 100),
    interval=st.integers(min_value=0, max_value=5000),
)


@settings(max_examples=200)
@given(start_states, qualities)
def test_easiness_never_below_1_3_and_always_a_clean_6_place_decimal(start, grades):
    for state in run(grades, start):
        assert state.easiness >= 1.3
        assert round(state.easiness, 6) == state.easiness


@settings(max_examples=200)
@given(start_states, st.integers(min_value=0, max_value=2))
def test_quality_below_3_always_resets(start, quality):
    assert review(start, quality) == Sm2State(repetitions=0, easiness=start.easiness, interval=1)


@settings(max_examples=200)
@given(qualities, passes)
def test_intervals_grow_while_quality_stays_at_least_3(history, grades):
    start = run(history)[-1]
    states = run(grades, start)
    intervals = [s.interval for s in states]
    # Within a run of passes intervals never shrink, and from the run's second pass on they strictly grow.
    assert all(a <= b for a, b in zip(intervals, intervals[1:]))
    assert all(a < b for a, b in zip(intervals[1:], intervals[2:]))
    assert [s.repetitions for s in states] == list(range(start.repetitions + 1, start.repetitions + 1 + len(grades)))


@settings(max_examples=200)
@given(start_states, st.integers(min_value=3, max_value=5))
def test_a_pass_follows_the_rule_computed_in_exact_decimals(start, quality):
    easiness = Fraction(str(start.easiness))
    expected_interval = {0: 1, 1: 6}.get(start.repetitions) or math.ceil(start.interval * easiness)
    miss = 5 - quality
    change = Fraction(1, 10) - miss * (Fraction(8, 100) + miss * Fraction(2, 100))
    expected_easiness = max(Fraction(13, 10), easiness + change)
    after = review(start, quality)
    assert after.interval == expected_interval
    assert Fraction(str(after.easiness)) == expected_easiness
    assert after.repetitions == start.repetitions + 1
