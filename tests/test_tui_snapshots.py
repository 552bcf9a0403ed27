"""Snapshots of the quiz screen at 80×24, before and after an answer (pytest-textual-snapshot).

Deterministic by construction: a deck written here with fixed numbers (so neither the seed nor edits to
the bundled decks change the picture), a fixed clock, the cursor not blinking, and the torch line awaited.
Update with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a deliberate change, and look
at the SVGs in ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from studycards.deck import load_decks
from studycards.store import Store
from studycards.tui.app import StudycardsApp
from studycards.tui.widgets import AnswerInput

SNAPSHOT_DECK = """
id = "snap"
title = "Convolution arithmetic"

[[cards]]
id = "conv-output-size"
title = "Output size of a convolution"
kind = "number"
prompt = '''
A {c}-channel {i}×{i} image goes through a Conv2d with {o} filters of size {k}×{k}, stride {s} and padding {p}.
What is the height of the output feature map?'''
answer = "(i - k + 2*p)/s + 1"
solution = '''
Output size = (i − k + 2p)/s + 1 = ({i} − {k} + 2·{p})/{s} + 1 = {answer}'''

[cards.params]
i = { choices = [37] }
k = { choices = [5] }
s = { choices = [2] }
p = { choices = [1] }
c = { choices = [3] }
o = { choices = [8] }

[cards.truth]
layer = "Conv2d(c, o, k, stride=s, padding=p)"
input = "(1, c, i, i)"
read = "shape[2]"

[[cards.mistakes]]
id = "forgot-plus-one"
answer = "(i - k + 2*p)/s"
feedback = "You forgot the +1: the first position of the kernel counts too."

[[cards]]
id = "which-layer"
title = "Which layer convolves"
kind = "choice"
prompt = "Which layer slides a kernel over its input?"
choices = ["Conv2d", "Linear"]
answer = "Conv2d"
solution = "Conv2d slides a kernel; Linear multiplies by a matrix."
"""


@pytest.fixture
def quiz_app(home: Path):
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "snap.toml").write_text(SNAPSHOT_DECK, encoding="utf-8")
    store = Store(home, now=lambda: datetime(2025, 11, 25, 12, 0))
    yield StudycardsApp(
        home, load_decks(home), store, start="quiz", deck_id="snap", seeds=random.Random(1), clock=lambda: 50.0
    )
    store.close()


async def _steady(pilot: Pilot) -> None:
    pilot.app.screen.query_one(AnswerInput).cursor_blink = False
    await pilot.pause()


def test_quiz_screen_before_checking(quiz_app, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await _steady(pilot)
        await pilot.press(*"(37-5+2)/2")
        await pilot.pause()

    assert snap_compare(quiz_app, terminal_size=(80, 24), run_before=run_before)


def test_quiz_screen_after_a_wrong_answer(quiz_app, snap_compare):
    async def run_before(pilot: Pilot) -> None:
        await _steady(pilot)
        await pilot.press("1", "7", "enter")
        await pilot.app.background.wait()  # the torch line
        await pilot.pause()

    assert snap_compare(quiz_app, terminal_size=(80, 24), run_before=run_before)
