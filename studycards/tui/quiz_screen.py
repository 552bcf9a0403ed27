"""The quiz screen: one card at a time, answered, checked, graded; the session does the bookkeeping.

Keys depend on where the learner is, so letters typed as an answer are never taken as commands:

* answering (the answer box has focus): Enter checks; ctrl+s skips, ctrl+z undoes the last grade, F1 help;
* checked (the grade bar has focus): Enter accepts the suggested grade, a digit gives another; ``w`` shows
  the worked solution, ``s`` skips, ``u`` undoes, ``?`` help;
* done (nothing left): ``p`` adds practice cards, ``u`` undoes, ``?`` help.

Esc ends the session with a summary, ctrl+q quits; every grade is already in the store by then. The torch
line is computed in a background thread (the first one imports torch) and appears when it is ready.

No key grades a card the learner has not seen checked: undo brings the card back with its answer in the
box, answering (Enter checks it again, "Check again" in the footer), so keys typed for the card that was
on screen go into that box, never into a grade; grade keys typed before a verdict was painted are dropped
(``GradeBar.arm``); an empty Enter asks once before revealing the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Collapsible, Footer, Input, ProgressBar, Static

from studycards.errors import StudycardsError
from studycards.hints import input_hint
from studycards.reading_cache import ReadingCache
from studycards.session import PRACTICE_BATCH
from studycards.tui.laid_out_text import LaidOutText
from studycards.tui.widgets import AnswerInput, GradeBar

if TYPE_CHECKING:
    from studycards.question import Question
    from studycards.session import Attempt, QuizSession

KIND_LABELS = {"review": "due", "new": "new", "redrill": "re-drill", "practice": "practice"}
VERDICT_LABELS = {"correct": "✓ Correct", "incorrect": "✗ Incorrect", "unreadable": "? Not read"}
ANSWERING, CHECKED, DONE = "answering", "checked", "done"
# Which of a pair of bindings for the same action the footer shows, per state (see check_action).
_WHILE_TYPING = "typing"
_AFTER_CHECK = "key"


class QuizScreen(Screen[None]):
    """Asks the session's cards one by one."""

    BINDINGS = [
        Binding("w", "solution", "Solution"),
        Binding("s", f"skip('{_AFTER_CHECK}')", "Skip"),
        Binding("ctrl+s", f"skip('{_WHILE_TYPING}')", "Skip"),
        Binding("u", f"undo('{_AFTER_CHECK}')", "Undo"),
        Binding("ctrl+z", f"undo('{_WHILE_TYPING}')", "Undo"),
        Binding("p", "practice", "More practice"),
        Binding("question_mark", f"help('{_AFTER_CHECK}')", "Help", key_display="?"),
        Binding("f1", f"help('{_WHILE_TYPING}')", "Help"),
        Binding("escape", "end", "End"),
        # The body scrolls under the docked verdict and grade bar, whichever widget has the focus.
        Binding("up", "scroll_body('up')", "Scroll up", show=False),
        Binding("down", "scroll_body('down')", "Scroll down", show=False),
        Binding("pageup", "scroll_body('page_up')", "Page up", show=False),
        Binding("pagedown", "scroll_body('page_down')", "Page down", show=False),
    ]

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session
        self.state = ANSWERING
        # (card ref, seed), which makes the question, -> its torch lines (None: the card has no torch truth)
        self._truths: dict[tuple[str, int], tuple[str, ...] | None] = {}
        self._asked: set[tuple[str, int]] = set()  # questions whose torch line is being computed
        self._painted = False

    # --- layout --------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="card-line"):
            yield Static(id="card-title", markup=False)
            yield Static(id="card-kind", markup=False)
        with Horizontal(id="progress-line"):
            yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
            yield Static(id="progress-count", markup=False)
        with VerticalScroll(id="card-body"):
            yield LaidOutText(id="prompt", reflow=True)
            yield AnswerInput(id="answer")
            yield Static(id="preview", markup=False)
            with Vertical(id="result"):
                yield LaidOutText(id="feedback", mend=True)
                with Collapsible(title="Worked solution (w)", id="solution"):
                    yield LaidOutText(id="solution-text", mend=True)
                yield Static(id="truth", markup=False)
            yield Static(id="done", markup=False)
        # Docked under the body, so the verdict and the grade that Enter accepts are always on screen.
        with Vertical(id="decision"):
            yield Static(id="verdict", markup=False)
            yield GradeBar(id="grade-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.show_current()
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        self._painted = True
        self.app.first_question_painted()
        self.app.warm_up()
        if self.session.current is not None:
            self._request_truth(self.session.current.question)

    # --- showing the session -------------------------------------------------------------------------------

    def show_current(self) -> None:
        """Show the session's card on screen as it stands: open, checked, or none left."""
        session = self.session
        for problem in session.problems:
            self.notify(problem, title="card skipped", severity="error", timeout=10, markup=False)
        session.problems.clear()
        self._show_progress()
        attempt = session.current
        if attempt is None:
            self._show_done()
            return
        question = attempt.question
        card = question.card
        self.query_one("#card-title", Static).update(f"{card.deck_id} · {card.title}")
        self.query_one("#card-kind", Static).update(KIND_LABELS.get(attempt.item.kind, attempt.item.kind))
        self.query_one("#prompt", LaidOutText).update(_prompt_text(question))
        answer = self.query_one(AnswerInput)
        answer.placeholder = input_hint(question)
        answer.value = attempt.answer or ""  # an undone card comes back with its answer, to check again
        answer.came_back = attempt.came_back
        if attempt.came_back:
            kind = KIND_LABELS.get(attempt.item.kind, attempt.item.kind)
            self.query_one("#card-kind", Static).update(f"{kind} · back after undo")
        self._request_truth(question)
        if attempt.checked:
            self._show_result(attempt)
        else:
            self._set_state(ANSWERING)
            self.query_one("#preview", Static).update("")
            answer.focus()

    def _show_progress(self) -> None:
        session = self.session
        self.query_one(ProgressBar).update(total=max(session.total, 1), progress=session.done)
        self.query_one("#progress-count", Static).update(f"{session.done} / {session.total}")

    def _show_result(self, attempt: Attempt) -> None:
        grade = attempt.grade
        assert grade is not None
        verdict = self.query_one("#verdict", Static)
        verdict.set_classes(f"-{grade.verdict}")
        expected = grade.expected if grade.verdict == "correct" else f"expected {grade.expected}"
        verdict.update(f"{VERDICT_LABELS.get(grade.verdict, grade.verdict)}: {expected}")
        feedback = self.query_one("#feedback", LaidOutText)
        feedback.update(grade.feedback)
        feedback.display = bool(grade.feedback)
        self.query_one("#solution-text", LaidOutText).update(attempt.question.solution.strip("\n"))
        self.query_one(Collapsible).collapsed = True
        self._show_truth(attempt.question)
        self.query_one("#preview", Static).update(f"read as {grade.reading}" if grade.reading else "")
        self.query_one(AnswerInput).value = attempt.answer or ""  # what was checked, not keys typed after Enter
        self._set_state(CHECKED)
        bar = self.query_one(GradeBar)
        bar.suggest(self.session.suggested_grade())
        bar.arm()
        bar.focus()
        # On a long card the feedback would sit below the fold: once laid out, scroll just enough to show
        # it and the solution's toggle under it (the torch line, which arrives later, lies below both).
        self.call_after_refresh(self._reveal_feedback)

    def _reveal_feedback(self) -> None:
        if self.state == CHECKED:
            body = self.query_one("#card-body", VerticalScroll)
            body.scroll_to_widget(self.query_one(Collapsible), animate=False)

    def _show_done(self) -> None:
        session = self.session
        self.query_one("#card-title", Static).update("All done" if session.done else "Nothing to study")
        self.query_one("#card-kind", Static).update("")
        scope = f"deck {session.deck_id}" if session.deck_id else "your decks"
        if session.done:
            message = f"No more cards in this session: {session.done} answered."
        else:
            message = f"Nothing is due and no new cards are left today in {scope}."
        self.query_one("#done", Static).update(
            f"{message}\n\np: practise {PRACTICE_BATCH} more cards (logged, the schedule does not move)\n"
            "esc: end the session and see the summary"
        )
        self._set_state(DONE)
        self.set_focus(None)

    def _set_state(self, state: str) -> None:
        self.state = state
        for name in (ANSWERING, CHECKED, DONE):
            self.set_class(state == name, f"-{name}")
        self.query_one(AnswerInput).disabled = state != ANSWERING
        self.refresh_bindings()

    # --- the torch line ----------------------------------------------------------------------------------

    def _request_truth(self, question: Question) -> None:
        """Compute the question's torch line in a thread; it is shown once the answer is checked.

        Not before the first paint: importing torch would compete with drawing the first question."""
        key = _key(question)
        if not self._painted or key in self._truths or key in self._asked:
            return
        self._asked.add(key)

        def arrived(lines: tuple[str, ...] | None, error: BaseException | None) -> None:
            self._truths[key] = lines if error is None else (f"torch could not check this question: {error}",)
            attempt = self.session.current
            if attempt is not None and attempt.checked and _key(attempt.question) == key and self.is_attached:
                self._show_truth(attempt.question)

        self.app.background.run(f"truth {question.ref}", lambda: _truth_lines(self.app.readings, question), arrived)

    def _show_truth(self, question: Question) -> None:
        truth = self.query_one("#truth", Static)
        key = _key(question)
        if key not in self._truths:
            truth.update("torch: checking…")
            truth.set_classes("-pending")
            truth.display = True
            return
        lines = self._truths[key]
        truth.set_classes("")
        truth.display = lines is not None
        if lines is not None:
            from studycards.torch_line import wrap_torch_line

            # Broken between layers, not inside one, at the line's width (the screen's less the body's
            # padding and its scroll bar's gutter while the layout is still to come).
            width = truth.content_region.width or self.app.size.width - 4
            truth.update("\n".join(part for line in lines for part in wrap_torch_line(line, max(width, 40))))

    # --- events ------------------------------------------------------------------------------------------

    @on(Input.Changed, "#answer")
    def _preview(self, event: Input.Changed) -> None:
        attempt = self.session.current
        if attempt is None or attempt.checked:
            return
        preview = self.query_one("#preview", Static)
        preview.set_classes("")
        if not event.value.strip():
            preview.update("")
            return
        from studycards.answer_reader import preview as read_preview

        preview.update(read_preview(event.value, attempt.question))

    @on(Input.Submitted, "#answer")
    def _check(self, event: Input.Submitted) -> None:
        attempt = self.session.current
        if attempt is None or attempt.checked:
            return
        grade = self.session.check(event.value)
        if not attempt.checked:  # unreadable or empty: sent back once, most likely a typo or an early Enter
            preview = self.query_one("#preview", Static)
            preview.set_classes("-unreadable")
            if event.value.strip():
                preview.update(f"{grade.feedback} Fix it, or press Enter again to see the answer.")
            else:
                preview.update("Nothing typed yet. Type your answer, or press Enter again to see the answer.")
            return
        self._show_result(attempt)

    @on(GradeBar.Early)
    def _early_grade_key(self, event: GradeBar.Early) -> None:
        key = "Enter" if event.key == "enter" else event.key
        self.notify(f"{key} was typed before the verdict was on screen, so it did not grade: grade now", timeout=3)

    @on(GradeBar.Chosen)
    def _grade(self, event: GradeBar.Chosen) -> None:
        if self.state != CHECKED:
            return
        self.session.grade(event.quality)
        self.show_current()

    # --- actions -----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show each binding only in the state where it works (so the footer never lies)."""
        if action in ("skip", "undo", "help"):
            if parameters and parameters[0] == _WHILE_TYPING:
                if self.state != ANSWERING:
                    return False
            elif self.state == ANSWERING:
                return False
            if action == "skip":
                return self.state != DONE
            if action == "undo":
                return True if self.session.history else None
            return True
        if action == "solution":
            return self.state == CHECKED
        if action == "practice":
            return self.state == DONE
        return True

    def action_solution(self) -> None:
        solution = self.query_one(Collapsible)
        solution.collapsed = not solution.collapsed
        if not solution.collapsed:
            self.query_one("#card-body", VerticalScroll).scroll_to_widget(solution)

    def action_scroll_body(self, direction: str) -> None:
        getattr(self.query_one("#card-body", VerticalScroll), f"scroll_{direction}")()

    def action_skip(self, _variant: str = "") -> None:
        self.session.skip()
        self.notify("skipped: it comes back at the end of the queue", timeout=2)
        self.show_current()

    def action_undo(self, _variant: str = "") -> None:
        try:
            undone = self.session.undo()
        except StudycardsError as error:
            self.notify(str(error), title="cannot undo", severity="error", markup=False)
            return
        if undone is None:
            self.notify("nothing to undo in this session", timeout=2)
            return
        self.notify(
            f"Undone: grade {undone.quality} for “{undone.attempt.item.card.title}”. It is back with your answer:"
            " Enter checks it again, then grade it.",
            title="card back",
            timeout=6,
            markup=False,
        )
        self.show_current()

    def action_help(self, _variant: str = "") -> None:
        self.app.action_help()

    def action_practice(self) -> None:
        added = self.session.add_practice()
        if not added:
            self.notify("no cards to practise", timeout=2)
            return
        self.show_current()

    def action_end(self) -> None:
        self.app.end_quiz(self.session)


def _key(question: Question) -> tuple[str, int]:
    return (question.ref, question.seed)


def _prompt_text(question: Question) -> str:
    """The prompt, with a choice card's options under it, one a line (a long one wraps under its text)."""
    from studycards.question import fill

    text = question.prompt.strip()
    choices = [fill(choice, question.values) for choice in question.card.choices]
    if choices:
        text += "\n\n" + "\n".join(f"  {number}. {choice}" for number, choice in enumerate(choices, 1))
    return text


def _truth_lines(readings: ReadingCache, question: Question) -> tuple[str, ...] | None:
    result = readings.truth(question)
    if result is None:
        return None
    lines = result.lines
    if not result.agrees:
        lines = (*lines, "torch disagrees with this card's answer: please report it")
    return lines
