"""The format documented in decks/README.md is the format the loader reads."""

from __future__ import annotations

import re
from pathlib import Path

from studycards.deck import load_deck
from studycards.deck_check import check_card

README = Path(__file__).resolve().parent.parent / "decks" / "README.md"


def test_the_full_example_in_the_deck_readme_loads_and_agrees_with_torch(tmp_path: Path):
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    example = max(blocks, key=len)
    path = tmp_path / "mini.toml"
    path.write_text(example, encoding="utf-8")
    deck = load_deck(path)
    assert deck.id == "mini" and [card.id for card in deck.cards] == ["conv-output-size"]
    report = check_card(deck.cards[0], range(50))
    assert report.ok and report.proved == 50
