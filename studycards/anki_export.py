"""Anki packages from decks: each card template becomes one note per seed, with ids that never drift.

Anki recognises a note it has seen by its GUID, a deck by its id and a note type by its id. All three are
derived from what identifies the thing here (deck id; deck, card and seed), never from time or ``random``,
so exporting again and re-importing updates notes in place instead of piling up duplicates, and another
seed adds new notes. Everything shown in Anki is HTML, so every text from a deck is escaped before it goes
into a field. This module builds and writes files only; the ``export`` command adds the progress bar.
"""

from __future__ import annotations

import csv
import hashlib
import html
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import genanki

from studycards.deck import Deck
from studycards.errors import DeckError, StudycardsError
from studycards.question import Question, generate
from studycards.text_blocks import plain_text, segments

# genanki's advice for deck and note-type ids: integers in [2**30, 2**31).
ANKI_ID_LOW = 1 << 30
ANKI_ID_HIGH = 1 << 31
ANKI_ROOT_DECK = "studycards"
FIELD_NAMES = ("Question", "Answer", "Solution", "Title", "Source", "Card", "Seed", "TypeAnswer")
# The field that switches the type-in-the-answer card on: Anki makes a card only when its front has content.
TYPE_ANSWER_FIELD = "TypeAnswer"
TYPE_ANSWER_ON = "y"
TSV_COLUMNS = ("deck", "card", "seed", "question", "answer", "solution", "source")
STYLE_FILE = "anki_style.css"

Progress = Callable[[int], None]
BrokenQuestion = Callable[[str, int, str], None]  # told (deck/card, seed, error) of a question left out


class ExportError(StudycardsError):
    """The package or TSV file could not be written where asked."""


@dataclass(frozen=True)
class ExportedNote:
    """One generated question as plain text, ready to become an Anki note and a TSV row."""

    deck_id: str
    card_id: str
    seed: int
    title: str
    prompt: str
    choices: tuple[str, ...]
    answer: str
    solution: str
    source: str
    tags: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.deck_id}/{self.card_id}"

    @property
    def question_text(self) -> str:
        """The prompt with any options listed under it, as plain text (the TSV column); blocks indented."""
        lines = [plain_text(self.prompt, reflow=True)]
        lines.extend(f"- {choice}" for choice in self.choices)
        return "\n".join(lines)


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: for the command's closing line and for tests."""

    path: Path
    tsv_path: Path | None
    deck_ids: tuple[str, ...]
    note_count: int
    instances: int
    first_seed: int


# --- stable ids ------------------------------------------------------------------------------------


def stable_id(kind: str, key: str) -> int:
    """An id in genanki's range from a hash of what it names, so it is the same on every export."""
    digest = hashlib.sha256(f"studycards\x1f{kind}\x1f{key}".encode()).digest()
    return ANKI_ID_LOW + int.from_bytes(digest[:8], "big") % (ANKI_ID_HIGH - ANKI_ID_LOW)


def anki_deck_id(deck_id: str) -> int:
    """The Anki deck id of ``studycards::<deck_id>``."""
    return stable_id("deck", deck_id)


def note_type_id(deck_id: str) -> int:
    """The Anki note-type id for a deck's notes."""
    return stable_id("notetype", deck_id)


def note_guid(deck_id: str, card_id: str, seed: int) -> str:
    """The note's GUID from (deck, card, seed).

    Hashed as ``deck/card`` and the seed: ids cannot hold ``/`` and a seed has no ``_``, so genanki's
    ``__`` joiner cannot make two different notes collide.
    """
    return genanki.guid_for(f"{deck_id}/{card_id}", seed)


def anki_deck_name(deck_id: str) -> str:
    return f"{ANKI_ROOT_DECK}::{deck_id}"


# --- from decks to notes ---------------------------------------------------------------------------


def exported_note(deck: Deck, question: Question) -> ExportedNote:
    """The note for one generated question of ``deck``."""
    card = question.card
    return ExportedNote(
        deck_id=deck.id,
        card_id=card.id,
        seed=question.seed,
        title=card.title.strip(),
        prompt=_trim(question.prompt),
        choices=tuple(choice.strip() for choice in card.choices),
        answer=question.answer_text,
        solution=_trim(question.solution),
        source=(card.source or deck.source or deck.title).strip(),
        tags=note_tags(deck.id, card.id, card.tags),
    )


def note_tags(deck_id: str, card_id: str, card_tags: Iterable[str] = ()) -> tuple[str, ...]:
    """Hierarchical tags from the deck and card ids, then the template's own tags (Anki tags hold no spaces)."""
    tags = [f"{ANKI_ROOT_DECK}::{deck_id}", f"{ANKI_ROOT_DECK}::{deck_id}::{card_id}"]
    for tag in card_tags:
        cleaned = "_".join(tag.split())
        if cleaned and cleaned not in tags:
            tags.append(cleaned)
    return tuple(tags)


def note_count(decks: Sequence[Deck], instances: int) -> int:
    """How many notes an export of ``decks`` makes: cards × instances."""
    return instances * sum(len(deck.cards) for deck in decks)


def collect_notes(
    decks: Sequence[Deck],
    *,
    instances: int = 1,
    seed: int = 0,
    progress: Progress | None = None,
    on_broken_card: BrokenQuestion | None = None,
) -> list[ExportedNote]:
    """Every card of every deck for seeds ``seed .. seed + instances - 1``, seed-major within a deck.

    Seed-major order (all cards once, then all cards again) is the order Anki shows new cards in, so a
    learner meets every template before its second instance. ``progress(n)`` is told after each note.
    A question that cannot be generated is a ``DeckError``; given ``on_broken_card``, it is told the
    card (``deck/card``), the seed and the error, and the note is left out instead: one broken card (or
    one stranger's deck) must not stop the rest.
    """
    if instances < 1:
        raise ExportError(f"--instances must be at least 1, not {instances}")
    notes: list[ExportedNote] = []
    for deck in decks:
        for offset in range(instances):
            for card in deck.cards:
                try:
                    notes.append(exported_note(deck, generate(card, seed + offset)))
                except DeckError as error:
                    if on_broken_card is None:
                        raise
                    on_broken_card(f"{deck.id}/{card.id}", seed + offset, str(error))
                if progress is not None:
                    progress(1)
    return notes


# --- HTML fields -----------------------------------------------------------------------------------


def text_html(text: str) -> str:
    """Plain text as field HTML: escaped, line breaks kept."""
    return html.escape(text).replace("\n", "<br>")


def deck_text_html(text: str, *, reflow: bool = False) -> str:
    """A deck text as field HTML: prose as text (``reflow`` joins lines wrapped mid-sentence), and each
    fenced block (code, a table) as a ``<pre>``, so it keeps its lines and columns in a monospace font."""
    parts = []
    for segment in segments(text, reflow=reflow):
        if segment.block:
            parts.append(f'<pre class="sc-code">{html.escape(segment.text)}</pre>')
        else:
            parts.append(text_html(segment.text))
    return "".join(parts)


def question_html(note: ExportedNote) -> str:
    """The Question field: the prompt, and for a choice card its options as a list."""
    parts = [deck_text_html(note.prompt, reflow=True)]
    if note.choices:
        items = "".join(f"<li>{text_html(choice)}</li>" for choice in note.choices)
        parts.append(f'<ol class="sc-choices" type="A">{items}</ol>')
    return "".join(parts)


def note_fields(note: ExportedNote, *, type_answer: bool = False) -> list[str]:
    """The note's fields, in ``FIELD_NAMES`` order."""
    values = {
        "Question": question_html(note),
        "Answer": text_html(note.answer),
        "Solution": deck_text_html(note.solution),
        "Title": text_html(note.title),
        "Source": text_html(note.source),
        "Card": text_html(note.ref),
        "Seed": str(note.seed),
        TYPE_ANSWER_FIELD: TYPE_ANSWER_ON if type_answer else "",
    }
    return [values[name] for name in FIELD_NAMES]


# --- the note type and the package -----------------------------------------------------------------

_FRONT = '<div class="sc-title">{{Title}}</div>\n<div class="sc-question">{{Question}}</div>'
_BACK_DETAILS = (
    '<div class="sc-solution">{{Solution}}</div>\n<div class="sc-meta">{{Card}} · seed {{Seed}} · {{Source}}</div>'
)
RECALL_TEMPLATE = {
    "name": "Recall",
    "qfmt": f'<div class="sc">\n{_FRONT}\n</div>',
    "afmt": (
        f'<div class="sc">\n{_FRONT}\n<hr id="answer">\n'
        f'<div class="sc-answer">{{{{Answer}}}}</div>\n{_BACK_DETAILS}\n</div>'
    ),
}
TYPE_ANSWER_TEMPLATE = {
    "name": "Type the answer",
    "qfmt": (
        f'{{{{#{TYPE_ANSWER_FIELD}}}}}<div class="sc">\n{_FRONT}\n'
        f'<div class="sc-type">{{{{type:Answer}}}}</div>\n</div>{{{{/{TYPE_ANSWER_FIELD}}}}}'
    ),
    "afmt": (
        f'<div class="sc">\n{_FRONT}\n<hr id="answer">\n'
        f'<div class="sc-answer">{{{{type:Answer}}}}</div>\n{_BACK_DETAILS}\n</div>'
    ),
}


def note_style() -> str:
    """The note type's CSS, shipped beside this module."""
    return resources.files("studycards").joinpath(STYLE_FILE).read_text(encoding="utf-8")


def note_type(deck: Deck, css: str | None = None) -> genanki.Model:
    """The deck's note type: a recall card always, a type-in-the-answer card when ``TypeAnswer`` is set."""
    return genanki.Model(
        note_type_id(deck.id),
        f"studycards ({deck.id})",
        fields=[{"name": name} for name in FIELD_NAMES],
        templates=[dict(RECALL_TEMPLATE), dict(TYPE_ANSWER_TEMPLATE)],
        css=note_style() if css is None else css,
    )


def anki_deck(deck: Deck) -> genanki.Deck:
    description = "<br>".join(text_html(text.strip()) for text in (deck.title, deck.description, deck.source) if text)
    return genanki.Deck(anki_deck_id(deck.id), anki_deck_name(deck.id), description=description)


def build_package(
    decks: Sequence[Deck], notes: Iterable[ExportedNote], *, type_answer: bool = False
) -> genanki.Package:
    """A genanki package with one subdeck ``studycards::<id>`` per deck holding that deck's notes."""
    css = note_style()
    targets = {deck.id: (anki_deck(deck), note_type(deck, css)) for deck in decks}
    for position, note in enumerate(notes):
        target_deck, model = targets[note.deck_id]
        target_deck.add_note(
            genanki.Note(
                model=model,
                fields=note_fields(note, type_answer=type_answer),
                tags=list(note.tags),
                guid=note_guid(note.deck_id, note.card_id, note.seed),
                due=position,
            )
        )
    return genanki.Package([target_deck for target_deck, _ in targets.values()])


def content_timestamp(decks: Iterable[Deck], *, type_answer: bool = False) -> float:
    """When the notes' content last changed: the newest of the deck files and the code that renders them.

    Anki updates a note on import only if the package's copy is newer (its default), so this is the
    notes' modification time: exporting unchanged decks again gives the same time and Anki changes
    nothing, while an edited template (or a new version of this exporter) is newer and updates in place.
    Type-in cards count one second newer, so turning ``--type-answer`` on adds them to notes already
    imported (turning it off again needs Anki's "update notes: always").
    """
    import studycards.deck
    import studycards.formula
    import studycards.question

    sources = [deck.path for deck in decks]
    sources += [Path(module.__file__ or "") for module in (studycards.deck, studycards.formula, studycards.question)]
    sources += [Path(__file__), Path(__file__).with_name(STYLE_FILE)]
    times = []
    for source in sources:
        try:
            times.append(source.stat().st_mtime)
        except OSError:
            continue
    return max(times, default=0.0) + (1.0 if type_answer else 0.0)


def write_package(package: genanki.Package, path: Path, timestamp: float | None = None) -> None:
    """Write the .apkg whole or not at all: a temporary file beside ``path`` is renamed over it.

    ``timestamp`` is the notes' modification time (see ``content_timestamp``); None means now.
    """
    with _replacing(path) as temporary:
        package.write_to_file(str(temporary), timestamp=timestamp)


def write_tsv(notes: Iterable[ExportedNote], path: Path) -> None:
    """A tab-separated file for other SRS tools: a header row, then one row per note, plain text.

    Fields holding a tab, a line break or a double quote are quoted as in CSV (``"..."``, ``""`` for a
    quote), which Anki, Python's ``csv`` and spreadsheets read back exactly.
    """
    with _replacing(path) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(TSV_COLUMNS)
        for note in notes:
            writer.writerow(
                (
                    note.deck_id,
                    note.card_id,
                    note.seed,
                    note.question_text,
                    note.answer,
                    plain_text(note.solution),
                    note.source,
                )
            )


def export_decks(
    decks: Sequence[Deck],
    path: Path,
    *,
    instances: int = 1,
    seed: int = 0,
    type_answer: bool = False,
    tsv_path: Path | None = None,
    progress: Progress | None = None,
    on_broken_card: BrokenQuestion | None = None,
) -> ExportSummary:
    """Generate, build and write: the whole export behind ``studycards export``. When every question was
    left out (``on_broken_card`` was told why), nothing is written: an empty package helps no one."""
    if not decks:
        raise ExportError("there are no decks to export")
    for target in (path, tsv_path):
        if target is not None and not Path(target).parent.is_dir():
            raise ExportError(f"{target}: the folder {str(Path(target).parent)!r} does not exist")
    notes = collect_notes(decks, instances=instances, seed=seed, progress=progress, on_broken_card=on_broken_card)
    if not notes and any(deck.cards for deck in decks):
        names = ", ".join(deck.id for deck in decks)
        raise ExportError(f"nothing to export: no question of {names} could be generated")
    package = build_package(decks, notes, type_answer=type_answer)
    write_package(package, path, timestamp=content_timestamp(decks, type_answer=type_answer))
    if tsv_path is not None:
        write_tsv(notes, tsv_path)
    return ExportSummary(
        path=path,
        tsv_path=tsv_path,
        deck_ids=tuple(deck.id for deck in decks),
        note_count=len(notes),
        instances=instances,
        first_seed=seed,
    )


# --- helpers ---------------------------------------------------------------------------------------


def _trim(text: str) -> str:
    """Drop the blank lines a TOML ''' block starts with and trailing space, keeping indentation."""
    lines = text.rstrip().split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(line.rstrip() for line in lines)


class _replacing:
    """Context manager yielding a temporary path in ``path``'s folder, renamed to ``path`` on success."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.temporary: Path | None = None

    def __enter__(self) -> Path:
        folder = self.path.parent
        if not folder.is_dir():
            raise ExportError(f"{self.path}: the folder {str(folder)!r} does not exist")
        try:
            handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        except OSError as error:
            raise ExportError(f"{self.path}: cannot write here ({error.strerror})") from None
        os.close(handle)
        self.temporary = Path(name)
        # mkstemp makes the file private; an exported deck is meant to be shared like any other file.
        self.temporary.chmod(self.path.stat().st_mode & 0o777 if self.path.exists() else 0o644)
        return self.temporary

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.temporary is not None
        if exc_type is None:
            try:
                os.replace(self.temporary, self.path)
                return
            except OSError as error:
                self.temporary.unlink(missing_ok=True)
                raise ExportError(f"{self.path}: cannot write it ({error.strerror})") from None
        self.temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{self.path}: cannot write it ({exc.strerror})") from None
