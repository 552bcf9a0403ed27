"""The hostile corpus: nothing runs, nothing raises, nothing is correct, and nothing hangs.

Speed is measured in ``benchmarks/grading.py`` (worst hostile answer against its 200 ms budget); the
one-second ceiling here only catches a hang, such as ``9**9**9`` actually being computed.
"""

from __future__ import annotations

import ast
import builtins
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy
import sympy.parsing.sympy_parser
from hostile_answers import corpus

from studycards.answer_reader import preview
from studycards.deck import load_deck
from studycards.grading import grade_question
from studycards.locations import bundled_decks_dir
from studycards.question import generate

HANG_CEILING = 1.0  # seconds: five times the budget, so only a real hang fails
ENTRIES = corpus("{marker}")

CHOICE_DECK = '''
id = "hostile"
title = "A choice card to attack"

[[cards]]
id = "pick"
title = "Pick the pooling layer"
kind = "choice"
prompt = "Which layer has no parameters?"
choices = ["MaxPool2d", "Conv2d", "Linear"]
answer = "MaxPool2d"
solution = "Pooling has nothing to learn."

[[cards.mistakes]]
id = "conv"
answer = "Conv2d"
feedback = "A convolution has weights."
'''


@pytest.fixture(scope="module")
def questions(tmp_path_factory):
    cards = {card.id: card for card in load_deck(bundled_decks_dir() / "cnn.toml").cards}
    deck_file = tmp_path_factory.mktemp("decks") / "hostile.toml"
    deck_file.write_text(CHOICE_DECK, encoding="utf-8")
    choice = load_deck(deck_file).cards[0]
    return [
        generate(cards["conv-params"], 3),  # number
        generate(cards["conv-output-formula"], 3),  # expression
        generate(cards["one-by-one-shape"], 3),  # shape
        generate(choice, 0),
    ]


@pytest.mark.parametrize(("label", "template"), ENTRIES, ids=[label for label, _ in ENTRIES])
def test_hostile_answer_is_refused_safely(label, template, questions, tmp_path):
    marker = tmp_path / "pwned"
    text = template.replace("{marker}", str(marker))
    for question in questions:
        started = time.perf_counter()
        result = grade_question(question, text)
        line = preview(text, question.card)
        elapsed = time.perf_counter() - started
        assert result.verdict in ("incorrect", "unreadable"), (label, question.kind, result)
        assert result.verdict == "unreadable" or result.reading is not None
        assert "\n" not in result.feedback and "\n" not in line
        assert line.startswith(("reads as ", "cannot read: "))
        assert elapsed < HANG_CEILING, (label, question.kind, elapsed)
    assert not marker.exists()


def test_typical_attacks_are_unreadable_with_a_reason(questions):
    number = questions[0]
    for text in ("__import__('os').system('x')", "().__class__", "9**9**9", "1" * 1_000_000, "a\x00"):
        result = grade_question(number, text)
        assert result.verdict == "unreadable"
        assert result.feedback.startswith("Cannot read the answer: ")
        assert result.reading is None


def test_text_never_reaches_eval_exec_or_sympify(questions, monkeypatch, tmp_path):
    """ast.parse may compile text to a tree only; eval/exec and sympify may never be handed text."""
    marker = tmp_path / "pwned"
    texts = [template.replace("{marker}", str(marker)) for _, template in ENTRIES]
    texts += ["11*11*3*48*2", "(i-k+2p)/s+1", "floor((i-k+2p)/s)+1", "sqrt(8)*sqrt(2)", "(1, 8, 64)", "conv2d"]

    def run_all() -> None:
        for question in questions:
            for text in texts:
                grade_question(question, text)
                preview(text, question)

    run_all()  # first, so that the modules sympy imports lazily are loaded before the guards go up
    real_compile, real_eval, real_exec = builtins.compile, builtins.eval, builtins.exec
    real_sympify = sympy.sympify

    def tree_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        assert not isinstance(source, str) or flags & ast.PyCF_ONLY_AST, f"compile() to code: {source!r}"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def no_text(real):
        def guarded(source, *args, **kwargs):
            assert not isinstance(source, str | bytes), f"{real.__name__} saw text: {source!r}"
            return real(source, *args, **kwargs)

        return guarded

    def objects_only_sympify(value, *args, **kwargs):
        assert not isinstance(value, str), f"sympify saw text: {value!r}"
        return real_sympify(value, *args, **kwargs)

    def forbidden(*args, **kwargs):
        raise AssertionError(f"parse_expr called with {args!r}")

    monkeypatch.setattr(builtins, "compile", tree_only_compile)
    monkeypatch.setattr(builtins, "eval", no_text(real_eval))
    monkeypatch.setattr(builtins, "exec", no_text(real_exec))
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", forbidden)
    monkeypatch.setattr(sympy, "sympify", objects_only_sympify)
    monkeypatch.setattr(sys.modules["sympy.core.sympify"], "sympify", objects_only_sympify)
    run_all()
    assert not marker.exists()


def test_the_whole_corpus_cannot_take_the_process_down(tmp_path):
    """In a fresh interpreter: a crash (segfault, abort, recursion overflow) would show as a bad exit."""
    marker = tmp_path / "pwned"
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from hostile_answers import corpus
from studycards.deck import load_deck
from studycards.grading import grade_question
from studycards.locations import bundled_decks_dir
from studycards.question import generate
cards = {{card.id: card for card in load_deck(bundled_decks_dir() / "cnn.toml").cards}}
questions = [generate(cards[name], 1) for name in ("conv-params", "conv-output-formula", "one-by-one-shape")]
verdicts = set()
for label, text in corpus({str(marker)!r}):
    for question in questions:
        verdicts.add(grade_question(question, text).verdict)
print(sorted(verdicts))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "correct'" not in done.stdout.replace("incorrect'", "")
    assert not marker.exists()
