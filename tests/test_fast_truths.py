"""The fast truths (cached on the layer as built, memoised meta kernels, short sequences) read exactly
what the plain way reads: the same value, verdict and torch line for every card."""

from __future__ import annotations

import pytest

from studycards.deck import load_decks
from studycards.ground_truth import plain_torch, truth_of
from studycards.question import generate

CARDS = [card for deck in load_decks() for card in deck.cards if card.truth is not None and card.truth.layers]


@pytest.mark.parametrize("card", CARDS, ids=lambda card: card.ref)
def test_fast_truth_reads_what_plain_torch_reads(card):
    for seed in (0, 1):
        question = generate(card, seed)
        with plain_torch():
            plain = truth_of(question)
        fast = truth_of(question)
        assert (fast.value, fast.agrees, fast.lines) == (plain.value, plain.agrees, plain.lines)
