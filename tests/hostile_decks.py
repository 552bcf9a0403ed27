"""Hostile deck files: what a stranger's shared deck might hold to break, hang or exhaust studycards.

Each ``HostileDeck`` makes one entry in ``<home>/decks`` (a file, a FIFO, a symlink). ``broken`` ones
must be set aside when decks load, with a one-line error containing ``error``; the others load, and one
of their cards must fail ``check`` with that error (naming the card and the field) in bounded time and
memory. ``materialise`` writes a list of them into a home.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HostileDeck:
    """One hostile entry: its file name, how to make it, what its error says, and whether it loads."""

    label: str
    file_name: str
    make: Callable[[Path], None]
    error: str
    broken: bool = True

    @property
    def deck_id(self) -> str:
        """The id a command names it by: each corpus deck's id is its file name."""
        return self.file_name.removesuffix(".toml")


def deck_text(deck_id: str, card: str = "", title: str = "A shared deck") -> str:
    """A valid one-card deck; ``card`` adds or overrides lines of the card table."""
    return f'''id = "{deck_id}"
title = "{title}"

[[cards]]
id = "sum"
title = "A sum"
prompt = "What is {{a}} + {{a}}?"
answer = "2 * a"
solution = "{{a}} + {{a}} = {{answer}}"
params = {{ a = {{ range = [1, 9] }} }}
truth = {{ layer = "Linear(a, 2 * a, bias=False)", read = "params // a" }}
{card}'''


def _text(content: str | bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return make


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _symlink_to(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


def _truth_card(deck_id: str, truth: str, answer: str = "1") -> Callable[[Path], None]:
    """A deck that loads but whose first card is hostile when proved: it must fail ``check`` only."""
    card = f'''id = "{deck_id}"
title = "A deck with a hostile truth"

[[cards]]
id = "hostile"
title = "A hostile truth"
prompt = "What is it?"
answer = "{answer}"
solution = "It is {{answer}}."
truth = {truth}
'''
    return _text(card + deck_text(deck_id).split("\n", 2)[2])


CORPUS: list[HostileDeck] = [
    HostileDeck("invalid TOML", "badtoml.toml", _text('id = "badtoml"\ntitle = [\n'), "not valid TOML"),
    HostileDeck(
        "unknown field",
        "badfield.toml",
        _text(deck_text("badfield", 'anwser = "2"\n')),
        "card 'sum': field 'anwser': unknown field (did you mean 'answer'?)",
    ),
    HostileDeck(
        "formula that calls code",
        "code.toml",
        _text(deck_text("code").replace('answer = "2 * a"', "answer = \"__import__('os').system('true')\"")),
        "card 'sum': field 'answer'",
    ),
    HostileDeck("not UTF-8", "latin.toml", _text(b'id = "latin"\ntitle = "caf\xe9"\n'), "not UTF-8"),
    HostileDeck("a FIFO", "fifo.toml", _fifo, "not a regular file (it is a FIFO)"),
    HostileDeck("a symlink to /dev/zero", "zero.toml", _symlink_to("/dev/zero"), "it is a character device"),
    HostileDeck("a dangling symlink", "dangling.toml", _symlink_to("/nonexistent/deck.toml"), "cannot read"),
    HostileDeck("a folder", "folder.toml", lambda path: path.mkdir(), "it is a folder"),
    HostileDeck(
        "a huge file",
        "huge.toml",
        _text(deck_text("huge") + "# " + "x" * 2_000_000 + "\n"),
        "larger than 1,000,000 bytes",
    ),
    HostileDeck(
        "deeply nested arrays",
        "nested.toml",
        _text(deck_text("nested") + "[cards.x]\ny = " + "[" * 50_000 + "]" * 50_000 + "\n"),
        "nested too deeply",
    ),
    HostileDeck(
        "a dotted key 100,000 parts long",
        "dotted.toml",
        _text('id = "dotted"\n' + "x." * 100_000 + "y = 1\n"),
        "a dotted key has more than 64 parts",
    ),
    HostileDeck(
        "deeply nested formula",
        "parens.toml",
        _text(deck_text("parens").replace('answer = "2 * a"', 'answer = "' + "(" * 500 + "a" + ")" * 500 + '"')),
        "card 'sum': field 'answer'",
    ),
    HostileDeck(
        "a range of 10^12 values",
        "hugerange.toml",
        _text(deck_text("hugerange").replace("range = [1, 9]", "range = [1, 1000000000000]")),
        "card 'sum': field 'params.a': range has more than 100000 values",
    ),
    HostileDeck(
        "a bundled deck's id",
        "mycnn.toml",
        _text(deck_text("cnn")),
        "field 'id': deck id 'cnn' is already used by",
    ),
    HostileDeck(
        "too many cards",
        "manycards.toml",
        _text('id = "manycards"\ntitle = "Many"\n' + "".join(f'[[cards]]\nid = "c{i}"\n' for i in range(1500))),
        "field 'cards': a deck holds at most 1000 cards",
    ),
    # Decks that load, but whose first card is hostile when torch proves it.
    HostileDeck(
        "attention_scale of a 16384-wide layer (8 GB of weights)",
        "bigscale.toml",
        _truth_card("bigscale", '{ layer = "Linear(1, 1)", read = "attention_scale(16384, 1)" }'),
        "bigscale.toml: card 'hostile': field 'truth.read': attention_scale(16384, 1) would need 8 GB of memory",
        broken=False,
    ),
    HostileDeck(
        "attention_weights of a 16384-wide layer (4 GB on the CPU)",
        "bigweights.toml",
        _truth_card(
            "bigweights",
            '{ layer = "Linear(1, 1)", read = "attention_weights(16384, 1, (1, 1, 1), (1, 1, 1), (1, 1, 1))" }',
            answer="(1, 1, 1)",
        ),
        "hostile seed 0: the deck says (1, 1, 1) but torch reads ()",
        broken=False,
    ),
    HostileDeck(
        "softmax over 10^9 entries",
        "bigsoftmax.toml",
        _truth_card("bigsoftmax", '{ layer = "Linear(1, 1)", read = "softmax_sums((1000, 1000, 1000), 0)[0]" }'),
        "bigsoftmax.toml: card 'hostile': field 'truth.read': softmax_sums needs a small shape tuple",
        broken=False,
    ),
    HostileDeck(
        "an answer of 9**9**9",
        "power.toml",
        _truth_card("power", '{ layer = "Linear(1, 1)", read = "params" }', answer="9**9**9"),
        "card 'hostile': field 'answer': exponent 387420489 is larger than 256",
        broken=False,
    ),
    HostileDeck(
        "a layer 2^60 wide",
        "widelayer.toml",
        _truth_card("widelayer", '{ layer = "Linear(2**60, 2**60)", read = "params" }'),
        "widelayer.toml: card 'hostile': field 'truth.layer':"
        " Linear: 1152921504606846976 is too large for a layer size",
        broken=False,
    ),
]

# Truths that are costly done naively but must be proved, quickly: an LSTM over 20,000 steps.
LONG_LSTM = _truth_card(
    "longlstm", '{ layer = "LSTM(10, 20)", input = "(20000, 1, 10)", read = "shape" }', answer="(20000, 1, 20)"
)
# A truth that builds and runs 100 dense layers: proved within the deadline; and four times as many,
# refused past a lowered one.
DEEP_TRUTH = _truth_card(
    "deeptruth", '{ layer = "DenseBlock(100, 4, 2)", input = "(1, 4, 4, 4)", read = "shape[1]" }', answer="204"
)
DEEPER_TRUTH = _truth_card(
    "deepertruth",
    '{ layer = "Sequential(DenseBlock(100, 4, 2), DenseBlock(100, 204, 2), DenseBlock(100, 404, 2),'
    ' DenseBlock(100, 604, 2))", input = "(1, 4, 4, 4)", read = "shape[1]" }',
    answer="804",
)


def many_ranges(deck_id: str = "ranges", cards: int = 300, params: int = 20) -> str:
    """A deck whose params hold 100,000 values each, thousands of times: loading must not store them."""
    names = [f"p{i}" for i in range(params)]
    table = ", ".join(f"{name} = {{ range = [1, 100000] }}" for name in names)
    card = """
[[cards]]
id = "c{index}"
title = "Many ranges"
prompt = "What is {{p0}} + 1?"
answer = "p0 + 1"
solution = "{{answer}}"
params = {{ {table} }}
truth = {{ layer = "Linear(1, 1)", read = "params - 2 + p0 + 1" }}
"""
    return f'id = "{deck_id}"\ntitle = "Ranges"\n' + "".join(
        card.format(index=index, table=table) for index in range(cards)
    )


def materialise(decks_dir: Path, corpus: list[HostileDeck]) -> None:
    """Make each hostile entry in ``decks_dir`` (created if needed)."""
    decks_dir.mkdir(parents=True, exist_ok=True)
    for hostile in corpus:
        hostile.make(decks_dir / hostile.file_name)
