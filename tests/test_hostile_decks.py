"""A deck from a stranger cannot take studycards down: the corpus in ``hostile_decks.py`` against every command.

Each hostile file is set aside with one line naming it (and the card and field where there is one); the
bundled decks keep working beside it; nothing hangs; and the review store is left byte for byte as it was.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from hostile_decks import CORPUS, DEEP_TRUTH, DEEPER_TRUTH, LONG_LSTM, HostileDeck, deck_text, many_ranges, materialise
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studycards.deck import find_deck, load_decks
from studycards.errors import DeckError
from studycards.locations import bundled_decks_dir
from studycards.store import Store

BUNDLED = sorted(path.stem for path in bundled_decks_dir().glob("*.toml"))
BROKEN = [hostile for hostile in CORPUS if hostile.broken]
# The whole-corpus home holds the broken files and the decks whose truths are hostile.
IN_HOSTILE_HOME = CORPUS
LOADED = BUNDLED + sorted(hostile.deck_id for hostile in IN_HOSTILE_HOME if not hostile.broken)
COMMAND_SECONDS = 60  # a command that takes longer than this has hung


def _one_line(text: str) -> bool:
    return "\n" not in text.strip() and "Traceback" not in text


# --- loading: one hostile file at a time ------------------------------------------------------------------


@pytest.mark.parametrize("hostile", BROKEN, ids=lambda hostile: hostile.label)
def test_a_hostile_deck_is_set_aside_with_one_line_and_the_others_load(home: Path, hostile: HostileDeck):
    materialise(home / "decks", [hostile])
    started = time.perf_counter()
    loaded = load_decks(home)
    assert time.perf_counter() - started < 10
    assert [deck.id for deck in loaded] == BUNDLED
    [broken] = loaded.broken
    assert broken.path == home / "decks" / hostile.file_name
    assert broken.error.startswith(f"{broken.path}: ") and hostile.error in broken.error
    assert _one_line(broken.error)


@pytest.mark.parametrize("hostile", BROKEN, ids=lambda hostile: hostile.label)
def test_every_listing_names_the_broken_deck_and_a_command_given_it_fails_with_its_error(
    run_cli, home: Path, hostile: HostileDeck
):
    materialise(home / "decks", [hostile])
    [broken] = load_decks(home).broken

    listing = run_cli("decks")
    assert listing.exit_code == 0
    assert broken.error in listing.output and "(broken, set aside)" in listing.output
    assert all(f"\n{deck_id} " in listing.output for deck_id in BUNDLED)

    entries = json.loads(run_cli("decks", "--json").output)
    assert [entry["id"] for entry in entries if "error" not in entry] == BUNDLED
    [entry] = [entry for entry in entries if "error" in entry]
    assert entry == {
        "id": broken.id,
        "title": "",
        "source": "",
        "cards": [],
        "path": str(broken.path),
        "error": broken.error,
    }

    due = run_cli("due")
    assert due.exit_code == 0 and broken.error in due.output

    if broken.id not in BUNDLED:  # a duplicate of a bundled id is asked for as the bundled deck
        shown = run_cli("show", broken.id)
        assert shown.exit_code != 0 and shown.output == f"studycards: {broken.error}\n"
        with pytest.raises(DeckError, match="^" + str(broken.path)):
            find_deck(broken.id, home)

    checked = run_cli("check", broken.id, "--seeds", "1") if broken.id not in BUNDLED else None
    if checked is not None:
        assert checked.exit_code == 1
        assert f"BROKEN {broken.error}" in checked.output


def test_a_user_deck_with_a_bundled_id_is_reported_and_the_bundled_one_kept(run_cli, home: Path):
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "mycnn.toml").write_text(deck_text("cnn", title="My own CNN deck"))
    loaded = load_decks(home)
    assert find_deck("cnn", home).path == bundled_decks_dir() / "cnn.toml"
    [broken] = loaded.broken
    assert broken.id == "cnn" and str(bundled_decks_dir() / "cnn.toml") in broken.error
    listing = run_cli("decks")
    assert "cnn (mycnn.toml)" in listing.output and "My own CNN deck" not in listing.output


def test_only_the_first_1000_deck_files_are_read_and_the_rest_named_in_one_line(run_cli, home: Path):
    folder = home / "decks"
    folder.mkdir(parents=True)
    (folder / "early.toml").write_text(deck_text("early"))
    for index in range(1000):
        (folder / f"f{index:04d}.toml").write_text("x = \n")
    (folder / "late.toml").write_text(deck_text("late"))  # past the cap: never read, though it is good
    loaded = load_decks(home)
    assert [deck.id for deck in loaded] == [*BUNDLED, "early"]
    assert len(loaded.broken) == 1000  # 999 unreadable files, then one line for the two never read
    unread = loaded.broken[-1]
    assert (unread.id, unread.path) == ("f0999", folder / "f0999.toml")
    assert unread.error == (
        f"{folder / 'f0999.toml'}: not read, nor the 1 deck file after it, because {folder} holds"
        " 1,002 deck files and only the first 1,000 in name order are read"
    )
    listing = run_cli("decks")
    assert listing.exit_code == 0 and listing.output.count("\n  " + unread.error + "\n") == 1
    asked = run_cli("show", "late")  # a deck past the cap, asked for by name: the cap, not "no deck"
    assert asked.exit_code != 0
    assert asked.output == (
        f"studycards: {folder / 'late.toml'}: not read, because {folder} holds 1,002 deck files and only the"
        " first 1,000 in name order are read\n"
    )
    assert "no deck 'elsewhere'" in run_cli("show", "elsewhere").output
    with Store(home) as store:  # a card of the unread deck, reviewed before the folder grew
        store.record_review("late", "x", 4, kind="new", seed=1, answer="1", verdict="correct")
    doctor = run_cli("doctor").output
    assert "1 of them from broken decks" in doctor and "no longer in any deck" not in doctor


def test_a_deck_of_many_huge_ranges_loads_without_storing_their_values(tmp_path: Path):
    path = tmp_path / "ranges.toml"
    path.write_text(many_ranges())
    import tracemalloc

    tracemalloc.start()
    started = time.perf_counter()
    [deck] = load_decks(paths=[path])
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(deck.cards) == 300 and len(deck.cards[0].params["p0"].choices) == 100_000
    assert deck.cards[0].params["p0"].choices[99_999] == 100_000
    assert peak < 50_000_000, f"{peak:,} bytes"  # 6,000 stored ranges of 100,000 ints would be ~17 GB
    assert seconds < 20


# --- every command against a home holding the whole corpus --------------------------------------------------


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with every hostile deck, a review history that includes a deck now broken, and the new-card
    counts an earlier ``studycards due`` kept in the store (the only thing a read command writes, checked by
    ``test_the_first_due_beside_the_corpus_writes_only_the_kept_counts``)."""
    home = tmp_path_factory.mktemp("hostile") / "home"
    home.mkdir()
    with Store(home, now=lambda: datetime(2026, 1, 5, 12)) as store:
        store.record_review("cnn", "conv-output-size", 4, kind="new", seed=1, answer="5", verdict="correct")
        store.record_review("badtoml", "sum", 3, kind="new", seed=2, answer="4", verdict="correct")
    materialise(home / "decks", IN_HOSTILE_HOME)
    assert _run(home, "due").returncode == 0
    return home


def _store_state(home: Path) -> tuple[str, list[tuple]]:
    """The database file's bytes (hashed) and its review log, to prove nothing wrote to them."""
    digest = hashlib.sha256((home / "studycards.db").read_bytes()).hexdigest()
    with sqlite3.connect(f"file:{home / 'studycards.db'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT * FROM review_log ORDER BY id").fetchall()
    return digest, rows


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``studycards ARGS`` in its own process, so a hang fails the test instead of freezing it."""
    command = [sys.executable, "-m", "studycards", "--home", str(home), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False)


COMMANDS = [
    (("decks",), 0),
    (("decks", "--json"), 0),
    (("due",), 0),
    (("due", "--json"), 0),
    (("stats",), 0),
    (("stats", "--json"), 0),
    (("show", "cnn/conv-output-size", "--seed", "3"), 0),
    (("grade", "cnn/conv-output-size", "--seed", "3", "--answer", "7"), 0),
    (("check", "cnn", "--seeds", "1"), 1),  # cnn's cards pass, but mycnn.toml claims the id cnn too
    (("check", "badtoml", "--seeds", "1"), 1),
    (("doctor",), 0),
    (("show", "badtoml"), 2),
    (("show", "badtoml/sum"), 2),
    (("grade", "badtoml/sum", "--answer", "2"), 2),
    (("quiz", "badtoml"), 2),
    (("stats", "--deck", "badtoml"), 2),
]


@pytest.mark.parametrize(("args", "exit_code"), COMMANDS, ids=[" ".join(args) for args, _ in COMMANDS])
def test_each_command_works_beside_the_whole_corpus(hostile_home: Path, args: tuple[str, ...], exit_code: int):
    before = _store_state(hostile_home)
    result = _run(hostile_home, *args)
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert all(line.startswith(("studycards: ", "BROKEN ")) for line in result.stderr.splitlines()), result.stderr
    assert _store_state(hostile_home) == before
    if exit_code == 2:  # the broken deck asked for by name: its own error, in one line
        assert result.stderr == f"studycards: {hostile_home / 'decks' / 'badtoml.toml'}: not valid TOML: " + (
            "Invalid value (at end of document)\n"
        )
    if args == ("doctor",):  # badtoml's card keeps its history: reported as set aside, not as gone
        assert "1 of them from broken decks (kept, not scheduled until the deck is fixed)" in result.stdout
    if args == ("due", "--json"):
        rows = json.loads(result.stdout)
        assert [row["deck"] for row in rows] == LOADED
        assert all("error" not in row and all(type(row[key]) is int for key in row if key != "deck") for row in rows)
        assert result.stderr.count("set aside a broken deck") == len(BROKEN)
    if args == ("decks",):
        assert all(hostile.error in result.stdout for hostile in BROKEN)
    if args[:2] == ("check", "cnn"):
        assert "FAIL" not in result.stderr and "cnn/conv-output-size" in result.stdout
        assert result.stderr.splitlines() == [line for line in result.stderr.splitlines() if "mycnn.toml" in line]


def test_the_first_due_beside_the_corpus_writes_only_the_kept_counts(hostile_home: Path, tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(hostile_home / "studycards.db", home / "studycards.db")  # never copytree: zero.toml is endless
    materialise(home / "decks", IN_HOSTILE_HOME)
    db = sqlite3.connect(home / "studycards.db", isolation_level=None)
    kept = db.execute("SELECT * FROM deck_coverage ORDER BY deck_id").fetchall()
    assert [deck for deck, *_ in kept] == sorted(LOADED)  # one row per loaded deck, none for a broken one
    db.execute("DELETE FROM deck_coverage")
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    before = {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in tables}
    db.close()
    result = _run(home, "due", "--json")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(f"file:{home / 'studycards.db'}?mode=ro", uri=True) as db:
        after = {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in tables}
    assert after == {**before, "deck_coverage": kept}


def test_check_of_a_bundled_deck_passes_beside_the_other_broken_decks(tmp_path: Path):
    home = tmp_path / "home"
    materialise(home / "decks", [hostile for hostile in CORPUS if hostile.file_name != "mycnn.toml"])
    result = _run(home, "check", "cnn", "--seeds", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and "0 failed" in result.stdout


def test_check_of_every_deck_exits_1_and_names_each_broken_file(hostile_home: Path):
    before = _store_state(hostile_home)
    result = _run(hostile_home, "check", "--seeds", "1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for hostile in BROKEN:
        assert f"BROKEN {hostile_home / 'decks' / hostile.file_name}: " in result.stderr
    assert f"{len(BROKEN)} broken decks" in result.stdout
    assert "cnn/conv-output-size" in result.stdout  # the bundled decks were checked
    for hostile in IN_HOSTILE_HOME:
        if not hostile.broken:
            assert f"FAIL {hostile.deck_id}/hostile seed 0: " in result.stderr
    assert _store_state(hostile_home) == before


def test_export_of_all_decks_writes_the_bundled_ones_and_names_the_broken(hostile_home: Path, tmp_path: Path):
    before = _store_state(hostile_home)
    result = _run(hostile_home, "export", "all", "-o", str(tmp_path / "all.apkg"))
    assert result.returncode == 0, result.stderr
    assert f"from {len(LOADED)} deck(s)" in result.stdout and (tmp_path / "all.apkg").exists()
    assert result.stderr.count("set aside a broken deck") == len(BROKEN)
    # power's first card cannot be generated (9**9**9): left out in one line, its other card exported.
    [left_out] = [line for line in result.stderr.splitlines() if "left out" in line]
    assert "power.toml: card 'hostile': field 'answer': exponent 387420489 is larger than 256" in left_out
    failed = _run(hostile_home, "export", "badtoml", "-o", str(tmp_path / "bad.apkg"))
    assert failed.returncode != 0 and "not valid TOML" in failed.stderr and not (tmp_path / "bad.apkg").exists()
    assert _store_state(hostile_home) == before


def test_the_python_api_grades_bundled_cards_and_refuses_the_broken_deck(hostile_home: Path):
    import studycards

    assert studycards.grade("cnn/conv-output-size", 3, "7", home=hostile_home).verdict in ("correct", "incorrect")
    assert [deck.id for deck in studycards.decks(hostile_home)] == LOADED
    with pytest.raises(DeckError, match="not valid TOML"):
        studycards.grade("badtoml/sum", 0, "2", home=hostile_home)


def test_the_home_screen_lists_broken_decks_with_their_errors_and_quizzes_the_others(hostile_home: Path):
    from studycards.tui.app import StudycardsApp
    from studycards.tui.home_screen import HomeScreen
    from studycards.tui.laid_out_text import LaidOutText
    from studycards.tui.quiz_screen import QuizScreen
    from studycards.tui.widgets import DeckTable

    before = _store_state(hostile_home)
    loaded = load_decks(hostile_home)
    store = Store(hostile_home, now=lambda: datetime(2026, 1, 5, 12))
    app = StudycardsApp(hostile_home, loaded, store, seeds=random.Random(1), clock=lambda: 0.0)
    notices: list[str] = []

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            table = app.screen.query_one(DeckTable)
            labels = [str(table.get_row_at(index)[0]) for index in range(table.row_count)]
            assert labels == LOADED + [broken.label for broken in loaded.broken]
            text = app.screen.query_one("#home-broken", LaidOutText).text
            assert "Broken deck files, set aside" in text and "badtoml.toml" in text
            await pilot.press(*["down"] * len(LOADED), "enter")  # the first broken row: a notice, no quiz
            assert isinstance(app.screen, HomeScreen)
            notices.extend(str(notification.message) for notification in app._notifications)
            await pilot.press(*["up"] * len(LOADED), "enter")  # the first bundled deck quizzes
            assert isinstance(app.screen, QuizScreen) and app.screen.session.deck_id == BUNDLED[0]
            await pilot.press("escape")
            await app.background.wait()

    try:
        asyncio.run(scenario())
    finally:
        store.close()
    assert any(loaded.broken[0].error == notice for notice in notices)
    assert _store_state(hostile_home) == before


def test_the_review_sets_broken_decks_aside_with_a_notice(hostile_home: Path):
    from studycards.tui.app import StudycardsApp
    from studycards.tui.quiz_screen import QuizScreen

    loaded = load_decks(hostile_home)
    store = Store(hostile_home, now=lambda: datetime(2026, 1, 5, 12))
    app = StudycardsApp(hostile_home, loaded, store, start="review", seeds=random.Random(1), clock=lambda: 0.0)

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, QuizScreen)
            assert {card.deck_id for card in app.screen.session._cards.values()} == set(LOADED)
            notices = [str(notification.message) for notification in app._notifications]
            assert all(broken.error in notices for broken in loaded.broken)
            await app.background.wait()

    try:
        asyncio.run(scenario())
    finally:
        store.close()


# --- truths: bounded memory and time, a one-line error naming the card and the field ----------------------

HOSTILE_TRUTHS = [hostile for hostile in CORPUS if not hostile.broken]


@pytest.mark.parametrize("hostile", HOSTILE_TRUTHS, ids=lambda hostile: hostile.label)
def test_a_hostile_truth_fails_check_in_one_line_naming_card_and_field(tmp_path: Path, hostile: HostileDeck):
    home = tmp_path / "home"
    materialise(home / "decks", [hostile])
    started = time.perf_counter()
    result = _run(home, "check", hostile.deck_id, "--seeds", "2")
    seconds = time.perf_counter() - started
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    fails = result.stderr.splitlines()
    assert len(fails) == 2 and all(line.startswith(f"FAIL {hostile.deck_id}/hostile seed ") for line in fails)
    assert hostile.error in fails[0], fails[0]
    assert f"{hostile.deck_id}/sum " in result.stdout and "0 failed" not in result.stdout
    assert seconds < COMMAND_SECONDS
    # Memory: the largest child process so far (this one included) stayed far below what the truths ask.
    import resource

    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 1_500_000  # kB: torch itself is ~400 MB


def test_an_lstm_over_20000_steps_is_proved_quickly(tmp_path: Path):
    from studycards.deck import load_deck
    from studycards.ground_truth import truth_of
    from studycards.question import generate

    LONG_LSTM(tmp_path / "longlstm.toml")
    card = load_deck(tmp_path / "longlstm.toml").cards[0]
    started = time.perf_counter()
    result = truth_of(generate(card, 0))
    assert result is not None and result.agrees and result.value == (20000, 1, 20)
    assert time.perf_counter() - started < 5


def _deep_cards(tmp_path: Path):
    from studycards.deck import load_deck

    DEEP_TRUTH(tmp_path / "deeptruth.toml")
    DEEPER_TRUTH(tmp_path / "deepertruth.toml")
    return load_deck(tmp_path / "deeptruth.toml").cards[0], load_deck(tmp_path / "deepertruth.toml").cards[0]


def test_a_truth_past_its_deadline_is_refused_in_one_line_and_not_remembered(tmp_path: Path, monkeypatch):
    from studycards import ground_truth, truth_budget
    from studycards.ground_truth import truth_of
    from studycards.question import generate
    from studycards.truth_budget import TruthTooCostly

    deep, deeper = _deep_cards(tmp_path)
    ground_truth._measure.cache_clear()  # an earlier test may have proved it already
    assert truth_of(generate(deep, 0)).agrees  # 100 dense layers: well within the deadline
    monkeypatch.setattr(truth_budget, "MAX_TRUTH_SECONDS", 0.2)
    started = time.perf_counter()
    with pytest.raises(TruthTooCostly) as refused:
        truth_of(generate(deeper, 0))
    assert time.perf_counter() - started < 3  # one block past the deadline at most
    assert str(refused.value) == (
        f"{tmp_path / 'deepertruth.toml'}: card 'hostile': field 'truth.layer':"
        " proving it took more than 0.2 s, the most a truth may take"
    )
    monkeypatch.setattr(truth_budget, "MAX_TRUTH_SECONDS", 60.0)
    assert truth_of(generate(deeper, 0)).value == 804  # the refusal was not cached as torch's answer


def test_the_deadline_holds_in_a_worker_thread_as_the_tui_proves_truths(tmp_path: Path, monkeypatch):
    import threading

    from studycards import ground_truth, truth_budget
    from studycards.ground_truth import truth_of
    from studycards.question import generate

    _, deeper = _deep_cards(tmp_path)
    ground_truth._measure.cache_clear()  # an earlier test may have proved it already
    monkeypatch.setattr(truth_budget, "MAX_TRUTH_SECONDS", 0.2)
    outcome: list[BaseException | object] = []

    def work() -> None:
        try:
            outcome.append(truth_of(generate(deeper, 1)))
        except Exception as error:  # the worker reports it, as the TUI's Background does
            outcome.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    [error] = outcome
    assert isinstance(error, truth_budget.TruthTooCostly) and "proving it took more than 0.2 s" in str(error)


def test_the_quiz_shows_a_hostile_truth_as_a_line_and_keeps_going(tmp_path: Path):
    from textual.widgets import Static

    from studycards.tui.app import StudycardsApp
    from studycards.tui.quiz_screen import QuizScreen

    home = tmp_path / "home"
    materialise(home / "decks", [hostile for hostile in CORPUS if hostile.deck_id in ("bigscale", "power")])
    loaded = load_decks(home)
    store = Store(home, now=lambda: datetime(2026, 1, 5, 12))
    app = StudycardsApp(
        home, loaded, store, start="quiz", deck_id="bigscale", seeds=random.Random(1), clock=lambda: 0.0
    )

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, QuizScreen)
            assert app.screen.session.current.question.card.id == "hostile"
            await pilot.press("1", "enter")
            await app.background.wait()
            await pilot.pause()
            truth = str(app.screen.query_one("#truth", Static).render())
            assert "attention_scale(16384, 1) would need 8 GB of memory" in truth
            await pilot.press("enter")  # grade it: the session goes on to the deck's next card
            assert app.screen.session.current.question.card.id == "sum"

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def test_check_stops_trying_a_card_at_its_first_seed_out_of_time(tmp_path: Path, monkeypatch):
    from studycards import ground_truth, truth_budget
    from studycards.deck_check import check_card

    _, deeper = _deep_cards(tmp_path)
    ground_truth._measure.cache_clear()
    monkeypatch.setattr(truth_budget, "MAX_TRUTH_SECONDS", 0.2)
    report = check_card(deeper, range(50))
    assert (report.seeds, report.failed) == (1, 1)
    assert report.failures == [
        f"deepertruth/hostile seed 0: {tmp_path / 'deepertruth.toml'}: card 'hostile': field 'truth.layer':"
        " proving it took more than 0.2 s, the most a truth may take"
    ]


# --- any bytes at all: set aside or loaded, never an exception ----------------------------------------------


SEED_DECK = deck_text("fuzzed").encode()
INSERTS = [b"[", b"]", b"{", b'"', b"=", b"\n", b"x.", b"\xff", b"(", b"**9"]


@st.composite
def _mangled_decks(draw) -> bytes:
    """A valid deck with a few random cuts, insertions and byte flips: near misses reach every check."""
    data = bytearray(SEED_DECK)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(("cut", "insert", "flip")))
        if action == "cut":
            del data[where : where + draw(st.integers(1, 20))]
        elif action == "insert":
            data[where:where] = draw(st.sampled_from(INSERTS))
        elif data:
            data[min(where, len(data) - 1)] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(_mangled_decks(), st.binary(max_size=300)))
def test_any_bytes_load_as_a_deck_or_are_set_aside_in_one_line(tmp_path: Path, content: bytes):
    path = tmp_path / "fuzzed.toml"
    path.write_bytes(content)
    loaded = load_decks(paths=[path])  # never raises
    assert len(loaded) + len(loaded.broken) == 1
    for broken in loaded.broken:
        assert broken.error.startswith(f"{path}: ") and _one_line(broken.error)
