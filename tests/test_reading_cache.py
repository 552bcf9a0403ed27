"""torch's readings kept on disk (``studycards.reading_cache``): the same answers as torch, from a later
process without torch, never stale after an edit, and never an error of their own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studycards import reading_cache
from studycards.deck import load_decks
from studycards.errors import SpecError
from studycards.ground_truth import count, truth_of
from studycards.question import generate
from studycards.reading_cache import ReadingCache
from studycards.readings import exact, plain

DECK = """\
id = "mine"
title = "Mine"

[[cards]]
id = "out"
title = "Output size"
kind = "number"
prompt = "A {i}×{i} input and a {k}×{k} kernel: output height?"
answer = "i - k + 1"
solution = "{i} − {k} + 1 = {answer}."

[cards.params]
i = { range = [8, 20] }
k = { choices = [3, 5] }

[cards.truth]
layer = "@LAYER@"
input = "(1, 1, i, i)"
read = "shape[2]"
"""


def write_deck(home: Path, layer: str) -> None:
    path = home / "decks" / "mine.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DECK.replace("@LAYER@", layer), encoding="utf-8")


def test_every_deck_reads_the_same_from_disk_as_from_torch(tmp_path):
    questions = [generate(card, seed) for deck in load_decks() for card in deck.cards for seed in (0, 7)]
    first = ReadingCache(tmp_path)
    kept = [first.truth(q) for q in questions]  # computed by torch, and written
    again = ReadingCache(tmp_path)  # a later process: read from the file
    for question, written in zip(questions, kept):
        torch_says = truth_of(question)
        read = again.truth(question)
        assert written == torch_says and read == torch_says, question.ref
        assert type(read.value) is type(torch_says.value) if read is not None else torch_says is None


def test_a_later_process_shows_truths_and_counts_without_importing_torch(run_cli, home):
    first = run_cli("show", "cnn", "--truth").output
    counted = run_cli("count", "resnet18").output
    script = textwrap.dedent(
        """
        import sys
        from studycards.cli import main
        try:
            main(sys.argv[1:])
        except SystemExit:
            pass
        print("torch imported:", "torch" in sys.modules, file=sys.stderr)
        """
    )
    for args, expected in ((["show", "cnn", "--truth"], first), (["count", "resnet18"], counted)):
        run = subprocess.run(
            [sys.executable, "-c", script, "--home", str(home), *args],
            capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "80"},
        )  # fmt: skip
        assert run.stdout == expected
        assert "torch imported: False" in run.stderr


def test_an_edited_truth_is_read_again_not_taken_from_the_file(run_cli, home):
    write_deck(home, "Conv2d(1, 1, k)")
    before = run_cli("show", "mine/out", "--seed", "2", "--truth").output
    assert "Conv2d(1, 1, 3)" in before or "Conv2d(1, 1, 5)" in before
    write_deck(home, "Conv2d(1, 1, k, padding=1)")  # the same values, another layer: torch must be asked
    after = run_cli("show", "mine/out", "--seed", "2", "--truth").output
    assert "padding=1" in after and after != before


def test_new_code_is_a_new_key(tmp_path, monkeypatch):
    question = generate(next(iter(load_decks())).cards[0], 1)
    ReadingCache(tmp_path).truth(question)
    asked: list[object] = []
    monkeypatch.setattr(reading_cache, "code_fingerprint", lambda: "another version")
    monkeypatch.setattr("studycards.ground_truth.truth_of", lambda q: asked.append(q) or truth_of(q))
    assert ReadingCache(tmp_path).truth(question) == truth_of(question)
    assert asked == [question]  # not taken from the rows the other code wrote


def test_a_damaged_file_is_replaced(tmp_path):
    path = tmp_path / "cache" / "readings.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database" * 100)
    assert ReadingCache(tmp_path).count("Linear(3, 4)").params == 16
    assert ReadingCache(tmp_path).count("Linear(3, 4)").params == 16
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_a_cache_that_cannot_be_made_is_worked_around(tmp_path):
    (tmp_path / "cache").write_text("a file where the folder would go")
    cache = ReadingCache(tmp_path)
    assert cache.count("Linear(3, 4)").params == 16
    assert cache.count("Linear(3, 4)", "2,3").output_shape == (2, 4)
    assert (tmp_path / "cache").read_text() == "a file where the folder would go"


def test_a_tampered_row_is_not_believed(tmp_path):
    cache = ReadingCache(tmp_path)
    cache.count("Linear(3, 4)")
    import sqlite3

    with sqlite3.connect(tmp_path / "cache" / "readings.sqlite3") as db:
        db.execute("UPDATE readings SET reading = ?", (json.dumps({"truth": {"agrees": True}}),))
    assert ReadingCache(tmp_path).count("Linear(3, 4)").params == 16


def test_errors_are_raised_every_time_and_never_kept(tmp_path):
    cache = ReadingCache(tmp_path)
    for _ in range(2):
        with pytest.raises(SpecError, match="negative dimension -3"):
            cache.count("Linear(-3, 4)")
    assert not (tmp_path / "cache").exists()


def test_a_count_round_trips_exactly():
    counted = count("googlenet")
    assert exact(json.loads(json.dumps(plain(counted)))) == counted


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    | st.fractions().map(Fraction) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4).map(tuple),
    max_leaves=12,
)  # fmt: skip


@given(values)
def test_plain_values_come_back_equal_and_of_the_same_types(value):
    back = exact(json.loads(json.dumps(plain(value))))
    assert back == value and repr(back) == repr(value)


@pytest.mark.parametrize("data", [{"tuple": 3}, {"fraction": [1]}, {"count": {"nope": 1}}, {"a": 1, "b": 2}, [1]])
def test_data_plain_did_not_write_is_refused(data):
    with pytest.raises(ValueError):
        exact(data)


def test_a_file_found_damaged_while_in_use_is_made_again(tmp_path):
    ReadingCache(tmp_path).count("Linear(3, 4)")
    ReadingCache(tmp_path).count("Linear(5, 6)")
    path = tmp_path / "cache" / "readings.sqlite3"
    data = bytearray(path.read_bytes())
    assert len(data) > 4096
    data[4096:] = b"\xff" * (len(data) - 4096)  # the header still says SQLite; the pages behind it are junk
    path.write_bytes(bytes(data))
    cache = ReadingCache(tmp_path)
    assert cache.count("Linear(3, 4)").params == 16  # asked torch: the kept row could not be read
    assert cache.count("Linear(5, 6)").params == 36
    import sqlite3

    with sqlite3.connect(path) as db:  # made again, and keeping readings
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM readings").fetchone()[0] >= 1
