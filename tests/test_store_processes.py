"""Real processes: one killed with SIGKILL mid-write, and two writing reviews at the same time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studycards.config import Config
from studycards.store import Store

REPO = Path(__file__).resolve().parent.parent

# Records reviews as fast as it can, printing each review's seed once its transaction has committed.
WRITER = """
import sys, time
from pathlib import Path
from studycards.store import Store

home, worker, count, start_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pause = float(sys.argv[5])
with Store(home) as store:
    while not Path(start_file).exists():
        time.sleep(0.001)
    for i in range(count):
        seed = worker * 1_000_000 + i
        store.record_review("cnn", f"card-{i % 13}", i % 6, seed=seed, answer="a" * 200, seconds=1.5)
        print(seed, flush=True)
        time.sleep(pause)
"""


def start_writer(home: Path, worker: int, count: int, start_file: Path, pause: float = 0.0) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), str(worker), str(count), str(start_file), str(pause)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def logged_seeds(home: Path) -> list[int]:
    with Store(home) as store:
        assert store.integrity_problems() == []
        assert store.differences_from_log() == []
        return [review.seed for review in store.reviews()]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_mid_write_loses_no_committed_review_and_the_database_opens_clean(home: Path, tmp_path: Path):
    start = tmp_path / "go"
    start.touch()
    writer = start_writer(home, worker=1, count=1_000_000, start_file=start)
    committed: list[int] = []
    assert writer.stdout is not None
    deadline = time.monotonic() + 20
    while len(committed) < 150 and time.monotonic() < deadline:
        line = writer.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    os.kill(writer.pid, signal.SIGKILL)
    # Printed before the kill, not read yet. Read through writer.stdout, not communicate(): communicate reads
    # the pipe's file descriptor and would miss lines readline() already holds in its buffer.
    rest = writer.stdout.read()
    writer.wait(timeout=10)
    committed.extend(int(line) for line in rest.split())
    assert writer.returncode == -signal.SIGKILL
    assert len(committed) >= 150

    seeds = logged_seeds(home)
    assert seeds[: len(committed)] == committed  # every review reported committed is there, in order
    assert len(seeds) - len(committed) <= 1  # at most the one committed as it was killed, before printing
    assert seeds == sorted(seeds) and len(set(seeds)) == len(seeds)


def test_two_processes_writing_at_once_lose_nothing_and_never_hit_a_locked_database(home: Path, tmp_path: Path):
    count = 200
    start = tmp_path / "go"
    # a short pause between reviews, as a person needs: otherwise one writer can hold the lock
    # back to back and the other simply waits its turn (still losing nothing)
    writers = [start_writer(home, worker=w, count=count, start_file=start, pause=0.002) for w in (1, 2)]
    time.sleep(0.5)  # both race to create the database, open it, and wait for the start
    start.touch()
    outputs = [writer.communicate(timeout=60) for writer in writers]
    for writer, (stdout, stderr) in zip(writers, outputs):
        assert writer.returncode == 0, stderr
        assert "locked" not in stderr
        assert len(stdout.split()) == count

    seeds = logged_seeds(home)
    expected = {w * 1_000_000 + i for w in (1, 2) for i in range(count)}
    assert len(seeds) == 2 * count
    assert set(seeds) == expected
    workers_in_log_order = [seed // 1_000_000 for seed in seeds]
    switches = sum(1 for a, b in zip(workers_in_log_order, workers_in_log_order[1:]) if a != b)
    assert switches >= 10, "the two writers did not overlap, so this run proved nothing"
    with Store(home) as store:
        # both processes reviewed the same 13 cards; each review built on the other's (no lost update)
        assert len(store.cards()) == 13
        assert sum(1 for review in store.reviews() if review.kind == "new") == 13
        by_card: dict[str, list] = {}
        for review in store.reviews():
            by_card.setdefault(review.card_id, []).append(review)
        for reviews in by_card.values():
            for earlier, later in zip(reviews, reviews[1:]):
                assert later.before == earlier.after


# Introduces new cards as fast as it can (undoing every third), so the cards table keeps gaining and losing
# rows; then prints how many it did.
INTRODUCER = """
import sys
from studycards.store import Store

home, count = sys.argv[1], int(sys.argv[2])
with Store(home) as store:
    for i in range(count):
        store.record_review("cnn", f"card-{i}", 4)
        if i % 3 == 2:
            store.undo_last_review()
print(count)
"""

# Runs studycards due's one call, on a freshly opened store, over and over until told to stop (and once
# more): each call may keep its counts in the file while the introducer writes.
SUMMARISER = """
import sys
from pathlib import Path
from studycards.store import Store

home, stop_file, cards = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
catalogue = {"cnn": [f"card-{i}" for i in range(cards)], "rnn": ["r"]}
calls = 0
while not stop_file.exists() or calls < 20:
    with Store(home) as store:
        store.due_summary(catalogue)
    calls += 1
with Store(home) as store:  # the introducer is done: this one call meets no writer, and keeps its counts
    store.due_summary(catalogue)
print(calls)
"""


def test_first_calls_beside_a_writing_terminal_keep_only_right_counts(home: Path, tmp_path: Path):
    cards = 150
    Store(home).close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    stop = tmp_path / "stop"
    summariser = subprocess.Popen(
        [sys.executable, "-c", SUMMARISER, str(home), str(stop), str(cards)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    introducer = subprocess.run(
        [sys.executable, "-c", INTRODUCER, str(home), str(cards)], capture_output=True, text=True, env=env, timeout=60
    )
    stop.touch()
    calls, errors = summariser.communicate(timeout=60)
    assert introducer.returncode == 0, introducer.stderr
    assert summariser.returncode == 0 and errors == "", errors
    assert int(calls) >= 20
    catalogue = {"cnn": [f"card-{i}" for i in range(cards)], "rnn": ["r"]}
    with Store(home, config=Config(new_cards_per_day=1000)) as store:
        assert store.coverage_differences(catalogue) == ([], 2)  # kept by the last calls, and right
        assert len(store.cards()) == cards - cards // 3
        summary = {today.deck: today.new for today in store.due_summary(catalogue)}
    assert summary == {"cnn": cards // 3, "rnn": 1}
