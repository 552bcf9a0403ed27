"""How long `studycards quiz cnn` takes from launch to the first question painted, and `studycards due` from
launch to exit, beside `import torch`.

Each run starts the real command in a pseudo-terminal (80×24, like a learner's terminal) with a fresh data
home and the hidden `--bench-first-paint FILE` flag: the app writes the wall-clock time at which the first
question has been painted, then exits. The time from just before the launch to that moment is the figure;
tearing the app down afterwards is not counted. `python -c "import torch"` is timed the same way (launch
to exit), since importing torch is what the TUI must never wait for; `studycards due` too, with a store of a
few reviews. Targets, as ratios to `import torch` in the same run (machines here differ 3× between sessions):
first question ≤ 0.35 × import torch and ≤ 0.5 s; `studycards due` ≤ 0.5 × import torch.

A command that must ask torch (the first `show --truth` or `count` in a home) cannot be faster than torch's
own floor, timed here too: a process that only imports torch and runs one ``Conv2d`` and one ``Linear`` on
the meta device, which pays torch's meta start-up (its first Python meta kernel imports sympy, the first
elementwise one ``torch._dynamo``). Target for those: ≤ 1.35 × that floor, i.e. what studycards adds on top
of torch stays small.

    python benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from timing import targets_line  # benchmarks/timing.py, beside this script

FIRST_QUESTION_SECONDS = 0.5
FIRST_QUESTION_OF_TORCH = 0.35
DUE_OF_TORCH = 0.5
SHOW_TRUTH_SECONDS = 2.0
SHOW_TRUTH_OF_TORCH = 0.5
FRESH_HOME_OF_FLOOR = 1.35
# The least a process asking torch on meta pays: import, then one convolution and one linear layer.
TORCH_FLOOR = (
    "import torch; torch.nn.Conv2d(3, 8, 3, device='meta')(torch.empty(1, 3, 8, 8, device='meta'));"
    " torch.nn.Linear(3, 4, device='meta')(torch.empty(1, 3, device='meta'))"
)


def studycards_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m studycards``."""
    script = Path(sys.executable).with_name("studycards")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studycards"]


def run_in_terminal(command: list[str], env: dict[str, str], timeout: float = 60.0) -> int:
    """Run ``command`` on a fresh 80×24 pseudo-terminal, draining its output; returns the exit code."""
    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(
        command, stdin=child_fd, stdout=child_fd, stderr=child_fd, env=env, start_new_session=True
    )
    os.close(child_fd)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.05)
            if ready:
                try:
                    if not os.read(main_fd, 65536):
                        break
                except OSError:  # EIO: every process on the terminal has closed it
                    break
            elif process.poll() is not None:
                break
        try:
            return process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise RuntimeError(f"{' '.join(command)} did not finish within {timeout} s") from None
    finally:
        os.close(main_fd)


def first_question_seconds(home: Path) -> float:
    marker = home / "painted.txt"
    marker.unlink(missing_ok=True)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    command = [*studycards_command(), "--home", str(home), "quiz", "cnn", "--bench-first-paint", str(marker)]
    started = time.time()
    code = run_in_terminal(command, env)
    if code != 0 or not marker.exists():
        raise RuntimeError(f"{' '.join(command)} exited with {code} before painting a question")
    return float(marker.read_text()) - started


def due_seconds(home: Path) -> float:
    """``studycards due`` from launch to exit (it prints the decks' counts and must not import torch)."""
    started = time.perf_counter()
    subprocess.run([*studycards_command(), "--home", str(home), "due"], check=True, capture_output=True)
    return time.perf_counter() - started


def command_seconds(home: Path, *args: str) -> float:
    """``studycards ARGS`` from launch to exit."""
    started = time.perf_counter()
    subprocess.run([*studycards_command(), "--home", str(home), *args], check=True, capture_output=True)
    return time.perf_counter() - started


def first_and_later(*args: str) -> tuple[float, float]:
    """``studycards ARGS`` in a fresh home (torch reads everything), then again with its readings kept."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        return command_seconds(home, *args), command_seconds(home, *args)


def python_seconds(code: str = "import torch") -> float:
    """``python -c CODE`` from launch to exit."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        first_question_seconds(home)  # warm the file cache and create the store once
        quiz = [first_question_seconds(home) for _ in range(args.runs)]
        due_seconds(home)
        due = [due_seconds(home) for _ in range(args.runs)]
    show_runs = [first_and_later("show", "modern-cnn", "--truth") for _ in range(args.runs)]
    count_runs = [first_and_later("count", "resnet50") for _ in range(args.runs)]
    python_seconds()
    torch = [python_seconds() for _ in range(args.runs)]
    floor = [python_seconds(TORCH_FLOOR) for _ in range(args.runs)]

    show_first, show_later = ([run[i] for run in show_runs] for i in (0, 1))
    count_first = [run[0] for run in count_runs]
    quiz_median, due_median, torch_median, show_median, floor_median, show_first_median, count_first_median = (
        statistics.median(times) for times in (quiz, due, torch, show_later, floor, show_first, count_first)
    )
    print(f"startup: {args.runs} runs each, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print()
    print(f"{'what':<44} {'median':>8} {'min':>8} {'max':>8} {'of torch':>9} {'of floor':>9}")
    rows = [
        ("studycards quiz cnn: launch → first question", quiz),
        ("studycards due: launch → exit", due),
        ("show modern-cnn --truth, fresh home", show_first),
        ("show modern-cnn --truth, readings kept", show_later),
        ("count resnet50, fresh home", count_first),
        ("count resnet50, reading kept", [run[1] for run in count_runs]),
        ('python -c "import torch"', torch),
        ("floor: import torch, meta Conv2d and Linear", floor),
    ]
    for name, times in rows:
        median = statistics.median(times)
        print(
            f"{name:<44} {median:>7.3f}s {min(times):>7.3f}s {max(times):>7.3f}s {median / torch_median:>8.2f}×"
            f" {median / floor_median:>8.2f}×"
        )
    print()
    print(
        targets_line(
            {
                f"first question {quiz_median:.3f} s ≤ {FIRST_QUESTION_SECONDS} s": quiz_median
                <= FIRST_QUESTION_SECONDS,
                f"first question {quiz_median / torch_median:.2f} × import torch ≤ {FIRST_QUESTION_OF_TORCH}": (
                    quiz_median <= FIRST_QUESTION_OF_TORCH * torch_median
                ),
                f"due {due_median / torch_median:.2f} × import torch ≤ {DUE_OF_TORCH}": (
                    due_median <= DUE_OF_TORCH * torch_median
                ),
                f"show --truth (kept) {show_median:.2f} s ≤ {SHOW_TRUTH_SECONDS} s": show_median <= SHOW_TRUTH_SECONDS,
                f"show --truth (kept) {show_median / torch_median:.2f} × import torch ≤ {SHOW_TRUTH_OF_TORCH}": (
                    show_median <= SHOW_TRUTH_OF_TORCH * torch_median
                ),
                f"show --truth (fresh home) {show_first_median / floor_median:.2f} × floor ≤ {FRESH_HOME_OF_FLOOR}": (
                    show_first_median <= FRESH_HOME_OF_FLOOR * floor_median
                ),
                f"count resnet50 (fresh) {count_first_median / floor_median:.2f} × floor ≤ {FRESH_HOME_OF_FLOOR}": (
                    count_first_median <= FRESH_HOME_OF_FLOOR * floor_median
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
