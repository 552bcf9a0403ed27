"""The acceptance check from issue 7: `studycards check --seeds 500` passes for every shipped deck.

One test per deck, each running the real command in this process, so that pytest-xdist can spread the
decks over both workers (as one test, the whole check held one worker for over a minute while the other
sat idle) and no deck pays for a second start of torch.
"""

from __future__ import annotations

import re

import pytest

from studycards.deck import load_decks
from studycards.locations import bundled_decks_dir

SHIPPED = sorted(deck.id for deck in load_decks(paths=sorted(bundled_decks_dir().glob("*.toml"))).decks)


def test_every_shipped_deck_file_is_checked_below():
    assert len(SHIPPED) == len(list(bundled_decks_dir().glob("*.toml"))) >= 8


@pytest.mark.parametrize("deck", SHIPPED)
def test_check_500_seeds_passes(deck, run_cli):
    result = run_cli("check", deck, "--seeds", "500", "--jobs", "1")  # xdist already uses every core
    assert result.exit_code == 0, result.output[-2000:]
    summary = result.stdout.strip().splitlines()[-1]  # "14 cards, 7000 questions, 7000 proved by torch, 0 failed, …"
    cards, questions = (int(n) for n in re.findall(r"(\d+) (?:cards|questions)\b", summary))
    assert questions == 500 * cards and " 0 failed" in summary, summary
