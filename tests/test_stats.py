"""``studycards stats``: its numbers against hand-computed ones, the pieces they are made of, and the text."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stats_history import (
    SKIPPED_LAST,
    SMALL_ANSWER,
    SMALL_SEED,
    SMALL_START,
    SMALL_TODAY,
    YEAR_START,
    YEAR_TODAY,
    Clock,
    small_history,
    year_history,
)

from studycards import stats
from studycards.config import Config
from studycards.deck import load_decks
from studycards.question import generate
from studycards.sm2 import Sm2State
from studycards.stats import DayCount, Misconception, feedback_outline, forecast, heatmap, interval_bucket, streak
from studycards.store import ScheduledCard, Store

REQUIRED_KEYS = {"reviews_by_day", "streak", "forecast", "retention", "weakest", "misconceptions"}


@pytest.fixture
def study_day_is(monkeypatch: pytest.MonkeyPatch):
    """Set the real clock the command's store reads to noon of a given study day."""

    def freeze(day: date) -> None:
        noon = datetime.combine(day, datetime.min.time()).replace(hour=12).astimezone()
        monkeypatch.setattr("studycards.store.utc_now", lambda: noon)

    return freeze


def stats_json(run_cli, *args: str) -> dict:
    result = run_cli("stats", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- the command --------------------------------------------------------------------------------------


def test_a_fresh_home_gives_valid_json_with_empty_lists_and_no_streak(run_cli, home: Path, study_day_is):
    study_day_is(date(2025, 1, 15))
    data = stats_json(run_cli)
    assert set(data) >= REQUIRED_KEYS
    assert data["reviews_by_day"] == [] and data["forecast"] == []
    assert data["weakest"] == [] and data["misconceptions"] == []
    assert data["retention"] == {"by_interval": [], "by_deck": []}
    assert data["streak"] == 0
    assert (data["today"], data["deck"]) == ("2025-01-15", None)
    text = run_cli("stats")
    assert text.exit_code == 0
    assert "0 answers on 0 of the last 365 days; streak: 0 days" in text.output
    assert "Due in the next 30 days: 0 cards" in text.output
    assert "none yet: no card answered in the last 30 days" in text.output  # not "every card was right"
    assert "every card answered lately was right" not in text.output


def test_the_json_of_a_small_history_matches_the_numbers_worked_out_by_hand(run_cli, home: Path, study_day_is):
    small_history(home)  # its docstring works every number below out by hand
    study_day_is(SMALL_TODAY)
    day = [(SMALL_START + timedelta(days=n)).isoformat() for n in range(21)]
    decks = {deck.id: deck for deck in load_decks(home)}
    size, params = decks["cnn"].card("conv-output-size"), decks["cnn"].card("conv-params")
    forgot_bias = next(m for m in params.mistakes if m.id == "forgot-bias")
    padding_once = next(m for m in size.mistakes if m.id == "padding-once")
    padded = generate(size, SMALL_SEED)
    assert "{" not in padded.feedback(padding_once) and padded.feedback(padding_once) != padding_once.feedback
    assert stats_json(run_cli) == {
        "today": day[20],
        "deck": None,
        "reviews_by_day": [
            {"date": day[0], "count": 3},
            {"date": day[1], "count": 3},
            {"date": day[2], "count": 1},
            {"date": day[7], "count": 3},
        ],
        "streak": 0,
        "forecast": [{"date": day[20], "due": 2}],
        "retention": {
            "by_interval": [
                {"interval": "1d", "max_days": 1, "reviews": 4, "correct": 3, "rate": 0.75},
                {"interval": "2-6d", "max_days": 6, "reviews": 1, "correct": 0, "rate": 0.0},
            ],
            "by_deck": [{"deck": "cnn", "reviews": 5, "correct": 3, "rate": 0.6}],
        },
        "weakest": [
            {
                "deck": "cnn",
                "card": "conv-params",
                "title": params.title,
                "answers": 6,
                "correct": 4,
                "accuracy": 4 / 6,
                "easiness": 2.36,
                "due": day[13],
            },
            {
                "deck": "cnn",
                "card": "conv-output-size",
                "title": size.title,
                "answers": 4,
                "correct": 3,
                "accuracy": 0.75,
                "easiness": 2.5,
                "due": day[8],
            },
        ],
        "misconceptions": [
            {
                "deck": "cnn",
                "card": "conv-params",
                "title": params.title,
                "mistake": "forgot-bias",
                "feedback": feedback_outline(forgot_bias.feedback),
                "count": 2,
                "earlier": 2,
                "later": 0,
                "earlier_answers": 5,
                "later_answers": 1,
                "earlier_rate": 0.4,
                "later_rate": 0.0,
                "trend": "fading",
                "fading": True,
                "seed": None,  # logged without a seed: the rule, with the formulas
                "answer": None,
                "question": None,
            },
            {
                "deck": "cnn",
                "card": "conv-output-size",
                "title": size.title,
                "mistake": "padding-once",
                "feedback": padded.feedback(padding_once),  # as the learner saw it, with seed 3's numbers
                "count": 1,
                "earlier": 0,
                "later": 1,
                "earlier_answers": 2,
                "later_answers": 2,
                "earlier_rate": 0.0,
                "later_rate": 0.5,
                "trend": "growing",
                "fading": False,
                "seed": SMALL_SEED,
                "answer": SMALL_ANSWER,
                "question": padded.prompt.strip(),
            },
        ],
    }


def test_a_year_of_reviews_gives_the_numbers_counted_from_the_learners_own_ledger(run_cli, home: Path, study_day_is):
    ledger = year_history(home).answers
    study_day_is(YEAR_TODAY)
    data = stats_json(run_cli)

    # Every day but 34 days off (every ninth day of the first 300, and SKIPPED_LAST) has answers.
    per_day = Counter(answer.day for answer in ledger)
    assert len(per_day) == 365 - 34
    assert data["reviews_by_day"] == [{"date": d.isoformat(), "count": per_day[d]} for d in sorted(per_day)]
    assert data["reviews_by_day"][0]["date"] == YEAR_START.isoformat()
    assert data["streak"] == (YEAR_TODAY - SKIPPED_LAST).days == 24

    def bucket(interval: int) -> str:
        return (
            "1d"
            if interval <= 1
            else "2-6d"
            if interval <= 6
            else "1-3w"
            if interval <= 29
            else ("1-3m" if interval <= 90 else ">3m")
        )

    reviews = [a for a in ledger if a.kind == "review"]
    asked = Counter(bucket(a.interval_before) for a in reviews)
    right = Counter(bucket(a.interval_before) for a in reviews if a.verdict == "correct")
    order = ["1d", "2-6d", "1-3w", "1-3m", ">3m"]
    assert [(b["interval"], b["reviews"], b["correct"]) for b in data["retention"]["by_interval"]] == [
        (label, asked[label], right[label]) for label in order if asked[label]
    ]
    assert len(data["retention"]["by_interval"]) == 5  # a year of SM-2 reaches every bucket
    assert data["retention"]["by_deck"] == [
        {
            "deck": "cnn",
            "reviews": len(reviews),
            "correct": sum(right.values()),
            "rate": sum(right.values()) / len(reviews),
        }
    ]

    with Store(home) as store:
        cards = store.cards()
    last = YEAR_TODAY + timedelta(days=29)
    due = Counter(max(card.due, YEAR_TODAY) for card in cards if card.due <= last)
    assert data["forecast"] == [{"date": d.isoformat(), "due": due[d]} for d in sorted(due)]

    recent = [a for a in ledger if a.day >= YEAR_TODAY - timedelta(days=29)]
    answers = Counter(a.card_id for a in recent)
    correct = Counter(a.card_id for a in recent if a.verdict == "correct")
    easiness = {card.card_id: card.state.easiness for card in cards}
    weak = [c for c in easiness if correct[c] < answers[c] or easiness[c] < 2.5]
    weak.sort(key=lambda c: (Fraction(correct[c], answers[c]) if answers[c] else 1, easiness[c], c))
    assert [(w["card"], w["answers"], w["correct"]) for w in data["weakest"]] == [
        (c, answers[c], correct[c]) for c in weak
    ]
    assert weak, "the simulated learner has weak cards"

    later_from = YEAR_TODAY - timedelta(days=14)
    halves = Counter((a.card_id, a.day >= later_from) for a in recent)
    made = Counter((a.card_id, a.mistake_id, a.day >= later_from) for a in recent if a.mistake_id)
    expected = []
    for card, mistake in sorted({(c, m) for c, m, _ in made}):
        earlier, later = made[(card, mistake, False)], made[(card, mistake, True)]
        if not halves[(card, True)]:
            trend = "not retested"
        elif not halves[(card, False)]:
            trend = "new"
        else:
            before = Fraction(earlier, halves[(card, False)])
            after = Fraction(later, halves[(card, True)])
            trend = "fading" if after < before else "steady" if after == before else "growing"
        expected.append((card, mistake, earlier, later, trend))
    expected.sort(key=lambda m: (-(m[2] + m[3]), -m[3], m[0], m[1]))
    assert [(m["card"], m["mistake"], m["earlier"], m["later"], m["trend"]) for m in data["misconceptions"]] == (
        expected[:10]
    )
    assert all(m["feedback"] for m in data["misconceptions"])


def test_a_deck_filter_limits_every_section_and_a_deck_only_in_the_log_is_accepted(run_cli, home: Path, study_day_is):
    small_history(home)
    clock = Clock(datetime.combine(SMALL_TODAY, datetime.min.time()).replace(hour=10))
    with Store(home, config=Config(), now=clock) as store:  # a deck whose file is gone since
        store.record_review("gone", "old-card", 2, verdict="incorrect", mistake_id="old-mistake")
    study_day_is(SMALL_TODAY)
    everything = stats_json(run_cli)
    assert everything["streak"] == 1
    assert [d["count"] for d in everything["reviews_by_day"]] == [3, 3, 1, 3, 1]
    assert [d["deck"] for d in everything["retention"]["by_deck"]] == ["cnn"]  # a first sight is no retention
    assert {m["card"] for m in everything["misconceptions"]} == {"conv-params", "conv-output-size"}

    gone = stats_json(run_cli, "--deck", "gone")
    assert gone["deck"] == "gone"
    assert gone["reviews_by_day"] == [{"date": SMALL_TODAY.isoformat(), "count": 1}]
    assert gone["streak"] == 1
    # Its card can no longer be studied: not forecast, not weak, not a misconception to work on.
    assert gone["forecast"] == [] and gone["weakest"] == [] and gone["misconceptions"] == []

    cnn = stats_json(run_cli, "--deck", "cnn")
    assert cnn["streak"] == 0
    assert cnn["retention"] == everything["retention"]
    assert cnn["weakest"] == everything["weakest"]


def test_an_unknown_deck_is_one_line_naming_the_decks_there_are(run_cli, study_day_is):
    study_day_is(date(2025, 1, 15))
    result = run_cli("stats", "--deck", "nope")
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("studycards: no deck 'nope' (decks: ")
    assert "cnn" in lines[0]


def test_the_text_report_shows_the_hand_computed_numbers_within_80_columns(run_cli, home: Path, study_day_is):
    small_history(home)
    study_day_is(SMALL_TODAY)
    result = run_cli("stats")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    text = result.output
    assert "Activity: 10 answers on 4 of the last 365 days; streak: 0 days" in text
    assert "Due in the next 30 days: 2 cards (today includes overdue cards)" in text
    assert "  1d              4      75%" in text
    assert "  2-6d            1       0%" in text
    assert "  1-3w            -        -" in text
    assert "    cnn   60% of 5" in text
    weakest = [line for line in lines if line.startswith("  cnn/")]
    assert weakest[0].split() == ["cnn/conv-params", "4/6", "67%", "2.36", (SMALL_START + timedelta(13)).isoformat()]
    assert weakest[1].split()[:3] == ["cnn/conv-output-size", "3/4", "75%"]
    assert "    2×  cnn/conv-params: forgot-bias  (2 → 0: fading)" in text
    assert "    1×  cnn/conv-output-size: padding-once  (0 → 1: growing)" in text
    size = {deck.id: deck for deck in load_decks()}["cnn"].card("conv-output-size")
    seen = generate(size, SMALL_SEED).feedback(next(m for m in size.mistakes if m.id == "padding-once"))
    assert "\n        " + textwrap.wrap(seen, 66)[0] + "\n" in text  # its feedback as seen, under it
    assert f"(you answered {SMALL_ANSWER}; the question: studycards show cnn/conv-output-size --seed {SMALL_SEED})" in (
        " ".join(text.split())
    )
    params = {deck.id: deck for deck in load_decks()}["cnn"].card("conv-params")
    rule = feedback_outline(next(m for m in params.mistakes if m.id == "forgot-bias").feedback)
    assert "\n        " + textwrap.wrap(rule, 66)[0] + "\n" in text  # logged without a seed: the rule
    # The heatmap: 2024-03-01 is a Friday; days 0 and 7 (3 answers, the busiest) are full blocks.
    friday = next(line for line in lines if line.startswith("Fri "))
    assert friday.endswith("██·")


# --- the pieces -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("studied", "length"),
    [
        ([], 0),
        ([0], 1),
        ([1], 1),  # nothing yet today: yesterday's streak still stands
        ([2], 0),
        ([0, 1, 2, 4], 3),
        ([1, 2, 3, 5], 3),
        ([0, 2, 3], 1),
    ],
)
def test_the_streak_counts_back_from_today_or_from_yesterday(studied: list[int], length: int):
    today = date(2025, 3, 10)
    assert streak([today - timedelta(days=n) for n in studied], today) == length


def test_a_streak_longer_than_the_heatmaps_year_is_counted_through_the_whole_history(home: Path):
    start = date(2023, 1, 1)
    clock = Clock(datetime(2023, 1, 1, 20, 0))
    with Store(home, config=Config(), now=clock) as store:
        for offset in range(400):
            clock.on(start + timedelta(days=offset), hour=20)
            logged = store.record_review("cnn", "conv-params", 5, kind="practice", verdict="correct")
            if offset == 20:  # day 20's only cnn answer is undone; another deck was studied that day
                store.undo_last_review(logged.id)
                store.record_review("rnn", "lstm-params", 5, kind="practice", verdict="correct")
        last = start + timedelta(days=399)
        result = stats.compute_stats(store, today=last)
        assert len(result.reviews_by_day) == 365
        assert result.streak == 400
        assert stats.compute_stats(store, today=last + timedelta(days=1)).streak == 400  # today not over yet
        assert stats.compute_stats(store, today=last + timedelta(days=2)).streak == 0
        assert stats.compute_stats(store, deck_id="cnn", today=last).streak == 379  # days 21 to 399
        assert stats.compute_stats(store, deck_id="rnn", today=start + timedelta(days=20)).streak == 1
        assert store.last_day_without_answers(start + timedelta(days=5)) == start - timedelta(days=1)
        assert store.last_day_without_answers(last, "cnn") == start + timedelta(days=20)


@pytest.mark.parametrize(
    ("interval", "label"),
    [(0, "1d"), (1, "1d"), (2, "2-6d"), (6, "2-6d"), (7, "1-3w"), (15, "1-3w"), (29, "1-3w"), (30, "1-3m")]
    + [(38, "1-3m"), (90, "1-3m"), (91, ">3m"), (36_500, ">3m")],
)
def test_interval_buckets_have_the_documented_edges(interval: int, label: str):
    assert interval_bucket(interval) == label


def card_due(card_id: str, due: date) -> ScheduledCard:
    return ScheduledCard("cnn", card_id, Sm2State(2, 2.5, 6), due, date(2025, 1, 1))


def test_the_forecast_puts_overdue_cards_on_today_and_stops_after_30_days():
    today = date(2025, 3, 10)
    cards = [
        card_due("a", today - timedelta(days=40)),
        card_due("b", today - timedelta(days=1)),
        card_due("c", today),
        card_due("d", today + timedelta(days=3)),
        card_due("e", today + timedelta(days=3)),
        card_due("f", today + timedelta(days=29)),
        card_due("g", today + timedelta(days=30)),
    ]
    assert [(d.day, d.due) for d in forecast(cards, today)] == [
        (today, 3),
        (today + timedelta(days=3), 2),
        (today + timedelta(days=29), 1),
    ]
    assert forecast([], today) == []


@pytest.mark.parametrize(
    ("text", "outline"),
    [
        ("2p = {2*p}, not {p}.", "2p = 2*p, not p."),
        ("the input is {i + 2*p} wide", "the input is i + 2*p wide"),
        ("a set {{like this}} stays", "a set {like this} stays"),
        ("no placeholders", "no placeholders"),
    ],
)
def test_feedback_is_shown_with_each_placeholder_as_its_formula(text: str, outline: str):
    assert feedback_outline(text) == outline


def test_a_mistake_shows_the_cards_own_feedback_else_the_generic_slips_rule():
    card = {deck.id: deck for deck in load_decks()}["cnn"].card("conv-output-size")
    padding_once = next(m for m in card.mistakes if m.id == "padding-once")
    assert "{" in padding_once.feedback
    assert stats.mistake_feedback(card, "padding-once") == feedback_outline(padding_once.feedback)
    assert stats.mistake_feedback(card, "off-by-one") == stats.GENERIC_SLIPS["off-by-one"]
    assert stats.mistake_feedback(None, "factor-of-2") == stats.GENERIC_SLIPS["factor-of-2"]
    assert stats.mistake_feedback(card, "a-mistake-since-removed") is None


@pytest.mark.parametrize(
    ("earlier", "later", "earlier_answers", "later_answers", "trend"),
    [
        (3, 1, 6, 4, "fading"),  # 1/2 -> 1/4
        (1, 1, 2, 2, "steady"),
        (1, 2, 4, 2, "growing"),  # 1/4 -> 1
        (2, 2, 4, 8, "fading"),  # the same count over more answers is fading
        (0, 1, 3, 3, "growing"),
        (0, 2, 0, 3, "new"),
        (2, 0, 3, 0, "not retested"),
    ],
)
def test_a_mistake_is_fading_when_its_share_of_the_cards_answers_drops(
    earlier: int, later: int, earlier_answers: int, later_answers: int, trend: str
):
    found = Misconception("cnn", "x", "m", None, None, earlier, later, earlier_answers, later_answers)
    assert found.trend == trend
    assert found.fading is (trend == "fading")
    assert found.count == earlier + later


@settings(max_examples=60, deadline=None)
@given(
    today=st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
    counts=st.dictionaries(st.integers(0, 364), st.integers(1, 500), max_size=60),
)
def test_the_heatmap_shows_each_day_of_the_year_once_in_its_weekday_row(today: date, counts: dict[int, int]):
    days = [DayCount(today - timedelta(days=back), n) for back, n in sorted(counts.items(), reverse=True)]
    grid = heatmap(days, today)
    first = today - timedelta(days=364)
    monday = first - timedelta(days=first.weekday())
    cells = [
        (monday + timedelta(days=week * 7 + weekday), level)
        for weekday, row in enumerate(grid.levels)
        for week, level in enumerate(row)
        if level is not None
    ]
    assert sorted(day for day, _ in cells) == [first + timedelta(days=n) for n in range(365)]
    by_count = {d.day: d.count for d in days}
    for day, level in cells:
        count = by_count.get(day, 0)
        assert (level == 0) == (count == 0)
        if count and count == grid.busiest:
            assert level == 4
        assert 0 <= level <= 4
    levels = sorted((by_count.get(day, 0), level) for day, level in cells)
    assert [level for _, level in levels] == sorted(level for _, level in levels)  # busier is never lighter
    columns = [week for week, _ in grid.months]
    assert columns == sorted(columns) and all(b - a >= 4 for a, b in zip(columns, columns[1:]))


# --- the store's counting query, which every statistic rests on ---------------------------------------------

operations = st.lists(
    st.tuples(
        st.sampled_from(["review", "redrill", "practice", "undo", "next-day"]),
        st.sampled_from([("cnn", "a"), ("cnn", "b"), ("rnn", "a")]),
        st.sampled_from([("correct", None), ("incorrect", "m1"), ("incorrect", "m2"), ("unreadable", None)]),
        st.integers(0, 5),
    ),
    max_size=14,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=operations,
    deck=st.sampled_from([None, "cnn"]),
    since_back=st.sampled_from([None, 0, 1, 3]),
    before_back=st.sampled_from([None, 0, 2]),
)
def test_answer_counts_agree_with_a_naive_count_of_the_effective_reviews(
    tmp_path_factory, ops, deck, since_back, before_back
):
    home = tmp_path_factory.mktemp("home")
    clock = Clock(datetime(2024, 5, 1, 12, 0))
    with Store(home, config=Config(), now=clock) as store:
        for action, (deck_id, card_id), (verdict, mistake), quality in ops:
            if action == "next-day":
                clock.moment += timedelta(days=1)
            elif action == "undo":
                store.undo_last_review()
            else:
                store.record_review(deck_id, card_id, quality, kind=action, verdict=verdict, mistake_id=mistake)
        since = None if since_back is None else store.today() - timedelta(days=since_back)
        before = None if before_back is None else store.today() - timedelta(days=before_back)
        effective = [
            r
            for r in store.reviews()
            if (deck is None or r.deck_id == deck)
            and (since is None or r.study_day >= since)
            and (before is None or r.study_day < before)
        ]
        for by, kinds in [
            (("study_day",), ("new", "review", "redrill", "practice")),
            (("deck_id", "verdict", "before_interval"), ("review",)),
            (("study_day", "deck_id", "card_id", "verdict", "mistake_id"), ("new", "review", "redrill", "practice")),
            ((), ("new", "redrill")),
        ]:
            naive = Counter(
                tuple(r.study_day.isoformat() if c == "study_day" else _column(r, c) for c in by)
                for r in effective
                if r.kind in kinds
            )
            counted = store.answer_counts(by, kinds=kinds, deck_id=deck, since=since, before=before)
            assert sorted(counted, key=repr) == sorted(((*key, n) for key, n in naive.items()), key=repr)


def _column(review, column: str):
    if column == "before_interval":
        return review.before.interval if review.before is not None else None
    return getattr(review, column)


def test_answer_counts_refuses_columns_and_kinds_it_does_not_know(home: Path):
    with Store(home) as store, pytest.raises(ValueError, match="cannot count by 'answer'"):
        store.answer_counts(("answer",))
    with Store(home) as store, pytest.raises(ValueError, match="kinds must be some of"):
        store.answer_counts(("study_day",), kinds=("undo",))
