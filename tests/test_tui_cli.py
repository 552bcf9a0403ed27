"""The TUI commands' errors: one line and a non-zero exit, before the terminal is ever taken over."""

from __future__ import annotations


def test_quiz_of_an_unknown_deck_names_the_decks_there_are(run_cli):
    result = run_cli("quiz", "nope")
    assert result.exit_code != 0
    assert result.output.startswith("studycards: no deck 'nope' (decks: ")
    assert "cnn" in result.output and "Traceback" not in result.output


def test_the_tui_without_a_terminal_says_so_in_one_line(run_cli):
    for args, shown in ((("quiz", "cnn"), "studycards quiz"), (("review",), "studycards review"), ((), "studycards`")):
        result = run_cli(*args)
        assert result.exit_code != 0
        assert result.output.count("\n") == 1
        assert shown in result.output and "draws on a terminal" in result.output
