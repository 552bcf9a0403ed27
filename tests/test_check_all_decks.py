"""The acceptance check from issue 7: `studycards check --seeds 500` passes for every shipped deck."""

from __future__ import annotations

import subprocess
import sys


def test_check_500_seeds_for_every_deck_passes(home):
    result = subprocess.run(
        [sys.executable, "-m", "studycards", "--home", str(home), "check", "--seeds", "500"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " 0 failed" in summary, summary
