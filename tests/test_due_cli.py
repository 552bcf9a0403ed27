"""``studycards due`` and ``studycards doctor`` as a user runs them, against a temporary home."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from studycards.store import Store

CARD = """
[[cards]]
id = "{id}"
title = "Card {id}"
kind = "choice"
prompt = "Pick a"
choices = ["a", "b"]
answer = "a"
solution = "It is a."
"""


@pytest.fixture
def own_decks_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the decks a test writes into the home: these tests are about the store, not the bundled decks."""
    empty = tmp_path / "no-bundled-decks"
    empty.mkdir()
    monkeypatch.setattr("studycards.locations.bundled_decks_dir", lambda: empty)


def write_deck(home: Path, deck_id: str, card_ids: list[str]) -> Path:
    folder = home / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{deck_id}.toml"
    path.write_text(f'id = "{deck_id}"\ntitle = "Deck {deck_id}"\n' + "".join(CARD.format(id=c) for c in card_ids))
    return path


def due_json(run_cli) -> dict[str, dict]:
    result = run_cli("due", "--json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert all(set(entry) == {"deck", "learning", "due", "new", "reviewed_today"} for entry in entries)
    return {entry["deck"]: entry for entry in entries}


def review_days_ago(home: Path, days: int, deck: str, cards: list[str], quality: int = 4) -> None:
    """Reviews made ``days`` ago, so with intervals of 1 day they are due today."""
    moment = datetime.now() - timedelta(days=days)
    with Store(home, now=lambda: moment) as store:
        for card in cards:
            store.record_review(deck, card, quality)


def test_due_on_a_fresh_home_lists_every_deck_with_its_new_cards(run_cli, home: Path):
    decks = json.loads(run_cli("decks", "--json").stdout)
    assert decks, "the bundled decks should be there"
    entries = due_json(run_cli)
    assert list(entries) == [deck["id"] for deck in decks]
    for deck in decks:
        assert entries[deck["id"]] == {
            "deck": deck["id"],
            "learning": 0,
            "due": 0,
            "new": min(20, len(deck["cards"])),
            "reviewed_today": 0,
        }
    assert (home / "studycards.db").is_file()


def test_due_counts_due_new_and_reviewed_today_for_a_deck(run_cli, home: Path, own_decks_only):
    write_deck(home, "mine", [f"c{i}" for i in range(25)])
    assert due_json(run_cli)["mine"] == {"deck": "mine", "learning": 0, "due": 0, "new": 20, "reviewed_today": 0}
    review_days_ago(home, 3, "mine", ["c0", "c1", "c2"])  # due again two days ago
    with Store(home) as store:
        store.record_review("mine", "c3", 5)  # new today
        store.record_review("mine", "c4", 2)  # new today, a lapse
        store.record_review("mine", "c4", 4, kind="redrill")  # logged, not counted as a second card
    assert due_json(run_cli)["mine"] == {"deck": "mine", "learning": 0, "due": 3, "new": 18, "reviewed_today": 2}

    table = run_cli("due")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["deck", "learning", "due", "new", "reviewed", "today"]
    assert "mine 0 3 18 2" in [" ".join(line.split()) for line in lines]


def test_the_new_card_limit_comes_from_config_toml(run_cli, home: Path, own_decks_only):
    write_deck(home, "mine", [f"c{i}" for i in range(10)])
    (home / "config.toml").write_text("new_cards_per_day = 3\n")
    assert due_json(run_cli)["mine"]["new"] == 3
    with Store(home) as store:
        store.record_review("mine", "c0", 4)
    assert due_json(run_cli)["mine"]["new"] == 2


def test_a_bad_config_is_one_line_naming_the_file_and_key(run_cli, home: Path, own_decks_only):
    home.mkdir()
    (home / "config.toml").write_text("new_cards_per_day = 'lots'\n")
    result = run_cli("due")
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines() == [
        f"studycards: {home / 'config.toml'}: key 'new_cards_per_day' must be a whole number from 0 to 10000,"
        " not 'lots'"
    ]


def test_a_template_removed_from_its_deck_file_keeps_its_history_and_comes_back(run_cli, home: Path, own_decks_only):
    path = write_deck(home, "mine", ["keep", "drop"])
    review_days_ago(home, 2, "mine", ["keep", "drop"])
    assert due_json(run_cli)["mine"]["due"] == 2
    original = path.read_text()
    write_deck(home, "mine", ["keep"])
    assert due_json(run_cli)["mine"] == {"deck": "mine", "learning": 0, "due": 1, "new": 0, "reviewed_today": 0}
    path.write_text(original)
    assert due_json(run_cli)["mine"]["due"] == 2
    with Store(home) as store:
        assert store.card("mine", "drop").first_seen == (datetime.now() - timedelta(days=2, hours=4)).date()


def test_a_damaged_database_stops_due_with_one_line_and_is_left_byte_identical(run_cli, home: Path, own_decks_only):
    home.mkdir()
    path = home / "studycards.db"
    path.write_bytes(b"this is not a database at all\n" * 100)
    before = path.read_bytes()
    for command in (["due"], ["due", "--json"], ["doctor"], ["doctor", "--rebuild"]):
        result = run_cli(*command)
        assert result.exit_code != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"studycards: {path}: not a SQLite database")
        assert "Traceback" not in result.output
        assert path.read_bytes() == before


def test_doctor_reports_a_healthy_store(run_cli, home: Path, own_decks_only):
    review_days_ago(home, 1, "cnn", ["a", "b"])
    result = run_cli("doctor")
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.stdout
    assert "review log: 2 rows (0 of them undos)" in result.stdout
    assert "schedules: all match the review log" in result.stdout


def test_doctor_finds_schedules_that_disagree_with_the_log_and_rebuild_fixes_them(run_cli, home: Path, own_decks_only):
    write_deck(home, "mine", ["a", "b", "c"])
    review_days_ago(home, 8, "mine", ["a", "b", "c"])
    review_days_ago(home, 5, "mine", ["a", "b"], quality=5)  # a: due tomorrow
    with Store(home) as store:
        store.undo_last_review()  # b: back to due a week ago
        expected = store.cards()
    assert due_json(run_cli)["mine"]["due"] == 2
    with sqlite3.connect(home / "studycards.db") as raw:
        raw.execute("UPDATE cards SET due = '2999-01-01', interval = 400 WHERE card_id = 'b'")
    raw.close()
    assert due_json(run_cli)["mine"]["due"] == 1  # the damage is visible to the learner

    checked = run_cli("doctor")
    assert checked.exit_code == 1
    assert "schedules: 1 differ from the review log (mine/b)" in checked.stdout
    assert "studycards doctor --rebuild" in checked.stdout

    rebuilt = run_cli("doctor", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt: 3 card schedules and the statistics' tallies from the review log" in rebuilt.stdout
    with Store(home) as store:
        assert store.cards() == expected
    assert run_cli("doctor").exit_code == 0
    assert due_json(run_cli)["mine"]["due"] == 2


def test_doctor_recounts_the_kept_new_card_counts_and_rebuild_drops_them(run_cli, home: Path, own_decks_only):
    write_deck(home, "mine", ["a", "b", "c"])
    review_days_ago(home, 1, "mine", ["a"])
    assert due_json(run_cli)["mine"]["new"] == 2  # counted, and kept for the next process
    healthy = run_cli("doctor")
    assert healthy.exit_code == 0, healthy.output
    assert "new-card counts: 1 kept for the decks as they are, all match a recount" in healthy.stdout
    raw = sqlite3.connect(home / "studycards.db", isolation_level=None)
    raw.execute("UPDATE deck_coverage SET scheduled = 0 WHERE deck_id = 'mine'")
    raw.close()
    assert due_json(run_cli)["mine"]["new"] == 3  # the damage is visible to the learner

    checked = run_cli("doctor")
    assert checked.exit_code == 1
    assert "new-card counts: 1 of 1 kept differ from a recount (deck_coverage mine: 0 of 3 kept, 1 of 3 recounted)" in (
        checked.stdout
    )
    assert "studycards doctor --rebuild" in checked.stdout

    rebuilt = run_cli("doctor", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "new-card counts: the kept ones dropped" in rebuilt.stdout
    assert "new-card counts: 0 kept" in run_cli("doctor").stdout
    assert due_json(run_cli)["mine"]["new"] == 2
    assert "new-card counts: 1 kept for the decks as they are, all match a recount" in run_cli("doctor").stdout
    write_deck(home, "mine", ["c", "b", "a"])  # a list the row was not kept for: not checked, not used
    assert "new-card counts: 0 kept" in run_cli("doctor").stdout
    assert due_json(run_cli)["mine"]["new"] == 2


def test_doctor_mentions_cards_whose_template_is_gone(run_cli, home: Path, own_decks_only):
    write_deck(home, "mine", ["a"])
    review_days_ago(home, 1, "mine", ["a"])
    review_days_ago(home, 1, "gone-deck", ["x", "y"])
    result = run_cli("doctor")
    assert result.exit_code == 0
    assert "cards: 3 scheduled; 2 of them from templates no longer in any deck (kept, not scheduled)" in result.stdout


def review_today(home: Path, deck: str, card: str, quality: int, kind: str = "review") -> None:
    with Store(home) as store:
        store.record_review(deck, card, quality, kind=kind)


def test_due_counts_cards_failed_today_as_learning_until_they_get_4(run_cli, home: Path, own_decks_only):
    write_deck(home, "mine", ["a", "b", "c"])
    review_days_ago(home, 1, "mine", ["a"])  # due today
    review_today(home, "mine", "b", 2)  # introduced and failed today
    review_today(home, "mine", "c", 1)
    mine = due_json(run_cli)["mine"]
    assert (mine["learning"], mine["due"], mine["new"], mine["reviewed_today"]) == (2, 1, 0, 2)

    table = run_cli("due").stdout.splitlines()
    assert table[0].split() == ["deck", "learning", "due", "new", "reviewed", "today"]
    assert table[2].split() == ["mine", "2", "1", "0", "2"]

    review_today(home, "mine", "b", 4, kind="redrill")  # answered well: no longer learning
    assert due_json(run_cli)["mine"]["learning"] == 1
    with Store(home) as store:
        store.undo_last_review()  # undone: failed again as far as the log goes
    assert due_json(run_cli)["mine"]["learning"] == 2


def test_doctor_recomputes_todays_learning_cards_from_the_whole_log(run_cli, home: Path, own_decks_only):
    write_deck(home, "mine", ["a", "b"])
    review_today(home, "mine", "a", 2)
    review_today(home, "mine", "b", 5)
    healthy = run_cli("doctor")
    assert healthy.exit_code == 0, healthy.output
    assert "learning today: 1 card (mine 1); the whole review log agrees" in healthy.stdout

    with sqlite3.connect(home / "studycards.db") as raw:  # a schedule damaged to say a is due today
        raw.execute("UPDATE cards SET due = '2000-01-01' WHERE card_id = 'a'")
    raw.close()
    assert due_json(run_cli)["mine"]["learning"] == 0  # the damage hides the failed card
    checked = run_cli("doctor")
    assert checked.exit_code == 1
    assert "learning today: 1 differ from the review log: mine/a (learning by the log)" in checked.stdout
    assert "studycards doctor --rebuild" in checked.stdout
    rebuilt = run_cli("doctor", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "learning today: 1 card (mine 1)" in rebuilt.stdout
    assert due_json(run_cli)["mine"]["learning"] == 1


def test_doctor_points_out_reviews_made_while_the_clock_was_ahead(run_cli, home: Path, own_decks_only):
    write_deck(home, "mine", ["a"])
    review_days_ago(home, -3, "mine", ["a"], quality=1)  # three days in the future
    result = run_cli("doctor")
    assert result.exit_code == 0, result.output
    assert "clock: 1 review dated after today" in result.stdout
    assert "learning today: none" in result.stdout
