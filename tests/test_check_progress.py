"""`studycards check` shows a progress bar on a terminal's stderr, and nothing extra in a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from studycards.deck import find_deck


def studycards_command() -> list[str]:
    script = Path(sys.executable).with_name("studycards")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studycards"]


def _summary_start() -> str:
    cards = len(find_deck("mdn").cards)
    return f"{cards} cards, {3 * cards} questions"


def test_check_in_a_pipe_prints_the_table_and_no_progress(run_cli):
    result = run_cli("check", "mdn", "--seeds", "3")
    assert result.exit_code == 0
    assert "checking" not in result.output
    assert result.output.strip().splitlines()[-1].startswith(_summary_start())


def test_check_on_a_terminal_draws_a_progress_bar_on_stderr(home):
    reader, writer = pty.openpty()
    process = subprocess.run(
        [*studycards_command(), "--home", str(home), "check", "mdn", "--seeds", "3"],
        stdout=subprocess.PIPE,
        stderr=writer,
        timeout=300,
        check=False,
    )
    os.close(writer)
    drawn = b""
    while True:
        try:
            chunk = os.read(reader, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(reader)
    stderr = drawn.decode("utf-8", "replace")
    assert process.returncode == 0, stderr
    assert "checking" in stderr and "100%" in stderr and "mdn/" in stderr
    assert b"checking" not in process.stdout
    assert process.stdout.decode().strip().splitlines()[-1].startswith(_summary_start())
