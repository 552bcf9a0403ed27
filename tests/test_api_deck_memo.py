"""The Python API reads each deck file once per process, and again as soon as the file is edited."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import studycards
import studycards.deck as deck_module
from studycards.errors import DeckError

DECK = '''title = "Mine"

[[cards]]
id = "out"
title = "Output size"
prompt = "A {i}x{i} input and a {k}x{k} kernel: output size?"
answer = "@ANSWER@"
solution = "{answer}"

[cards.params]
i = { range = [8, 16] }
k = { choices = [3, 5] }

[cards.truth]
layer = "Conv2d(1, 1, k)"
input = "(1, 1, i, i)"
holds = "shape[2] == i - k + 1"
'''


def write(home: Path, answer: str) -> Path:
    path = home / "decks" / "mine.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DECK.replace("@ANSWER@", answer), encoding="utf-8")
    return path


def test_an_edited_deck_is_graded_by_its_new_text(home):
    path = write(home, "i - k + 1")
    question = studycards.show("mine/out", seed=3, home=home)
    i, k = question.values["i"], question.values["k"]
    assert studycards.grade("mine/out", 3, str(i - k + 1), home=home).verdict == "correct"

    write(home, "i + k")  # another size: an editor saving the file
    assert studycards.grade("mine/out", 3, str(i - k + 1), home=home).verdict == "incorrect"
    assert studycards.grade("mine/out", 3, str(i + k), home=home).verdict == "correct"

    write(home, "i * k")  # the same size as before: the new mtime alone must be noticed
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert studycards.grade("mine/out", 3, str(i * k), home=home).verdict == "correct"


def test_a_deck_broken_then_fixed_is_read_again(home):
    path = write(home, "i - k +")
    assert "mine" not in [deck.id for deck in _loadable(home)]
    write(home, "i - k + 1")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert "mine" in [deck.id for deck in _loadable(home)]


def _loadable(home: Path) -> list:
    decks = []
    for file in deck_module.deck_paths(home):
        with contextlib.suppress(DeckError):
            decks.append(deck_module.load_deck(file))
    return decks


def test_warm_grading_parses_no_deck_file(home, monkeypatch):
    write(home, "i - k + 1")
    studycards.grade("mine/out", 0, "7", home=home)
    studycards.grade("cnn/conv-params", 0, "7", home=home)
    parsed: list[str] = []
    real_loads = deck_module.tomllib.loads
    monkeypatch.setattr(deck_module.tomllib, "loads", lambda text: parsed.append(text) or real_loads(text))
    for seed in range(20):
        studycards.grade("mine/out", seed, "7", home=home)
        studycards.grade("cnn/conv-params", seed, "7", home=home)
    assert parsed == []
    write(home, "i - k + 2")
    os.utime(home / "decks" / "mine.toml", ns=(0, 10**18))
    studycards.grade("mine/out", 0, "7", home=home)
    assert len(parsed) == 1  # only the edited file is read again


def test_a_deck_file_added_or_removed_is_noticed(home):
    (home / "decks").mkdir(parents=True)
    assert "mine" not in [deck.id for deck in studycards.decks(home)]
    path = write(home, "i - k + 1")
    assert "mine" in [deck.id for deck in studycards.decks(home)]
    path.unlink()
    assert "mine" not in [deck.id for deck in studycards.decks(home)]
