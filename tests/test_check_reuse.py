"""`check` works out each distinct set of drawn values once and builds each layer once per card, and
reports exactly what working out every seed from scratch reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards import ground_truth
from studycards.deck import find_deck, load_deck
from studycards.deck_check import check_card

WRONG = '''
title = "A wrong formula"

[[cards]]
id = "linear-params"
title = "Parameters of a linear layer"
prompt = "How many parameters has Linear({n}, {m})?"
answer = "n*m"
solution = "{n}·{m} weights and {m} biases: {answer}."
[cards.params]
n = { choices = [3, 4] }
m = { choices = [5] }
[cards.truth]
layer = "Linear(n, m)"
read = "params"
'''


def _summary(report) -> tuple:
    return report.seeds, report.proved, report.unprovable, report.failed, report.failures


@pytest.mark.parametrize(
    "ref", ["lstm/lstm-gate-roles", "transformer/decoder-output-shape", "modern-cnn/densenet-transition-shape"]
)
def test_reusing_work_reports_what_working_every_seed_out_reports(ref: str):
    deck_id, _ = ref.split("/")
    card = next(card for card in find_deck(deck_id).cards if card.ref == ref)
    assert _summary(check_card(card, range(12))) == _summary(check_card(card, range(12), reuse=False))


def test_every_seed_drawing_the_same_values_fails_under_its_own_seed(tmp_path: Path):
    path = tmp_path / "wrong.toml"
    path.write_text(WRONG, encoding="utf-8")
    card = load_deck(path).cards[0]
    report = check_card(card, range(6))  # two sets of values among six seeds
    assert (report.seeds, report.proved, report.failed) == (6, 0, 6)
    assert [message.split(":")[0] for message in report.failures] == [f"wrong/linear-params seed {s}" for s in range(5)]
    assert all("torch reads" in message for message in report.failures)
    assert _summary(report) == _summary(check_card(card, range(6), reuse=False))


def test_a_layer_is_built_once_inside_reusing_modules_and_afresh_outside(monkeypatch):
    built: list = []
    build_call = ground_truth.build_call
    monkeypatch.setattr(ground_truth, "build_call", lambda call: built.append(call) or build_call(call))
    ground_truth._measure.cache_clear()
    spec = ground_truth.parse_spec("Linear(7, 3)")
    with ground_truth.reusing_modules():
        shapes = [ground_truth.measure(spec, {}, (n, 7)).output_shape for n in (1, 2, 3)]
    assert shapes == [(1, 3), (2, 3), (3, 3)] and len(built) == 1
    assert ground_truth.measure(spec, {}, (4, 7)).output_shape == (4, 3) and len(built) == 2
