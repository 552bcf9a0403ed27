"""What the decks say about named networks and about the course notes is true, for every seed.

``check`` proves each answer with torch; these prove the facts a text states around the answer: the
block counts it gives for ResNet-50, the formula it quotes from the notes, that an "upsampling" layer
upsamples, and that the sums it writes out have the terms they claim.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studycards.architectures import ARCHITECTURES
from studycards.deck import load_decks
from studycards.question import generate

SEEDS = range(200)
COURSE = Path(__file__).resolve().parents[2] / "shared" / "course"
CARDS = {card.ref: card for deck in load_decks() for card in deck.cards}


def questions(ref: str):
    return [generate(CARDS[ref], seed) for seed in SEEDS]


def test_resnet50_stages_have_the_blocks_resnet50_has():
    blocks = ARCHITECTURES["resnet50"].args[1]  # the stages count builds and proves against torchinfo
    seen = set()
    for question in questions("modern-cnn/resnet-stage-shape"):
        said = re.search(r"stage (\d) of ResNet-50: (\d+) bottleneck blocks", question.prompt)
        stage, count = int(said.group(1)), int(said.group(2))
        assert count == blocks[stage - 1], question.prompt
        assert f"the other {count - 1} blocks keep" in question.solution
        seen.add(stage)
    assert seen == {2, 3, 4}


def test_the_notes_count_for_fc6_is_quoted_as_the_notes_write_it():
    if not COURSE.is_dir():
        pytest.skip(f"the course notes are not beside this checkout ({COURSE})")
    notes = " ".join(path.read_text(encoding="utf-8") for path in COURSE.glob("*.txt"))
    notes = re.sub(r" +", " ", re.sub(r"\([^()]*\)", "", notes))  # "2048(벡터) * 2(…)": without the asides
    for question in questions("modern-cnn/alexnet-fc6-input-size")[:20]:
        quoted = re.search(r"The notes count fc6 as `([\d *]+)`,", question.solution).group(1)
        assert quoted in notes
    notes_count = next(m for m in CARDS["modern-cnn/alexnet-fc6-input-size"].mistakes if m.id == "notes-count")
    values = {"p2": 13, "p3": 6}
    assert notes_count.answer.evaluate(values) == 13 * 13 * 128 * 2048 * 2  # the notes' number at 224×224


def test_a_transposed_convolution_card_always_upsamples():
    for question in questions("cnn/transposed-conv-output"):
        assert question.answer > question.values["i"], question.prompt


def test_a_written_out_sum_has_distinct_terms():
    for ref in ("mdn/softmax-wrong-dim-groups",):
        for question in questions(ref):
            for terms in re.findall(r"p\[[^\]]+\](?: \+ (?:…|p\[[^\]]+\]))+", question.solution):
                named = [term for term in terms.split(" + ") if term != "…"]
                assert len(named) == len(set(named)), terms


def test_groupnorm_names_the_group_counts_of_its_neighbours():
    for question in questions("normalization/groupnorm-stat-size"):
        c = question.values["c"]
        assert "One group would be LayerNorm" in question.solution
        assert f"{c} groups, one per channel, InstanceNorm" in question.solution
        assert not re.search(r"\b(\d+) = (?!\1\b)\d+ would", question.solution)


def test_softmax_groups_say_what_each_group_is_for():
    for question in questions("mdn/softmax-mixture-dim"):
        per = "input" if question.values["r"] == 2 else "input and time step"
        assert f"groups, one per {per}, each of" in question.solution


def test_every_bottleneck_block_asked_about_is_one_resnet50_has():
    import torch

    from studycards.architectures import Bottleneck, build_architecture

    with torch.device("meta"):
        network = build_architecture("resnet50")
    bottlenecks = [m for m in network.modules() if isinstance(m, Bottleneck)]
    blocks = {(m.conv1.in_channels, m.conv1.out_channels, m.stride) for m in bottlenecks}
    asked = set()
    for question in questions("modern-cnn/resnet-bottleneck-params"):
        said = re.search(r"Bottleneck\((\d+), (\d+), stride=(\d)\)", question.prompt)
        asked.add(tuple(int(said.group(n)) for n in (1, 2, 3)))
    assert asked <= blocks and len(asked) >= 6, asked - blocks
