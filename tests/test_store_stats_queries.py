"""The store's counts behind the statistics (answers per day, review outcomes, answers by card) against a
naive count of the effective reviews: they count index ranges and subtract undos, so undos, empty days,
deck filters and interval bounds are where they could go wrong."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stats_history import Clock

from studycards.config import Config
from studycards.store import LoggedReview, Store

operations = st.lists(
    st.tuples(
        st.sampled_from(["review", "review", "redrill", "practice", "undo", "next-day", "skip-days"]),
        st.sampled_from([("cnn", "a"), ("cnn", "b"), ("rnn", "a"), ("rnn", "z")]),
        st.sampled_from(
            [("correct", None), ("incorrect", "m1"), ("incorrect", "m2"), ("unreadable", None), (None, None)]
        ),
        st.integers(0, 5),
    ),
    max_size=24,
)
# SM-2's first intervals are 1 and 6 days, then about 15: bounds on and beside them test both edges.
bounds = st.lists(st.sampled_from([0, 1, 2, 5, 6, 7, 14, 15, 40]), min_size=1, max_size=4, unique=True).map(sorted)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=operations,
    deck=st.sampled_from([None, "cnn", "gone"]),
    longest=bounds,
    open_ended=st.booleans(),
    since_back=st.integers(0, 6),
    split_back=st.integers(0, 6),
)
def test_the_statistics_counts_agree_with_a_naive_count_of_the_effective_reviews(
    tmp_path_factory, ops, deck, longest, open_ended, since_back, split_back
):
    home = tmp_path_factory.mktemp("home")
    clock = Clock(datetime(2024, 5, 1, 12, 0))
    with Store(home, config=Config(), now=clock) as store:
        for action, (deck_id, card_id), (verdict, mistake), quality in ops:
            if action in ("next-day", "skip-days"):
                clock.moment += timedelta(days=1 if action == "next-day" else 3)
            elif action == "undo":
                store.undo_last_review()
            else:
                store.record_review(deck_id, card_id, quality, kind=action, verdict=verdict, mistake_id=mistake)
        today = store.today()
        effective = [r for r in store.reviews() if deck is None or r.deck_id == deck]

        since = today - timedelta(days=since_back)
        per_day = Counter(r.study_day for r in effective if since <= r.study_day <= today)
        assert store.answers_per_day(since, today, deck_id=deck) == sorted(per_day.items())

        limits = [*longest, None] if open_ended else longest
        outcomes: Counter = Counter()
        for review in effective:
            bucket = _bucket(review, limits)
            if review.kind == "review" and review.verdict is not None and bucket is not None:
                outcomes[review.deck_id, bucket, "reviews"] += 1
                outcomes[review.deck_id, bucket, "correct"] += review.verdict == "correct"
        expected = sorted(
            (deck_id, bucket, n, outcomes[deck_id, bucket, "correct"])
            for (deck_id, bucket, what), n in outcomes.items()
            if what == "reviews"
        )
        assert store.review_outcomes(limits, deck_id=deck) == expected

        split = today - timedelta(days=split_back)
        periods = [(since, split), (split, today), (today + timedelta(days=1), today + timedelta(days=9))]
        by_card = Counter(
            (r.deck_id, r.card_id, index, r.verdict, r.mistake_id)
            for r in effective
            for index, (first, last) in enumerate(periods)
            if first <= r.study_day <= last
        )
        counted = store.answers_by_card(periods, deck_id=deck)
        assert sorted(counted, key=repr) == sorted(((*key, n) for key, n in by_card.items()), key=repr)


def _bucket(review: LoggedReview, limits: list[int | None]) -> int | None:
    """The bucket of the review's interval before it, by the definition: the first bound it does not exceed."""
    if review.before is None:
        return None
    return next((i for i, most in enumerate(limits) if most is None or review.before.interval <= most), None)


def test_a_day_whose_only_answer_was_undone_is_left_out(tmp_path):
    clock = Clock(datetime(2024, 5, 1, 12, 0))
    with Store(tmp_path, config=Config(), now=clock) as store:
        store.record_review("cnn", "a", 4, verdict="correct")
        clock.moment += timedelta(days=1)
        store.record_review("cnn", "a", 2, kind="practice", verdict="incorrect", mistake_id="m1")
        store.undo_last_review()
        day = date(2024, 5, 1)
        assert store.answers_per_day(day, day + timedelta(days=1)) == [(day, 1)]
        assert store.answers_by_card([(day, day + timedelta(days=1))]) == [("cnn", "a", 0, "correct", None, 1)]
        assert store.review_outcomes([1, None]) == []  # a first sight is not a scheduled review


@pytest.mark.parametrize("limits", [[], [6, 1], [1, 1], [None, 6], [1, None, None]])
def test_review_outcomes_refuses_bounds_that_are_not_increasing(tmp_path, limits):
    with Store(tmp_path) as store, pytest.raises(ValueError, match="increasing interval bounds"):
        store.review_outcomes(limits)
