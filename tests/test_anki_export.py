"""Exports to Anki, checked by importing them with Anki's own library into a fresh collection.

What a learner relies on: every card arrives once per seed with all its fields filled; importing the same
export again changes nothing; another seed adds notes; an edited template updates its notes in place;
the answer on the card is the answer ``studycards show`` gives.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.anki_export import (
    ANKI_ID_HIGH,
    ANKI_ID_LOW,
    FIELD_NAMES,
    TSV_COLUMNS,
    anki_deck_id,
    note_guid,
    note_type_id,
)
from studycards.deck import PLACEHOLDER, find_deck, load_decks
from studycards.errors import FormulaError
from studycards.formula import parse_formula

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection
ImportAnkiPackageOptions = anki_collection.ImportAnkiPackageOptions
ImportAnkiPackageRequest = anki_collection.ImportAnkiPackageRequest

CONTENT_FIELDS = tuple(name for name in FIELD_NAMES if name != "TypeAnswer")

MINI_DECK = '''
id = "mini"
title = "A small deck for export tests"
source = "tests/test_anki_export.py"

[[cards]]
id = "conv-output-size"
title = "Output size of a convolution"
kind = "number"
prompt = """
A {i}×{i} input, a {k}×{k} kernel, stride {s}, padding {p}.
What is the output height?"""
answer = "(i - k + 2*p)/s + 1"
constraints = ["k <= i + 2*p", "(i - k + 2*p) % s == 0"]
solution = """
Output = (i − k + 2p)/s + 1
       = ({i} − {k} + 2·{p})/{s} + 1 = {answer}"""

[cards.params]
i = { range = [7, 64] }
k = { choices = [1, 3, 5, 7] }
s = { range = [1, 3] }
p = { range = [0, 3] }

[cards.truth]
layer = "Conv2d(3, 8, k, stride=s, padding=p)"
input = "(1, 3, i, i)"
read = "shape[2]"

[[cards]]
id = "markup"
title = "Tags <b> & ampersands"
kind = "choice"
prompt = "Which element makes {n} words <b>bold</b> & keeps \\"quotes\\"? Sets look like {{1, 2}}."
choices = ["<b>", "<i>", "a < b & c"]
answer = "<b>"
solution = """
The <b> element puts {n} words in bold.
   x < y   stays aligned"""
tags = ["html basics", "escaping"]

[cards.params]
n = { range = [2, 9] }
'''


# --- helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def mini_deck(home: Path) -> Path:
    """The mini deck in the temporary home's own deck folder."""
    folder = home / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mini.toml"
    path.write_text(MINI_DECK, encoding="utf-8")
    return path


@pytest.fixture
def collection(tmp_path: Path):
    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_package(col, path: Path, **options):
    """Import like Anki's import dialog with its default options (update notes only if newer)."""
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions(**options))
    return col.import_anki_package(request).log


def imported_notes(col) -> list[dict]:
    notes = []
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        cards = note.cards()
        notes.append(
            {
                "fields": dict(note.items()),
                "guid": note.guid,
                "tags": set(note.tags),
                "decks": {col.decks.name(card.did) for card in cards},
                "templates": sorted(card.template()["name"] for card in cards),
                "cards": cards,
            }
        )
    return notes


def export(run_cli, *args: str):
    result = run_cli("export", *args)
    assert result.exit_code == 0, result.output
    return result


def field_text(value: str) -> str:
    """What a field shows, as plain text."""
    return html.unescape(value.replace("<br>", "\n"))


def field_words(value: str) -> str:
    """A field's words in order, its HTML tags (a code block's <pre>, a list) aside."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split())


def deck_words(text: str) -> str:
    """A deck text's words in order, the fences of its blocks aside."""
    return " ".join(word for word in text.split() if word != "```")


def unfilled_placeholders(text: str, names: set[str]) -> list[str]:
    """``{formula}`` pieces over the card's names still in ``text``: placeholders nobody filled."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        try:
            formula = parse_formula(match.group(1))
        except FormulaError:
            continue
        if formula.names and formula.names <= names:
            found.append(match.group(0))
    return found


def card_names(card) -> set[str]:
    return set(card.params) | set(card.derived) | {"answer"}


def show_json(run_cli, ref: str, seed: int):
    result = run_cli("show", ref, "--seed", str(seed), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- importing into Anki ---------------------------------------------------------------------------


def test_every_card_arrives_once_per_seed_with_every_field_filled(run_cli, mini_deck, collection, tmp_path):
    decks = load_decks(mini_deck.parent.parent)
    templates = {(deck.id, card.id): card for deck in decks for card in deck.cards}
    package = tmp_path / "all.apkg"

    result = export(run_cli, "all", "-o", str(package), "--instances", "3", "--seed", "10")
    log = import_package(collection, package)

    assert len(log.new) == collection.note_count() == 3 * len(templates)
    assert collection.card_count() == collection.note_count()  # no typing cards unless asked
    assert f"Wrote {3 * len(templates)} notes" in result.output
    notes = imported_notes(collection)
    seen = set()
    for note in notes:
        fields = note["fields"]
        deck_id, card_id = fields["Card"].split("/")
        seed = int(fields["Seed"])
        seen.add((deck_id, card_id, seed))
        card = templates[(deck_id, card_id)]
        for name in CONTENT_FIELDS:
            assert fields[name].strip(), f"{fields['Card']} seed {seed}: field {name} is empty"
            assert not unfilled_placeholders(field_text(fields[name]), card_names(card)), (name, fields[name])
        assert fields["TypeAnswer"] == ""
        assert note["decks"] == {f"studycards::{deck_id}"}
        assert {f"studycards::{deck_id}", f"studycards::{deck_id}::{card_id}"} <= note["tags"]
        assert note["guid"] == note_guid(deck_id, card_id, seed)
    assert seen == {(deck, card, seed) for deck, card in templates for seed in (10, 11, 12)}
    assert {"html_basics", "escaping"} <= next(n["tags"] for n in notes if n["fields"]["Card"] == "mini/markup")


def test_importing_the_same_export_again_changes_nothing(run_cli, collection, tmp_path):
    package = tmp_path / "cnn.apkg"
    export(run_cli, "cnn", "-o", str(package), "--instances", "2")
    import_package(collection, package)
    before = {n["guid"]: n["fields"] for n in imported_notes(collection)}

    again = import_package(collection, package)
    assert (len(again.new), len(again.updated)) == (0, 0)
    assert len(again.duplicate) == len(before)

    export(run_cli, "cnn", "-o", str(package), "--instances", "2")  # a fresh export of the same decks
    fresh = import_package(collection, package)
    assert (len(fresh.new), len(fresh.updated)) == (0, 0)
    assert {n["guid"]: n["fields"] for n in imported_notes(collection)} == before


def test_another_seed_adds_notes_and_keeps_the_old_ones(run_cli, collection, tmp_path):
    cards = len(find_deck("cnn").cards)
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    export(run_cli, "cnn", "-o", str(first), "--seed", "0", "--instances", "2")  # seeds 0, 1
    export(run_cli, "cnn", "-o", str(second), "--seed", "1", "--instances", "2")  # seeds 1, 2
    import_package(collection, first)

    log = import_package(collection, second)

    assert len(log.new) == cards  # seed 2
    assert len(log.duplicate) == cards  # seed 1 was there already
    assert collection.note_count() == 3 * cards
    assert {n["fields"]["Seed"] for n in imported_notes(collection)} == {"0", "1", "2"}


def test_an_edited_template_updates_its_notes_in_place(run_cli, mini_deck, collection, tmp_path):
    package = tmp_path / "mini.apkg"
    export(run_cli, "mini", "-o", str(package), "--instances", "4")
    import_package(collection, package)
    guids = {n["guid"] for n in imported_notes(collection)}

    text = mini_deck.read_text(encoding="utf-8")
    assert "What is the output height?" in text
    mini_deck.write_text(text.replace("What is the output height?", "How tall is the output?"), encoding="utf-8")
    later = time.time() + 5  # the edit comes after the first export, as it would for a person
    os.utime(mini_deck, (later, later))
    export(run_cli, "mini", "-o", str(package), "--instances", "4")
    log = import_package(collection, package)

    assert len(log.new) == 0
    assert collection.note_count() == 8
    notes = imported_notes(collection)
    assert {n["guid"] for n in notes} == guids
    edited = [n for n in notes if n["fields"]["Card"] == "mini/conv-output-size"]
    assert len(edited) == 4
    for note in edited:
        assert "How tall is the output?" in note["fields"]["Question"]
        assert "What is the output height?" not in note["fields"]["Question"]


def test_type_answer_adds_a_typing_card_to_each_note(run_cli, mini_deck, collection, tmp_path):
    plain, typed = tmp_path / "plain.apkg", tmp_path / "typed.apkg"
    export(run_cli, "mini", "-o", str(plain), "--instances", "2")
    export(run_cli, "mini", "-o", str(typed), "--instances", "2", "--type-answer")
    import_package(collection, plain)
    assert collection.card_count() == 4

    log = import_package(collection, typed)  # turning it on later updates the notes in place

    assert (len(log.new), collection.note_count(), collection.card_count()) == (0, 4, 8)
    for note in imported_notes(collection):
        assert note["templates"] == ["Recall", "Type the answer"]
        typing_card = next(card for card in note["cards"] if card.template()["name"] == "Type the answer")
        assert "[[type:Answer]]" in typing_card.question()


# --- what the fields hold --------------------------------------------------------------------------


def test_answers_and_solutions_are_what_show_gives(run_cli, collection, tmp_path):
    package = tmp_path / "all.apkg"
    export(run_cli, "all", "-o", str(package), "--instances", "2", "--seed", "7")
    import_package(collection, package)
    by_key = {(n["fields"]["Card"], int(n["fields"]["Seed"])): n["fields"] for n in imported_notes(collection)}

    compared = 0
    for deck in load_decks():
        for seed in (7, 8):
            for shown in show_json(run_cli, deck.id, seed):
                fields = by_key[(shown["ref"], seed)]
                assert field_text(fields["Answer"]) == shown["answer"]
                assert field_words(fields["Solution"]) == deck_words(shown["solution"])
                assert deck_words(shown["prompt"]) in field_words(fields["Question"])
                compared += 1
    assert compared == len(by_key)


def test_text_from_a_deck_is_escaped_and_keeps_its_lines(run_cli, mini_deck, collection, tmp_path):
    package = tmp_path / "mini.apkg"
    export(run_cli, "mini", "-o", str(package), "--seed", "3", "--instances", "1")
    import_package(collection, package)
    note = next(n for n in imported_notes(collection) if n["fields"]["Card"] == "mini/markup")
    fields = note["fields"]
    shown = show_json(run_cli, "mini/markup", 3)

    assert "<b>bold</b>" not in fields["Question"]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; keeps &quot;quotes&quot;" in fields["Question"]
    assert "Sets look like {1, 2}." in fields["Question"]
    assert re.search(r"<li>&lt;b&gt;</li><li>&lt;i&gt;</li><li>a &lt; b &amp; c</li>", fields["Question"])
    assert fields["Answer"] == "&lt;b&gt;"
    assert fields["Title"] == "Tags &lt;b&gt; &amp; ampersands"
    assert fields["Solution"] == html.escape(shown["solution"].strip("\n")).replace("\n", "<br>")
    assert "<br>   x &lt; y   stays aligned" in fields["Solution"]
    rendered = note["cards"][0].answer()
    assert '<div class="sc-solution">' in rendered and "white-space: pre-wrap" in rendered


def test_tsv_beside_the_package_holds_the_same_notes(run_cli, mini_deck, tmp_path):
    package = tmp_path / "out" / "mini.apkg"
    package.parent.mkdir()
    result = export(run_cli, "mini", "-o", str(package), "--instances", "3", "--tsv")

    tsv = package.with_suffix(".tsv")
    assert str(tsv) in result.output
    with tsv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    assert tuple(rows[0]) == TSV_COLUMNS
    assert len(rows) == 1 + 6
    for deck_id, card_id, seed, question, answer, solution, source in rows[1:]:
        shown = show_json(run_cli, f"{deck_id}/{card_id}", int(seed))
        assert answer == shown["answer"]
        assert solution == shown["solution"].strip("\n")
        assert question.startswith(shown["prompt"].strip())
        assert source == "tests/test_anki_export.py"
    markup = next(row for row in rows if row[1] == "markup")
    assert markup[3].endswith("\n- <b>\n- <i>\n- a < b & c")  # plain text: options listed, nothing escaped


# --- ids -------------------------------------------------------------------------------------------


deck_ids = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)


@settings(max_examples=200)
@given(deck_ids, deck_ids)
def test_deck_and_note_type_ids_are_stable_in_range_and_distinct(first, second):
    for derive in (anki_deck_id, note_type_id):
        assert ANKI_ID_LOW <= derive(first) < ANKI_ID_HIGH
        assert derive(first) == derive(first)
        if first != second:
            assert derive(first) != derive(second)
    assert anki_deck_id(first) != note_type_id(first)


@settings(max_examples=200)
@given(st.tuples(deck_ids, deck_ids, st.integers(-5, 10**6)), st.tuples(deck_ids, deck_ids, st.integers(-5, 10**6)))
def test_note_guids_differ_whenever_deck_card_or_seed_differ(first, second):
    assert note_guid(*first) == note_guid(*first)
    if first != second:
        assert note_guid(*first) != note_guid(*second)


def test_ids_in_the_package_come_from_the_deck_id(run_cli, tmp_path):
    import sqlite3

    package = tmp_path / "cnn.apkg"
    export(run_cli, "cnn", "-o", str(package))
    with zipfile.ZipFile(package) as archive:
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    finally:
        db.close()
    assert {deck["name"]: int(deck_id) for deck_id, deck in decks.items()}["studycards::cnn"] == anki_deck_id("cnn")
    assert [int(model_id) for model_id in models] == [note_type_id("cnn")]


# --- the command's edges ---------------------------------------------------------------------------


def test_unknown_deck_is_one_line_and_leaves_an_existing_package_alone(run_cli, tmp_path):
    package = tmp_path / "keep.apkg"
    package.write_bytes(b"an earlier export")
    result = run_cli("export", "nope", "-o", str(package))
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert "no deck 'nope'" in result.output and "Traceback" not in result.output
    assert package.read_bytes() == b"an earlier export"


def _broken_deck(home: Path, *, every_card: bool = False) -> None:
    """The mini deck as ``broken``: its conv card's constraints can never hold (and, with ``every_card``,
    its markup card's choices hold no answer either)."""
    folder = home / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    broken = MINI_DECK.replace('id = "mini"', 'id = "broken"').replace(
        'constraints = ["k <= i + 2*p", "(i - k + 2*p) % s == 0"]', 'constraints = ["i > 100"]'
    )
    if every_card:
        broken = broken.replace('n = { range = [2, 9] }', 'n = { range = [2, 9] }\nm = { range = [1, 2] }')
        broken = broken.replace('kind = "choice"', 'kind = "choice"\nconstraints = ["m > 5"]')
    (folder / "broken.toml").write_text(broken, encoding="utf-8")


def test_a_card_that_cannot_be_generated_is_left_out_and_the_others_exported(run_cli, home, tmp_path):
    _broken_deck(home)
    package = tmp_path / "broken.apkg"
    result = run_cli("export", "broken", "-o", str(package), "--tsv", "--instances", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Wrote 3 notes from 1 deck(s) (broken; seeds 0-2)")
    path = home / "decks" / "broken.toml"
    assert result.stderr == (
        "studycards: left out 3 questions that cannot be generated (seeds 0-2):"
        f" {path}: card 'conv-output-size': field 'constraints': no parameters met the constraints in 1000 tries\n"
    )
    with package.with_suffix(".tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    assert [(row[0], row[1]) for row in rows[1:]] == [("broken", "markup")] * 3


def test_a_deck_none_of_whose_questions_can_be_generated_writes_nothing(run_cli, home, tmp_path):
    _broken_deck(home, every_card=True)
    package = tmp_path / "broken.apkg"
    result = run_cli("export", "broken", "-o", str(package), "--tsv")
    assert result.exit_code != 0 and "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and all(line.startswith("studycards: ") for line in lines)
    assert "card 'conv-output-size': field 'constraints'" in lines[0]
    assert "card 'markup': field 'constraints'" in lines[1]
    assert lines[2] == "studycards: nothing to export: no question of broken could be generated"
    assert not package.exists() and not package.with_suffix(".tsv").exists()
    assert list(tmp_path.glob(".broken*")) == []  # no temporary file left behind


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cnn", "-o", "deck.zip"], "must end in .apkg"),
        (["cnn", "all", "-o", "deck.apkg"], "not both"),
        (["cnn", "-o", "deck.apkg", "--instances", "0"], "--instances"),
        (["cnn", "-o", "missing-folder/deck.apkg"], "does not exist"),
    ],
)
def test_bad_arguments_are_named(run_cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run_cli("export", *args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert list(tmp_path.rglob("*.apkg")) == []
