"""Shared fixtures: every test runs with its own temporary data home, never the learner's real one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data home, also set as $STUDYCARDS_HOME so nothing can fall back to the real one."""
    home_dir = tmp_path / "home"
    monkeypatch.setenv("STUDYCARDS_HOME", str(home_dir))
    return home_dir


@pytest.fixture
def run_cli(home: Path):
    """Run ``studycards ARGS...`` in-process against the temporary home; returns click's Result."""
    from studycards.cli import main

    def run(*args: str, input: str | None = None):  # noqa: A002 - click's name
        return CliRunner().invoke(main, ["--home", str(home), *args], input=input, catch_exceptions=False)

    return run
