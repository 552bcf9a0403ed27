"""Deck templates: reading ``decks/*.toml`` into validated ``Deck`` and ``CardTemplate`` objects.

A deck is a file anyone may write and share, so everything in it is checked when it is loaded: required
fields, unknown fields (typos), parameter ranges, and every formula and layer spec (read by our own
whitelisted AST walk, never ``eval``). Any problem is one ``DeckError`` line naming the file, the card and
the field. The format is documented in ``decks/README.md``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from studycards.deck_files import MAX_KEY_PARTS, NotADeckFile, deep_key, read_deck_bytes
from studycards.errors import DeckError, FormulaError, RefError
from studycards.file_memo import FileMemo, listing, names_in
from studycards.formula import BASE_FUNCTIONS, Formula, Number, parse_formula, to_number, whole
from studycards.grammar import TEXT_FUNCTIONS
from studycards.layer_names import ARCHITECTURE_NAMES, COMPUTE_FUNCTIONS, SPEC_CALLS
from studycards.text_blocks import fence_problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = ("number", "expression", "shape", "choice")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_DECK_BYTES = 1_000_000
MAX_CARDS = 1000
MAX_USER_DECK_FILES = 1000  # read from <home>/decks, in name order; the rest are named in one line
# Names a truth `read`/`holds` formula may call, besides the base functions.
TRUTH_FUNCTIONS = frozenset({"params", "shape", "fails", "flops", "buffers"}) | COMPUTE_FUNCTIONS
# Names bound in a truth formula when the truth has a single layer.
TRUTH_NAMES = frozenset({"params", "shape", "flops"})
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")

DECK_FIELDS = {"id", "title", "source", "description", "cards", "plain_names", "aliases"}
CARD_FIELDS = {
    "id", "title", "kind", "prompt", "answer", "solution", "params", "derived", "constraints",
    "truth", "mistakes", "choices", "tolerance", "decimals", "tags", "aliases", "slips", "equivalents", "source",
}  # fmt: skip
TRUTH_FIELDS = {"layer", "layers", "input", "inputs", "read", "holds", "note"}
MISTAKE_FIELDS = {"id", "answer", "feedback"}
EQUIVALENT_FIELDS = {"answer", "feedback"}
# Generic slips grading names without a deck entry, and the card kinds each can happen on.
SLIPS = {
    "off-by-one": ("number", "expression", "shape"),
    "factor-of-2": ("number", "expression", "shape"),
    "forgot-bias": ("number", "expression"),
    "added-bias": ("number", "expression"),
    "transposed": ("shape",),
}


@dataclass(frozen=True)
class NumberRange(Sequence[Number]):
    """``range = [low, high], step = s`` as a sequence that computes its values instead of storing them:
    a deck may hold many params of 100,000 values each, and none of them should cost memory."""

    low: Number
    step: Number
    count: int

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self.count)))
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError("range index out of range")
        return whole(self.low + index * self.step)


@dataclass(frozen=True)
class ParamSpec:
    """One card parameter: an integer (or decimal) range with a step, or a list of choices.

    Choices may also be texts (``["relu", "tanh"]``) or ``[true, false]``, for questions that switch a
    word or a flag ("with biases" / "without") rather than a number.
    """

    name: str
    choices: Sequence[Number | str | bool]

    def draw(self, rng) -> Number | str | bool:
        return self.choices[rng.randrange(len(self.choices))]

    @property
    def numeric(self) -> bool:
        """Whether the parameter is a number (a learner's formula may use it) rather than a text or flag."""
        if isinstance(self.choices, NumberRange):
            return True
        return not any(isinstance(choice, str | bool) for choice in self.choices)


@dataclass(frozen=True)
class Mistake:
    """An anticipated wrong answer and what to tell the learner.

    ``answer`` is a formula over the card's values, or, on a choice card, the wrong option's text.
    """

    id: str
    answer: Formula | str
    feedback: str


@dataclass(frozen=True)
class Equivalent:
    """Another answer that is just as right (``-1`` for the last of two dims), and the note saying why."""

    answer: Formula
    feedback: str


@dataclass(frozen=True)
class Truth:
    """What torch must confirm: layer specs (by name), their inputs, and a read or a check formula.

    ``read`` must equal the card's answer; ``holds`` must be true (it may use ``answer``).
    """

    layers: Mapping[str, Formula | str]
    inputs: Mapping[str, Formula]
    read: Formula | None
    holds: Formula | None
    note: str = ""


@dataclass(frozen=True)
class CardTemplate:
    """A question template: drawing its params with a seed gives one concrete question."""

    deck_id: str
    id: str
    title: str
    kind: str
    prompt: str
    answer: Formula | str
    solution: str
    params: Mapping[str, ParamSpec]
    derived: Mapping[str, Formula]
    constraints: tuple[Formula, ...]
    truth: Truth | None
    mistakes: tuple[Mistake, ...]
    choices: tuple[str, ...] = ()
    tolerance: Number | None = None
    decimals: int | None = None  # the decimals the prompt asks for: the answer is shown rounded to them
    tags: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)
    # Names the deck's texts may write as plain words (the text lint lets them stand outside {}).
    plain_names: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)  # how a learner may spell a name -> the name
    slips: tuple[str, ...] = ()  # the generic slips grading may name on this card (see ``SLIPS``)
    equivalents: tuple[Equivalent, ...] = ()
    source: str = ""  # where this card's material comes from, when it is narrower than the deck's source

    @property
    def ref(self) -> str:
        return f"{self.deck_id}/{self.id}"


@dataclass(frozen=True)
class Deck:
    """A deck file: its id, title, where its material comes from, and its card templates."""

    id: str
    title: str
    source: str
    path: Path
    cards: tuple[CardTemplate, ...] = field(default_factory=tuple)
    description: str = ""

    def card(self, card_id: str) -> CardTemplate:
        for card in self.cards:
            if card.id == card_id:
                return card
        known = ", ".join(card.id for card in self.cards)
        raise RefError(f"deck {self.id!r} has no card {card_id!r} (cards: {known})")


class _Where:
    """Builds the 'file: card: field:' prefix of a deck error."""

    def __init__(self, path: Path, card: str | None = None) -> None:
        self.path = path
        self.card = card

    def error(self, message: str, field_name: str | None = None) -> DeckError:
        parts = [str(self.path)]
        if self.card is not None:
            parts.append(f"card {self.card!r}")
        if field_name is not None:
            parts.append(f"field {field_name!r}")
        return DeckError(": ".join(parts) + ": " + message)


def load_deck(path: str | Path) -> Deck:
    """Read and validate one deck file; any problem is a ``DeckError`` naming the file, card and field."""
    outcome = _DECK_FILES(Path(path))
    if isinstance(outcome, BrokenDeck):
        raise DeckError(outcome.error)
    return outcome


def _read_deck(path: Path) -> Deck | BrokenDeck:
    """One deck file, or why it is set aside under the id it claims."""
    claimed = path.stem
    try:
        data = _read_table(path)
        claimed = _claimed_id(data, path)
        return _deck_from_table(data, path)
    except DeckError as error:
        return BrokenDeck(claimed, path, str(error))


# Each file's outcome is remembered until its mtime or size changes: a process asking for decks again and
# again (the Python API's ``grade``) parses each file once, and still sees an editor's save.
_DECK_FILES = FileMemo(_read_deck)


def _read_table(path: Path) -> dict[str, Any]:
    """The file's TOML table, read safely (see ``studycards.deck_files``)."""
    where = _Where(path)
    try:
        raw_bytes = read_deck_bytes(path, MAX_DECK_BYTES)
    except NotADeckFile as error:
        raise where.error(str(error)) from None
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise where.error("the file is not UTF-8 text") from None
    if deep_key(text):
        raise where.error(f"a dotted key has more than {MAX_KEY_PARTS} parts")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise where.error(f"not valid TOML: {error}") from None
    except RecursionError:
        raise where.error("not valid TOML: arrays or tables are nested too deeply") from None


def _claimed_id(data: Mapping[str, Any], path: Path) -> str:
    """The id a deck file claims (its ``id``, else its file name), even when the rest of it is broken."""
    deck_id = data.get("id", path.stem)
    return deck_id if isinstance(deck_id, str) and ID_PATTERN.match(deck_id) else path.stem


def _deck_from_table(data: dict[str, Any], path: Path) -> Deck:
    where = _Where(path)
    _reject_unknown(data, DECK_FIELDS, where, None)
    deck_id = data.get("id", path.stem)
    if not isinstance(deck_id, str) or not ID_PATTERN.match(deck_id):
        raise where.error("must be lowercase letters, digits, '-' or '_'", "id")
    title = _required_text(data, "title", where)
    source = _optional_text(data, "source", where)
    raw_cards = data.get("cards")
    if not isinstance(raw_cards, list) or not raw_cards:
        raise where.error("a deck needs at least one [[cards]] entry", "cards")
    plain_names = data.get("plain_names", [])
    if not isinstance(plain_names, list) or not all(isinstance(n, str) for n in plain_names):
        raise where.error("must be a list of names", "plain_names")
    if len(raw_cards) > MAX_CARDS:
        raise where.error(f"a deck holds at most {MAX_CARDS} cards, this one {len(raw_cards)}", "cards")
    deck_aliases = _alias_table(data.get("aliases", {}), where, "aliases")
    cards: list[CardTemplate] = []
    seen: set[str] = set()
    for index, raw_card in enumerate(raw_cards):
        card = replace(
            _load_card(deck_id, raw_card, index, path, deck_aliases), plain_names=frozenset(plain_names)
        )
        if card.id in seen:
            raise _Where(path, card.id).error("another card in this deck has the same id", "id")
        seen.add(card.id)
        cards.append(card)
    for alias, target in deck_aliases.items():
        if not any(card.aliases.get(alias) == target for card in cards):
            raise where.error(f"no card has a number named {target!r} for {alias!r} to stand for", f"aliases.{alias}")
    return Deck(
        id=deck_id,
        title=title,
        source=source,
        path=path,
        cards=tuple(cards),
        description=_optional_text(data, "description", where),
    )


def deck_paths(home: Path | None = None) -> list[Path]:
    """Deck files: the bundled ones, then the learner's own in ``<home>/decks``, at most
    ``MAX_USER_DECK_FILES`` of those (the first in name order; ``load_decks`` names the rest).

    Every ``*.toml`` entry is listed, whatever it is (a folder, a FIFO): reading it is what refuses it,
    so it shows up as a broken deck rather than vanishing.
    """
    from studycards.locations import bundled_decks_dir, user_decks_dir

    paths = listing(bundled_decks_dir(), "*.toml")
    return paths + (listing(user_decks_dir(home), "*.toml", MAX_USER_DECK_FILES) if home is not None else [])


@dataclass(frozen=True)
class UnreadDecks:
    """The files of ``<home>/decks`` past ``MAX_USER_DECK_FILES``: their folder, the deck ids their names
    give (``find`` and ``doctor`` must not call them missing), and why they were not read."""

    folder: Path
    ids: frozenset[str]
    because: str


def _unread_deck_files(home: Path | None) -> tuple[BrokenDeck, UnreadDecks] | None:
    """The files past ``MAX_USER_DECK_FILES`` in ``<home>/decks``, set aside unread in one entry named
    after the first of them: a stranger's folder of 100,000 files must not make every command crawl."""
    from studycards.locations import user_decks_dir

    if home is None:
        return None
    folder = user_decks_dir(home)
    names = names_in(folder, "*.toml")
    if len(names) <= MAX_USER_DECK_FILES:
        return None
    first, after = folder / names[MAX_USER_DECK_FILES], len(names) - MAX_USER_DECK_FILES - 1
    others = f", nor the {after:,} deck file{'' if after == 1 else 's'} after it," if after else ""
    because = (
        f"because {folder} holds {len(names):,} deck files and only the first {MAX_USER_DECK_FILES:,}"
        " in name order are read"
    )
    ids = frozenset(Path(name).stem for name in names[MAX_USER_DECK_FILES:])
    return BrokenDeck(first.stem, first, f"{first}: not read{others} {because}"), UnreadDecks(folder, ids, because)


@dataclass(frozen=True)
class BrokenDeck:
    """A deck file set aside: the id it claims (or its file name) and its one-line error."""

    id: str
    path: Path
    error: str

    @property
    def label(self) -> str:
        """How a listing names it: its id, and its file too when that is not ``<id>.toml``."""
        return self.id if self.path.stem == self.id else f"{self.id} ({self.path.name})"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": str(self.path), "error": self.error}


@dataclass(frozen=True)
class DeckLoad(Sequence[Deck]):
    """The decks of a home that loaded (iterate it, index it, like a list) and the files set aside.

    One broken or hostile deck file must never hide the others: each command works with the decks that
    loaded and lists the broken ones with their errors. Asking for a broken deck by its id raises its
    error (``find``).
    """

    decks: tuple[Deck, ...] = ()
    broken: tuple[BrokenDeck, ...] = ()
    unread: UnreadDecks | None = None  # the files of <home>/decks past the cap (one entry of ``broken``)

    def __getitem__(self, index):  # type: ignore[override]
        return self.decks[index]

    def __len__(self) -> int:
        return len(self.decks)

    def __iter__(self):
        return iter(self.decks)

    def find(self, deck_id: str) -> Deck:
        """The deck with this id; a broken deck raises its own error; a miss names the decks there are."""
        for deck in self.decks:
            if deck.id == deck_id:
                return deck
        for broken in self.broken:
            if broken.id == deck_id:
                raise DeckError(broken.error)
        if self.unread is not None and deck_id in self.unread.ids:  # past the cap, asked for by its file name
            raise DeckError(f"{self.unread.folder / f'{deck_id}.toml'}: not read, {self.unread.because}")
        known = ", ".join(deck.id for deck in self.decks) or "none"
        raise RefError(f"no deck {deck_id!r} (decks: {known})")

    def broken_named(self, deck_id: str) -> tuple[BrokenDeck, ...]:
        """Broken files claiming this id (a user deck reusing a bundled deck's id is one)."""
        return tuple(broken for broken in self.broken if broken.id == deck_id)

    def require_all(self) -> None:
        """Raise the first broken deck's error (for callers that must have every deck, e.g. tests)."""
        if self.broken:
            raise DeckError(self.broken[0].error)


def load_decks(home: Path | None = None, paths: Iterable[Path] | None = None) -> DeckLoad:
    """Every deck file, in file order: the ones that load, and the ones set aside with their error.

    A deck whose id an earlier file already uses (a user deck named like a bundled one) is set aside too:
    the first one is kept, and the error names both files.
    """
    decks: list[Deck] = []
    broken: list[BrokenDeck] = []
    by_id: dict[str, Deck] = {}
    for path in deck_paths(home) if paths is None else paths:
        deck = _DECK_FILES(Path(path))
        if isinstance(deck, BrokenDeck):
            broken.append(deck)
            continue
        if deck.id in by_id:
            message = (
                f"{path}: field 'id': deck id {deck.id!r} is already used by {by_id[deck.id].path};"
                " give this deck another id"
            )
            broken.append(BrokenDeck(deck.id, path, message))
            continue
        by_id[deck.id] = deck
        decks.append(deck)
    unread = _unread_deck_files(home) if paths is None else None
    if unread is not None:
        broken.append(unread[0])
    return DeckLoad(tuple(decks), tuple(broken), unread[1] if unread is not None else None)


def find_deck(deck_id: str, home: Path | None = None) -> Deck:
    """The deck with this id; a broken one raises its error; a miss names the decks there are."""
    return load_decks(home).find(deck_id)


def find_card(ref: str, home: Path | None = None) -> tuple[Deck, CardTemplate]:
    """Resolve ``DECK/CARD`` to its deck and template."""
    if not isinstance(ref, str):
        raise RefError(f"{ref!r} is not a card reference: write DECK/CARD, e.g. cnn/conv-output-size")
    deck_id, slash, card_id = ref.partition("/")
    if not slash or not card_id:
        raise RefError(f"{ref!r} is not a card reference: write DECK/CARD, e.g. cnn/conv-output-size")
    deck = find_deck(deck_id, home)
    return deck, deck.card(card_id)


# --- reading one card -----------------------------------------------------------------------------


def _load_card(
    deck_id: str, raw: Any, index: int, path: Path, deck_aliases: Mapping[str, str] | None = None
) -> CardTemplate:
    if not isinstance(raw, dict):
        raise _Where(path, f"#{index + 1}").error("a card must be a table")
    card_id = raw.get("id")
    where = _Where(path, card_id if isinstance(card_id, str) else f"#{index + 1}")
    if not isinstance(card_id, str) or not ID_PATTERN.match(card_id):
        raise where.error("missing, or not lowercase letters, digits, '-' or '_'", "id")
    _reject_unknown(raw, CARD_FIELDS, where, None)
    title = _required_text(raw, "title", where)
    kind = raw.get("kind", "number")
    if kind not in KINDS:
        raise where.error(f"must be one of {', '.join(KINDS)}, not {kind!r}", "kind")
    prompt = _required_text(raw, "prompt", where)
    solution = _required_text(raw, "solution", where)

    params = _load_params(raw.get("params", {}), where)
    known = set(params)
    derived: dict[str, Formula] = {}
    raw_derived = raw.get("derived", {})
    if not isinstance(raw_derived, dict):
        raise where.error("must be a table of name = \"formula\"", "derived")
    for name, text in raw_derived.items():
        field_name = f"derived.{name}"
        if name in known:
            raise where.error("this name is already a parameter", field_name)
        _check_name(name, where, field_name)
        derived[name] = _formula(text, where, field_name, known)
        known.add(name)

    raw_constraints = raw.get("constraints", [])
    if not isinstance(raw_constraints, list):
        raise where.error("must be a list of formulas", "constraints")
    constraints = tuple(
        _formula(text, where, f"constraints[{i}]", known) for i, text in enumerate(raw_constraints)
    )

    choices: tuple[str, ...] = ()
    answer: Formula | str
    if kind == "choice":
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2 or not all(
            isinstance(c, str) and c.strip() for c in raw_choices
        ):
            raise where.error("a choice card needs a list of at least two texts", "choices")
        choices = tuple(raw_choices)
        answer = _required_text(raw, "answer", where)
        _check_placeholders(answer, where, "answer", known)
        if "{" not in answer and _fold(answer) not in {_fold(c) for c in choices}:
            raise where.error(f"{answer!r} is not one of the choices", "answer")
    else:
        if "choices" in raw:
            raise where.error("only a choice card has choices", "choices")
        answer = _formula(_required_text(raw, "answer", where), where, "answer", known)

    tolerance = None
    if "tolerance" in raw:
        if kind not in ("number", "shape"):
            raise where.error("only number and shape cards take a tolerance", "tolerance")
        try:
            tolerance = to_number(raw["tolerance"])
        except FormulaError as error:
            raise where.error(str(error), "tolerance") from None
        if tolerance < 0:
            raise where.error("must not be negative", "tolerance")
    decimals = _load_decimals(raw, where, kind, tolerance)

    with_answer = known | {"answer"}
    _check_placeholders(prompt, where, "prompt", known)
    _check_placeholders(solution, where, "solution", with_answer)
    _check_fences(prompt, where, "prompt")
    _check_fences(solution, where, "solution")
    truth = _load_truth(raw.get("truth"), where, with_answer, kind)
    path = where.path
    mistakes = _load_mistakes(raw.get("mistakes", []), where, known, kind)
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise where.error("must be a list of texts", "tags")
    numbers = {name for name, spec in params.items() if spec.numeric} | set(derived)
    aliases = _card_aliases(raw.get("aliases", {}), deck_aliases or {}, where, numbers, known)
    slips = _load_slips(raw, where, kind, truth)
    equivalents = _load_equivalents(raw.get("equivalents", []), where, known, kind)
    source = _optional_text(raw, "source", where)
    return CardTemplate(
        deck_id=deck_id,
        id=card_id,
        title=title,
        kind=kind,
        prompt=prompt,
        answer=answer,
        solution=solution,
        params=params,
        derived=derived,
        constraints=constraints,
        truth=truth,
        mistakes=mistakes,
        choices=choices,
        tolerance=tolerance,
        decimals=decimals,
        tags=tuple(tags),
        path=path,
        aliases=aliases,
        slips=slips,
        equivalents=equivalents,
        source=source.strip(),
    )


MAX_DECIMALS = 6


def _load_decimals(raw: Mapping[str, Any], where: _Where, kind: str, tolerance: Number | None) -> int | None:
    """How many decimals the prompt asks for. The answer is then shown with exactly that many, so typing
    what is shown must count as right: the tolerance (half a unit in the last place unless given) may
    not be smaller than the rounding."""
    if "decimals" not in raw:
        return None
    decimals = raw["decimals"]
    if kind != "number":
        raise where.error("only a number card takes decimals", "decimals")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise where.error(f"must be a whole number from 0 to {MAX_DECIMALS}", "decimals")
    if tolerance is not None and tolerance < Fraction(1, 2 * 10**decimals):
        raise where.error(
            f"tolerance {float(tolerance):g} is below half the last of {decimals} decimals "
            f"({0.5 / 10**decimals:g}): the answer as shown would be marked wrong",
            "decimals",
        )
    return decimals


def _load_params(raw: Any, where: _Where) -> dict[str, ParamSpec]:
    if not isinstance(raw, dict):
        raise where.error("must be a table of name = { range = [low, high] } or { choices = [...] }", "params")
    params: dict[str, ParamSpec] = {}
    for name, spec in raw.items():
        field_name = f"params.{name}"
        _check_name(name, where, field_name)
        if isinstance(spec, int | float) and not isinstance(spec, bool):
            spec = {"choices": [spec]}
        if not isinstance(spec, dict):
            raise where.error("must be { range = [low, high], step = n } or { choices = [...] }", field_name)
        unknown = set(spec) - {"range", "step", "choices"}
        if unknown:
            raise where.error(f"unknown key {sorted(unknown)[0]!r} (use range, step or choices)", field_name)
        try:
            if "choices" in spec:
                if "range" in spec or "step" in spec:
                    raise FormulaError("give either choices or range (with step), not both")
                values = _choices(spec["choices"])
            elif "range" in spec:
                bounds = spec["range"]
                if not isinstance(bounds, list) or len(bounds) != 2:
                    raise FormulaError("range must be [low, high]")
                low, high = (to_number(v) for v in bounds)
                step = to_number(spec.get("step", 1))
                if step <= 0:
                    raise FormulaError("step must be positive")
                if low > high:
                    raise FormulaError(f"range [{low}, {high}] is empty")
                count = int((high - low) // step) + 1
                if count > 100_000:
                    raise FormulaError("range has more than 100000 values")
                values = NumberRange(low, step, count)
            else:
                raise FormulaError("needs range = [low, high] or choices = [...]")
        except FormulaError as error:
            raise where.error(str(error), field_name) from None
        params[name] = ParamSpec(name=name, choices=values)
    return params


def _choices(raw_choices: Any) -> tuple[Number | str | bool, ...]:
    """A param's choices: all numbers, all texts, or all true/false (mixing them is a deck error)."""
    if not isinstance(raw_choices, list) or not raw_choices:
        raise FormulaError("choices must be a non-empty list of numbers, texts, or true/false")
    if all(isinstance(v, bool) for v in raw_choices):
        return tuple(raw_choices)
    if all(isinstance(v, str) for v in raw_choices):
        return tuple(raw_choices)
    if any(isinstance(v, bool | str) for v in raw_choices):
        raise FormulaError("choices must be all numbers, all texts, or all true/false, not a mix")
    return tuple(to_number(v) for v in raw_choices)


def _load_truth(raw: Any, where: _Where, known: set[str], kind: str) -> Truth | None:
    if raw is None:
        if kind == "choice":
            return None
        raise where.error("missing: say which torch layer proves the answer (or use kind = \"choice\")", "truth")
    if not isinstance(raw, dict):
        raise where.error("must be a table with layer (or layers), input and read", "truth")
    _reject_unknown(raw, TRUTH_FIELDS, where, "truth")
    if ("layer" in raw) == ("layers" in raw):
        raise where.error("give exactly one of layer = \"...\" or a [truth.layers] table", "truth")
    raw_layers = {"layer": raw["layer"]} if "layer" in raw else raw["layers"]
    if not isinstance(raw_layers, dict) or not raw_layers:
        raise where.error("must be a table of name = \"layer spec\"", "truth.layers")
    layers: dict[str, Formula | str] = {}
    for name, text in raw_layers.items():
        field_name = "truth.layer" if "layer" in raw else f"truth.layers.{name}"
        _check_name(name, where, field_name)
        if isinstance(text, str) and text.strip() in ARCHITECTURE_NAMES:
            layers[name] = text.strip()
        else:
            layers[name] = _formula(text, where, field_name, known, extra=SPEC_CALLS)
    inputs: dict[str, Formula] = {}
    if "input" in raw and "inputs" in raw:
        raise where.error("give input (for every layer) or inputs (per layer), not both", "truth")
    if "input" in raw:
        formula = _formula(raw["input"], where, "truth.input", known)
        inputs = {name: formula for name in layers}
    elif "inputs" in raw:
        if not isinstance(raw["inputs"], dict):
            raise where.error("must be a table of layer name = \"(shape)\"", "truth.inputs")
        for name, text in raw["inputs"].items():
            if name not in layers:
                raise where.error(f"{name!r} is not one of the truth layers", f"truth.inputs.{name}")
            inputs[name] = _formula(text, where, f"truth.inputs.{name}", known)
    if ("read" in raw) == ("holds" in raw):
        raise where.error("give exactly one of read = \"...\" or holds = \"...\"", "truth")
    truth_known = known | set(layers) | (TRUTH_NAMES if len(layers) == 1 else set())
    read = holds = None
    if "read" in raw:
        read = _formula(raw["read"], where, "truth.read", truth_known, extra=TRUTH_FUNCTIONS)
    else:
        holds = _formula(raw["holds"], where, "truth.holds", truth_known, extra=TRUTH_FUNCTIONS)
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise where.error("must be text", "truth.note")
    return Truth(layers=layers, inputs=inputs, read=read, holds=holds, note=note)


def _load_mistakes(raw: Any, where: _Where, known: set[str], kind: str) -> tuple[Mistake, ...]:
    if not isinstance(raw, list):
        raise where.error("must be a list of [[cards.mistakes]] tables", "mistakes")
    mistakes: list[Mistake] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        field_name = f"mistakes[{index}]"
        if not isinstance(entry, dict):
            raise where.error("must be a table with id, answer and feedback", field_name)
        _reject_unknown(entry, MISTAKE_FIELDS, where, field_name)
        mistake_id = entry.get("id")
        if not isinstance(mistake_id, str) or not ID_PATTERN.match(mistake_id):
            raise where.error("needs an id of lowercase letters, digits, '-' or '_'", f"{field_name}.id")
        if mistake_id in seen:
            raise where.error("another mistake on this card has the same id", f"{field_name}.id")
        seen.add(mistake_id)
        answer: Formula | str
        if kind == "choice":  # a wrong option, matched by its text
            answer = _required_text(entry, "answer", where, f"{field_name}.answer")
            _check_placeholders(answer, where, f"{field_name}.answer", known)
        else:
            answer = _formula(entry.get("answer"), where, f"{field_name}.answer", known)
        feedback = _required_text(entry, "feedback", where, f"{field_name}.feedback")
        _check_placeholders(feedback, where, f"{field_name}.feedback", known | {"answer"})
        _check_fences(feedback, where, f"{field_name}.feedback")
        mistakes.append(Mistake(id=mistake_id, answer=answer, feedback=feedback))
    return tuple(mistakes)


def _alias_table(raw: Any, where: _Where, field_name: str) -> dict[str, str]:
    """``{ K = "k", hidden_size = "h" }``: each key another spelling a learner may type for a name."""
    if not isinstance(raw, dict):
        raise where.error('must be a table of spelling = "name", like { K = "k" }', field_name)
    table: dict[str, str] = {}
    for alias, target in raw.items():
        entry = f"{field_name}.{alias}"
        if not alias.isidentifier() or alias.startswith("_") or not alias.isascii():
            raise where.error("a spelling must be a letter followed by letters, digits or '_'", entry)
        if alias.casefold() in BASE_FUNCTIONS or alias == "σ":  # the functions an answer may call
            raise where.error(f"{alias!r} is a function an answer may use, not a name", entry)
        if not isinstance(target, str) or not target.isidentifier():
            raise where.error("must be the name it stands for, in quotes", entry)
        table[alias] = target
    return table


def _card_aliases(
    raw: Any, deck_aliases: Mapping[str, str], where: _Where, numbers: set[str], known: set[str]
) -> dict[str, str]:
    """The deck's aliases whose name this card has (its own names win), then the card's own."""
    aliases = {
        alias: target for alias, target in deck_aliases.items() if target in numbers and alias not in known
    }
    for alias, target in _alias_table(raw, where, "aliases").items():
        entry = f"aliases.{alias}"
        if alias in known:
            raise where.error(f"{alias!r} is already a name on this card", entry)
        if target not in numbers:
            listed = ", ".join(sorted(numbers)) or "none"
            what = "a text or a flag" if target in known else "not a name on this card"
            raise where.error(f"{target!r} is {what} (numbers an answer can use: {listed})", entry)
        aliases[alias] = target
    return aliases


def _load_slips(raw: Mapping[str, Any], where: _Where, kind: str, truth: Truth | None) -> tuple[str, ...]:
    """The generic slips grading may name here: the card's ``slips``, or the default for its kind.

    By default a number or formula card can be off by one or by a factor of 2 (grading checks these only
    where the answer is a whole number), a shape card can also be transposed, and a forgotten or extra
    bias is named only where torch's truth reads a parameter count. A choice card has none.
    """
    if "slips" not in raw:
        if kind == "choice":
            return ()
        defaults = [slip for slip, kinds in SLIPS.items() if kind in kinds and "bias" not in slip]
        if kind != "shape" and truth is not None and _reads_params(truth):
            defaults += ["forgot-bias", "added-bias"]
        return tuple(defaults)
    slips = raw["slips"]
    if not isinstance(slips, list) or not all(isinstance(slip, str) for slip in slips):
        raise where.error(f"must be a list of slips ({', '.join(SLIPS)}), or [] for none", "slips")
    for slip in slips:
        if slip not in SLIPS:
            raise where.error(f"unknown slip {slip!r} (slips: {', '.join(SLIPS)})", "slips")
        if kind not in SLIPS[slip]:
            raise where.error(f"{slip!r} cannot happen on a {kind} card", "slips")
    return tuple(dict.fromkeys(slips))


def _reads_params(truth: Truth) -> bool:
    return any(
        formula is not None and "params" in formula.names | formula.calls for formula in (truth.read, truth.holds)
    )


def _load_equivalents(raw: Any, where: _Where, known: set[str], kind: str) -> tuple[Equivalent, ...]:
    if not isinstance(raw, list):
        raise where.error("must be a list of [[cards.equivalents]] tables", "equivalents")
    if raw and kind not in ("number", "shape"):
        raise where.error("only number and shape cards take equivalents", "equivalents")
    equivalents: list[Equivalent] = []
    for index, entry in enumerate(raw):
        field_name = f"equivalents[{index}]"
        if not isinstance(entry, dict):
            raise where.error("must be a table with answer and feedback", field_name)
        _reject_unknown(entry, EQUIVALENT_FIELDS, where, field_name)
        answer = _formula(entry.get("answer"), where, f"{field_name}.answer", known)
        feedback = _required_text(entry, "feedback", where, f"{field_name}.feedback")
        _check_placeholders(feedback, where, f"{field_name}.feedback", known | {"answer"})
        equivalents.append(Equivalent(answer=answer, feedback=feedback))
    return tuple(equivalents)


# --- small helpers --------------------------------------------------------------------------------


def _formula(
    text: Any,
    where: _Where,
    field_name: str,
    known: set[str],
    *,
    extra: frozenset[str] = frozenset(),
    strings: bool = True,
) -> Formula:
    if not isinstance(text, str) or not text.strip():
        raise where.error("missing, or not a formula in a string", field_name)
    try:
        formula = parse_formula(text, extra_functions=extra, allow_strings=strings)
    except FormulaError as error:
        raise where.error(str(error), field_name) from None
    unknown = sorted(formula.names - known - {"True", "False"})
    if unknown:
        raise where.error(f"unknown name {unknown[0]!r} (known: {', '.join(sorted(known))})", field_name)
    return formula


def _check_placeholders(text: str, where: _Where, field_name: str, known: set[str]) -> None:
    for match in PLACEHOLDER.finditer(_unescape_braces(text)):
        _formula(match.group(1), where, field_name, known, extra=_TEXT_CALLS)


_TEXT_CALLS = frozenset(TEXT_FUNCTIONS)  # the text helpers: placeholders only


def _check_fences(text: str, where: _Where, field_name: str) -> None:
    """A ``` block (code, a table) must be closed, or the rest of the text would lose its reflow."""
    problem = fence_problem(text)
    if problem is not None:
        raise where.error(problem, field_name)


def _unescape_braces(text: str) -> str:
    return text.replace("{{", "\x01").replace("}}", "\x02")


def _check_name(name: str, where: _Where, field_name: str) -> None:
    if not name.isidentifier() or name.startswith("_"):
        raise where.error("a name must be a letter followed by letters, digits or '_'", field_name)
    reserved = {"answer", "params", "shape", "True", "False"}
    if name in reserved:
        raise where.error(f"{name!r} is reserved", field_name)


def _required_text(raw: Mapping[str, Any], key: str, where: _Where, field_name: str | None = None) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise where.error("missing, or not text", field_name or key)
    return value


def _optional_text(raw: Mapping[str, Any], key: str, where: _Where) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise where.error("must be text", key)
    return value


def _reject_unknown(raw: Mapping[str, Any], allowed: set[str], where: _Where, prefix: str | None) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        import difflib

        name = unknown[0]
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(sorted(allowed))})"
        raise where.error("unknown field" + hint, f"{prefix}.{name}" if prefix else name)


def _fold(text: str) -> str:
    """Choices compare case- and space-insensitively."""
    return "".join(text.split()).casefold()
