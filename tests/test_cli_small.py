"""Small promises of the command line: the version, the check table's columns, count's usage line and
export's default of several notes per card."""

from __future__ import annotations

import csv
from importlib.metadata import version


def test_version_is_the_installed_package_version(run_cli):
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"studycards {version('studycards')}"


def test_check_table_names_every_column(run_cli):
    result = run_cli("check", "mdn", "--seeds", "1")
    header, rule = result.stdout.splitlines()[:2]
    assert header.split() == ["card", "seeds", "proved", "no", "torch", "failed", "seconds", "result"]
    assert len(rule.split()) == 7  # one rule under each of the seven columns
    assert result.stdout.splitlines()[2].split()[-1] == "ok"


def test_count_usage_names_the_argument_as_the_help_text_does(run_cli):
    result = run_cli("count", "--help")
    assert "count [OPTIONS] SPEC_OR_NAME\n" in result.stdout  # CliRunner calls the program "main"
    assert "SPEC_OR_NAME is a torch layer" in result.stdout


def test_export_writes_five_instances_of_each_card_by_default(run_cli, tmp_path):
    package = tmp_path / "mdn.apkg"
    result = run_cli("export", "mdn", "-o", str(package), "--tsv")
    assert result.exit_code == 0, result.output
    with package.with_suffix(".tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    seeds_by_card: dict[str, set[str]] = {}
    for row in rows:
        seeds_by_card.setdefault(row[1], set()).add(row[2])
    assert seeds_by_card and all(seeds == {"0", "1", "2", "3", "4"} for seeds in seeds_by_card.values())
