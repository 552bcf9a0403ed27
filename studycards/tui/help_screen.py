"""The help screen: every key, by screen, and how answers and grades work. Any of Esc, q, ?, F1 closes it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from studycards.session import FAST_SECONDS
from studycards.tui.laid_out_text import LaidOutText

HELP_TEXT = f"""\
Home
  enter    quiz the highlighted deck: cards missed today, then due ones,
           then new ones
  r        review: the same over every deck, decks interleaved
  s        statistics             ?  this help        q  quit

Quiz, while typing (letters and digits go into the answer)
  enter    check the answer (an unreadable one is sent back once:
           enter again shows the answer anyway)
  ctrl+s   skip: the card comes back last, with new numbers
  ctrl+z   undo the last grade    f1  this help      esc  end

Quiz, after checking
  enter    accept the suggested grade; 0-5 give that grade; ← → move
  w        show the worked solution
  s        skip without grading   u  undo the last grade
  ?        this help              esc  end the session, see the summary

When every card is done
  p        practise more (logged; the schedule does not move)

Stats
  w        quiz just the weakest templates   d  next deck (or all)
  esc      back home

Grades (SM-2)
  5 right, easy  4 right  3 right, hard  2 wrong, close  1 wrong  0 blank
  Suggested: correct 4, or 5 within {FAST_SECONDS:g} s; a known mistake 2;
  another wrong answer 1; nothing readable 0. Cards graded below 4 come
  back later in the session (re-drills) until they get 4 or more.

Every grade is saved the moment it is given; ctrl+q quits anywhere."""


class HelpScreen(ModalScreen[None]):
    """Keys and grading rules, over whatever screen was showing."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static("Keys  (esc closes)", id="help-title", markup=False)
            with VerticalScroll(id="help-body"):
                # a key's description wraps under the description, not at column 0, on a narrow terminal
                yield LaidOutText(HELP_TEXT, id="help-text")
