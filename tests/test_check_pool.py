"""`check --jobs N` spreads the cards over N processes and reports exactly what one process reports; a long
check does so by itself; a worker that dies costs nothing but time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from studycards.check_pool import PARALLEL_FROM_QUESTIONS, available_cpus, jobs_for

WRONG = """
id = "wrong"
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
"""


def studycards(home: Path, *args: str, **kwargs) -> subprocess.Popen:
    command = [sys.executable, "-m", "studycards", "--home", str(home), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def table(stdout: str) -> list[list[str]]:
    """The report's rows without the seconds column, and its summary without the time."""
    lines = stdout.strip().splitlines()
    rows = [line.split() for line in lines if "/" in line.split(" ")[0]]
    for row in rows:
        del row[-2]  # seconds
    return [*rows, [lines[-1].rsplit(", in ", 1)[0]]]


def test_two_processes_report_what_one_reports_failures_and_all(home: Path):
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "wrong.toml").write_text(WRONG, encoding="utf-8")
    runs = [studycards(home, "check", "--seeds", "4", "--jobs", jobs) for jobs in ("1", "2")]
    (one_out, one_err), (two_out, two_err) = (run.communicate(timeout=600) for run in runs)
    assert runs[0].returncode == runs[1].returncode == 1
    assert table(one_out) == table(two_out)
    assert len(table(two_out)) > 100  # every bundled card and the wrong one
    assert ["wrong/linear-params", "4", "0", "0", "4", "FAIL"] in table(two_out)
    failures = [line for line in two_err.splitlines() if line.startswith("FAIL ")]
    assert failures == [line for line in one_err.splitlines() if line.startswith("FAIL ")]
    assert failures and all("wrong/linear-params seed" in line and "torch reads" in line for line in failures)


def test_a_long_check_runs_on_every_core_and_a_short_one_in_this_process():
    assert jobs_for(None, 17, 1) == 1
    assert jobs_for(None, 116, 500) == min(available_cpus(), 116)
    assert jobs_for(None, 2, PARALLEL_FROM_QUESTIONS) == min(available_cpus(), 2)
    assert jobs_for(8, 3, 1) == 3  # never more processes than cards
    assert jobs_for(2, 0, 100) == 1


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _workers_of(run: subprocess.Popen) -> list[int]:
    """The pids of the check's two worker processes, once both have started."""
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2 and run.poll() is None:
        workers = [pid for pid in _children(run.pid) if b"spawn_main" in _cmdline(pid)]
        time.sleep(0.2)
    assert len(workers) == 2, "the check never started its two workers"
    return workers


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return b""


def test_a_worker_killed_mid_check_costs_no_card(home: Path):
    run = studycards(home, "check", "--seeds", "30", "--jobs", "2")
    workers = _workers_of(run)
    time.sleep(1)  # starting up or checking: whichever cards it had not reported must still be checked
    os.kill(workers[0], signal.SIGKILL)
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert "a check worker stopped unexpectedly" in err and "were checked in this process" in err
    rows = table(out)
    assert len(rows) - 1 == len({row[0] for row in rows[:-1]}) > 100  # every card once
    assert all(row[1] == "30" and row[-1] == "ok" for row in rows[:-1])
    assert " 0 failed" in rows[-1][0]


def test_ctrl_c_stops_the_check_and_its_workers_at_once(home: Path):
    run = studycards(home, "check", "--seeds", "100", "--jobs", "2", start_new_session=True)
    workers = _workers_of(run)
    time.sleep(1)
    os.killpg(run.pid, signal.SIGINT)  # what a terminal sends the whole foreground group on Ctrl-C
    started = time.monotonic()
    _, err = run.communicate(timeout=60)
    assert time.monotonic() - started < 15  # not after the ~11,600 questions queued
    assert run.returncode == 1 and "Aborted!" in err and "Traceback" not in err
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
