"""The real `studycards quiz cnn` in a pseudo-terminal: answer one card, grade it, quit; the store has it."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from studycards.deck import find_deck
from studycards.grading import grade_question
from studycards.question import generate
from studycards.session import suggest_grade
from studycards.store import Store

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
TIMEOUT = 30.0  # generous: the whole exchange takes a few seconds


def studycards_command() -> list[str]:
    """The installed console script beside this Python (the venv's), else ``python -m studycards``."""
    script = Path(sys.executable).with_name("studycards")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studycards"]


class Terminal:
    """A command running on an 80×24 pseudo-terminal, with what it has drawn so far as plain text."""

    def __init__(self, command: list[str]) -> None:
        self.fd, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {key: value for key, value in os.environ.items() if not key.startswith("TEXTUAL")}
        env.update(TERM="xterm-256color", COLUMNS="80", LINES="24")
        self.process = subprocess.Popen(
            command, stdin=child, stdout=child, stderr=child, env=env, start_new_session=True
        )
        os.close(child)
        self.output = b""

    def read(self, seconds: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            try:
                self.output += os.read(self.fd, 65536)
            except OSError:  # the program has closed the terminal
                time.sleep(seconds)

    @property
    def text(self) -> str:
        return ANSI.sub(b"", self.output).decode("utf-8", "replace")

    def wait_for(self, found, what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not found():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"gave up waiting for {what}; the screen said:\n{self.text[-2000:]}")
            self.read(0.05)

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> int:
        deadline = time.monotonic() + TIMEOUT
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.05)
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        os.close(self.fd)
        return code


def reviews_in(home: Path):
    with Store(home) as store:
        return store.reviews()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_quiz_cnn_in_a_terminal_answers_one_card_quits_and_the_store_holds_the_review(home):
    terminal = Terminal([*studycards_command(), "--home", str(home), "quiz", "cnn"])
    try:
        terminal.wait_for(lambda: "Check" in terminal.text and " / " in terminal.text, "the first question")
        terminal.send(b"7")
        terminal.wait_for(lambda: "reads as 7" in terminal.text, "the live preview")
        terminal.send(b"\r")
        terminal.wait_for(lambda: "Accept grade" in terminal.text, "the verdict and the grade bar")
        terminal.send(b"\r")  # accept the suggested grade
        terminal.wait_for(lambda: (home / "studycards.db").exists() and reviews_in(home), "the review to be saved")
        terminal.send(b"\x11")  # ctrl+q
        code = terminal.close()
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
    assert code == 0, terminal.text[-2000:]

    (review,) = reviews_in(home)
    card = find_deck("cnn", home).cards[0]  # a fresh home: the deck's first new card comes first
    assert (review.kind, review.deck_id, review.card_id, review.answer) == ("new", "cnn", card.id, "7")
    grade = grade_question(generate(card, review.seed), "7")  # the logged seed reproduces the question
    assert (review.verdict, review.mistake_id) == (grade.verdict, grade.mistake)
    assert review.quality == suggest_grade(grade.verdict, grade.mistake, review.seconds)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_keys_arriving_in_one_burst_are_applied_in_the_order_typed(home):
    """ctrl+u typed between text in one write (a fast typist, or a terminal catching up) clears what came
    before it, not what came after: Textual alone would apply it last and leave the box empty."""
    terminal = Terminal([*studycards_command(), "--home", str(home), "quiz", "cnn"])
    try:
        terminal.wait_for(lambda: "Check" in terminal.text and " / " in terminal.text, "the first question")
        terminal.send(b"99\x157")  # 9, 9, ctrl+u, 7 in a single write
        terminal.wait_for(lambda: "reads as 7" in terminal.text, "the box to hold just 7")
        terminal.send(b"\r")
        terminal.wait_for(lambda: "Accept grade" in terminal.text, "the verdict and the grade bar")
        terminal.send(b"\r")
        terminal.wait_for(lambda: (home / "studycards.db").exists() and reviews_in(home), "the review to be saved")
        terminal.send(b"\x11")  # ctrl+q
        code = terminal.close()
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
    assert code == 0, terminal.text[-2000:]
    (review,) = reviews_in(home)
    assert review.answer == "7"
