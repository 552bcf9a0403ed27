"""A database file that is not a sound studycards database is refused, named, and left byte-identical."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studycards.errors import StoreError
from studycards.store import SCHEMA_VERSION, Store


def made_store(home: Path, reviews: int = 0) -> Path:
    with Store(home) as store:
        for i in range(reviews):
            store.record_review("cnn", f"card-{i % 97}", i % 6, seed=i, answer="x" * 40)
    path = home / "studycards.db"
    assert not Path(f"{path}-wal").exists()  # closed cleanly: everything is in the main file
    return path


def use_store(home: Path) -> None:
    """Everything a session does: open, read the schedule, write a review."""
    with Store(home) as store:
        store.due_summary({"cnn": ["card-1"]})
        store.due_cards()
        store.record_review("cnn", "card-1", 4)


def assert_refused(home: Path, path: Path, *phrases: str) -> None:
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        use_store(home)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    for phrase in phrases:
        assert phrase in message
    assert path.read_bytes() == before


def test_an_empty_file_is_refused_and_left_alone(home: Path):
    home.mkdir()
    path = home / "studycards.db"
    path.write_bytes(b"")
    assert_refused(home, path, "empty", "left untouched", "move it aside")


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(home: Path):
    home.mkdir()
    path = home / "studycards.db"
    path.write_text("my shopping list\neggs\n")
    assert_refused(home, path, "not a SQLite database", "left untouched")


def test_another_programs_sqlite_database_is_refused_and_left_alone(home: Path):
    home.mkdir()
    path = home / "studycards.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE cards (front TEXT, back TEXT)")
        other.execute("INSERT INTO cards VALUES ('hello', 'world')")
    other.close()
    assert_refused(home, path, "some other program", "left untouched")


def test_a_database_from_a_newer_studycards_is_refused_and_left_alone(home: Path):
    path = made_store(home, reviews=3)
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    assert_refused(home, path, "newer studycards", f"schema {SCHEMA_VERSION + 1}", "upgrade studycards")


def test_a_studycards_database_missing_its_schema_record_is_refused(home: Path):
    home.mkdir()
    path = home / "studycards.db"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA application_id = 1396920900")  # ours, but nothing else is there
    raw.execute("CREATE TABLE t (x)")
    raw.close()
    assert_refused(home, path, "damaged studycards database", "left untouched")


def test_a_database_with_damaged_pages_is_refused_and_left_alone(home: Path):
    path = made_store(home, reviews=600)
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * 4096
    data[4096:] = bytes((i * 7 + 3) % 256 for i in range(len(data) - 4096))  # every page after the first
    path.write_bytes(bytes(data))
    assert_refused(home, path, "damaged", "left untouched")


def test_a_truncated_database_is_refused_and_left_alone(home: Path):
    path = made_store(home, reviews=600)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    assert_refused(home, path)


def test_a_folder_where_the_database_should_be_is_refused(home: Path):
    (home / "studycards.db").mkdir(parents=True)
    with pytest.raises(StoreError, match="is a folder"):
        use_store(home)
