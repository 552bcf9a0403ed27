"""Prompts wrapped by hand in a deck file read as whole sentences on screen."""

from __future__ import annotations

from studycards.deck import load_decks
from studycards.question import generate
from studycards.tui.quiz_screen import reflow


def test_a_mid_sentence_break_is_joined_and_sentence_breaks_stay():
    text = "A 56×56 input, a 7×7 kernel, stride 3. The stride does not divide\n(i − k + 2p) evenly.\nWhat height?"
    assert reflow(text) == (
        "A 56×56 input, a 7×7 kernel, stride 3. The stride does not divide (i − k + 2p) evenly.\nWhat height?"
    )


def test_lists_indented_lines_and_paragraphs_keep_their_breaks():
    text = "Layers:\n  conv1 11×11\n  conv2 5×5\n\nwhich one\n- a\n- b"
    assert reflow(text) == text


def test_reflow_keeps_every_word_of_every_shipped_prompt():
    for deck in load_decks():
        for card in deck.cards:
            prompt = generate(card, 1).prompt.strip()
            assert reflow(prompt).split() == prompt.split()
