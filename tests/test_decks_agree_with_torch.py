"""Every template of every shipped deck, over many seeds, agrees with torch (STACK's question tests).

New decks are picked up automatically: the cards are parametrised from whatever ``decks/`` holds.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studycards.deck import load_decks
from studycards.ground_truth import truth_of
from studycards.question import generate

CARDS = [card for deck in load_decks() for card in deck.cards]


@pytest.mark.parametrize("card", CARDS, ids=[card.ref for card in CARDS])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**63))
def test_every_generated_answer_agrees_with_torch(card, seed):
    question = generate(card, seed)
    assert "{" not in question.prompt and "{" not in question.solution, "a placeholder was left unfilled"
    truth = truth_of(question)
    if truth is None:
        assert card.kind == "choice"
        assert question.answer in card.choices or question.answer.strip() in card.choices
        return
    assert truth.agrees, f"{card.ref} seed {seed}: deck says {question.answer_text}; {truth.describe()}"


@pytest.mark.parametrize("card", CARDS, ids=[card.ref for card in CARDS])
def test_same_seed_same_question(card):
    first, again = generate(card, 7), generate(card, 7)
    assert (first.prompt, first.answer_text, first.solution) == (again.prompt, again.answer_text, again.solution)


def test_seeds_vary_the_numbers():
    card = next(c for c in CARDS if c.ref == "cnn/conv-output-size")
    prompts = {generate(card, seed).prompt for seed in range(20)}
    assert len(prompts) > 10


def test_decks_json_lists_every_deck_and_card(run_cli):
    data = json.loads(run_cli("decks", "--json").output)
    assert [d["id"] for d in data] == [deck.id for deck in load_decks()]
    cnn = next(d for d in data if d["id"] == "cnn")
    assert len(cnn["cards"]) >= 12 and set(cnn["cards"][0]) >= {"id", "title"}
    conv = next(c for c in cnn["cards"] if c["id"] == "conv-params")
    assert conv["kind"] == "number" and conv["aliases"]["kernel_size"] == "k" and "forgot-bias" in conv["slips"]
    mdn = next(d for d in data if d["id"] == "mdn")
    dim = next(c for c in mdn["cards"] if c["id"] == "softmax-mixture-dim")
    assert (dim["equivalents"], dim["slips"]) == (["-1"], [])


def test_show_json_has_the_documented_keys(run_cli):
    data = json.loads(run_cli("show", "cnn/conv-params", "--seed", "4", "--json").output)
    assert {"prompt", "answer", "solution", "params", "seed"} <= set(data)
    params = data["params"]
    assert data["answer"] == f"{params['k'] ** 2 * params['c'] * params['o'] + params['o']:,}"
    assert data["seed"] == 4


def test_show_a_whole_deck_and_a_bad_reference(run_cli):
    whole = run_cli("show", "cnn", "--seed", "1")
    cnn = next(deck for deck in load_decks() if deck.id == "cnn")
    assert whole.exit_code == 0 and whole.output.count("answer:") == len(cnn.cards)
    from click.testing import CliRunner

    from studycards.cli import main

    bad = CliRunner().invoke(main, ["show", "cnn/no-such-card"])
    assert bad.exit_code != 0 and "no card 'no-such-card'" in bad.output


def test_check_cli_proves_the_cnn_deck_and_names_a_disagreement(run_cli, home):
    ok = run_cli("check", "cnn", "--seeds", "30")
    assert ok.exit_code == 0 and "0 failed" in ok.output
    # A learner's own deck with a wrong answer formula: check must fail and name deck/card/seed.
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "wrong.toml").write_text(
        'title = "Wrong"\n[[cards]]\nid = "out"\ntitle = "t"\nprompt = "{i}"\nanswer = "i - k"\n'
        'solution = "s"\n[cards.params]\ni = { range = [8, 16] }\nk = { choices = [3] }\n'
        '[cards.truth]\nlayer = "Conv2d(1, 1, k)"\ninput = "(1, 1, i, i)"\nread = "shape[2]"\n',
        encoding="utf-8",
    )
    from click.testing import CliRunner

    from studycards.cli import main

    bad = CliRunner().invoke(main, ["--home", str(home), "check", "wrong", "--seeds", "5"])
    assert bad.exit_code == 1
    assert "wrong/out seed 0: the deck says" in bad.output and "torch reads" in bad.output
