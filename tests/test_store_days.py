"""Study days and the calendar: the 4 am rollover, the config file, and 60 simulated days of study."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from studycards.config import Config, ConfigError, load_config
from studycards.sm2 import Sm2State, needs_redrill, review
from studycards.store import Store
from studycards.study_day import study_day


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


# --- the study day -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2024, 3, 1, 12, 0), date(2024, 3, 1)),
        (datetime(2024, 3, 1, 23, 59), date(2024, 3, 1)),
        (datetime(2024, 3, 2, 0, 30), date(2024, 3, 1)),  # a late-night session counts for the evening
        (datetime(2024, 3, 2, 3, 59, 59), date(2024, 3, 1)),
        (datetime(2024, 3, 2, 4, 0), date(2024, 3, 2)),
        (datetime(2024, 1, 1, 2, 0), date(2023, 12, 31)),
    ],
)
def test_the_day_rolls_over_at_4_am_local_time(moment, day):
    assert study_day(moment) == day


def test_the_rollover_hour_is_configurable_and_checked():
    assert study_day(datetime(2024, 3, 2, 0, 30), day_starts_at_hour=0) == date(2024, 3, 2)
    assert study_day(datetime(2024, 3, 2, 5, 30), day_starts_at_hour=6) == date(2024, 3, 1)
    with pytest.raises(ValueError):
        study_day(datetime(2024, 3, 2), day_starts_at_hour=24)


def test_an_aware_moment_is_read_in_local_time():
    moment = datetime(2024, 3, 2, 2, 0, tzinfo=timezone.utc)
    assert study_day(moment) == study_day(moment.astimezone().replace(tzinfo=None))


# --- the config file -----------------------------------------------------------------------------------


def test_without_a_config_file_the_defaults_apply(home: Path):
    assert load_config(home) == Config(new_cards_per_day=20, day_starts_at_hour=4)


def test_the_config_file_sets_the_new_card_limit_and_the_rollover_hour(home: Path):
    home.mkdir()
    (home / "config.toml").write_text("new_cards_per_day = 5\nday_starts_at_hour = 0\n")
    assert load_config(home) == Config(new_cards_per_day=5, day_starts_at_hour=0)
    clock = Clock(datetime(2024, 3, 2, 0, 30))
    with Store(home, now=clock) as store:
        assert store.today() == date(2024, 3, 2)
        assert store.new_cards("d", [f"c{i}" for i in range(9)]) == ["c0", "c1", "c2", "c3", "c4"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("new_cards_per_day = ", "not valid TOML"),
        ("new_cards_per_day = -1", "key 'new_cards_per_day' must be a whole number from 0 to 10000, not -1"),
        ("new_cards_per_day = '20'", "key 'new_cards_per_day' must be a whole number"),
        ("new_cards_per_day = true", "key 'new_cards_per_day' must be a whole number"),
        ("day_starts_at_hour = 24", "key 'day_starts_at_hour' must be a whole number from 0 to 23, not 24"),
        ("day_starts_at_hour = 4.5", "key 'day_starts_at_hour' must be a whole number"),
        ("new_cards_per_dya = 5", "unknown key 'new_cards_per_dya' (known keys: new_cards_per_day"),
    ],
)
def test_a_bad_config_is_one_line_naming_the_file_and_the_key(home: Path, text, message):
    home.mkdir()
    path = home / "config.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(home)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


# --- sixty simulated days --------------------------------------------------------------------------------


def session_time(day: date, index: int) -> datetime:
    """Evening sessions, sessions past midnight (still the same study day), and dawn sessions at 4:00."""
    pattern = index % 3
    if pattern == 0:
        return datetime.combine(day, datetime.min.time()).replace(hour=21)
    if pattern == 1:
        return datetime.combine(day + timedelta(days=1), datetime.min.time()).replace(hour=1, minute=30)
    return datetime.combine(day, datetime.min.time()).replace(hour=4)


def study(store: Store, model: dict, rng: random.Random, today: date, deck: str, card: str) -> None:
    """Review one card with a random grade, re-drill it until it scores 4, and update the model."""
    quality = rng.choice([0, 2, 3, 4, 4, 5, 5])
    before = model.get((deck, card), (Sm2State(), None))[0]
    store.record_review(deck, card, quality, seed=rng.randrange(1000))
    after = review(before, quality)
    model[(deck, card)] = (after, today + timedelta(days=after.interval))
    while needs_redrill(quality):  # same-day re-drills: logged, the schedule does not move
        quality = rng.choice([2, 4, 5])
        store.record_review(deck, card, quality, kind="redrill")


def test_sixty_days_of_study_match_an_independent_model_of_due_counts_rollover_and_new_limits(home: Path):
    limit = 4
    decks = {"cnn": [f"c{i:02}" for i in range(30)], "rnn": [f"r{i:02}" for i in range(10)]}
    first_day = date(2024, 3, 1)
    clock = Clock(session_time(first_day, 0))
    rng = random.Random(5)
    model: dict[tuple[str, str], tuple[Sm2State, date]] = {}
    introduced: dict[str, list[str]] = {deck: [] for deck in decks}
    total_reviews = 0

    with Store(home, config=Config(new_cards_per_day=limit), now=clock) as store:
        for index in range(60):
            today = first_day + timedelta(days=index)
            clock.moment = session_time(today, index)
            assert store.today() == today

            expected_due = sorted(
                ((due, deck, card) for (deck, card), (_, due) in model.items() if due <= today),
            )
            due_cards = store.due_cards(catalogue=decks)
            assert [(c.due, c.deck_id, c.card_id) for c in due_cards] == expected_due
            summary = {d.deck: d for d in store.due_summary(decks)}
            for deck, card_ids in decks.items():
                unseen = [c for c in card_ids if (deck, c) not in model]
                assert summary[deck].due == sum(1 for _, d, _ in expected_due if d == deck)
                assert summary[deck].new == min(limit, len(unseen))
                assert summary[deck].reviewed_today == 0
                assert store.new_cards(deck, card_ids) == unseen[:limit]

            reviews_before_today = total_reviews
            for card in due_cards:
                study(store, model, rng, today, card.deck_id, card.card_id)
                total_reviews += 1
            for deck, card_ids in decks.items():
                for card in store.new_cards(deck, card_ids):
                    introduced[deck].append(card)
                    study(store, model, rng, today, deck, card)
                    total_reviews += 1
                assert store.new_cards(deck, card_ids) == []

            summary = {d.deck: d for d in store.due_summary(decks)}
            assert sum(d.due for d in summary.values()) == 0

            # one minute before 4 am the next morning it is still today; at 4:00 tomorrow's cards appear
            tomorrow = today + timedelta(days=1)
            clock.moment = datetime.combine(tomorrow, datetime.min.time()).replace(hour=3, minute=59)
            assert store.today() == today
            assert store.due_cards() == []
            done_today = total_reviews - reviews_before_today
            assert sum(d.reviewed_today for d in store.due_summary(decks)) == done_today
            clock.moment = clock.moment.replace(hour=4, minute=0)
            assert store.today() == tomorrow
            assert len(store.due_cards()) == sum(1 for _, due in model.values() if due <= tomorrow)
            assert all(d.reviewed_today == 0 for d in store.due_summary(decks))

        assert total_reviews > 300  # the simulation really exercised the schedule
        assert introduced == {deck: card_ids for deck, card_ids in decks.items()}  # all, in deck order
        first_seen = sorted(store.card("cnn", c).first_seen for c in decks["cnn"])
        assert first_seen == [first_day + timedelta(days=i // limit) for i in range(30)]
        assert {key: (c.state, c.due) for c in store.cards() for key in [(c.deck_id, c.card_id)]} == model
        assert sum(n for _, n in store.reviews_per_day()) == total_reviews
        assert store.cards_from_log() == store.cards()
