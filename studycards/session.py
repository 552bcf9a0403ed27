"""A quiz session: which card comes next, what the learner answered, and what goes into the store.

Kept free of any UI so every rule can be tested without a terminal; the TUI only shows ``session.current``
and calls ``check``, ``grade``, ``skip``, ``undo`` and ``add_practice``.

The queue: learning cards first (failed earlier today, in this or any other session, and not yet answered
with 4 or 5: ``Store.learning_cards``, read from the log), then cards due (most overdue first), then new
cards within each deck's daily limit, then, only when the learner asks, extra practice (logged, schedule
untouched). A daily review over every deck interleaves the decks (round robin), so consecutive cards rarely
share a topic; learning cards keep the order they were failed in. A card graded below 4 comes back a few
cards later as a re-drill, again and again until it scores 4 or more (SM-2's same-day rule); re-drills,
including a learning card asked in a later session, are logged as ``redrill`` and do not move the schedule.

Every question gets a fresh seed (new numbers each time, so answers cannot be remembered), and the seed
goes into the store's log with the answer, so any review can be regenerated exactly. Each grade is
written to the store the moment it is given; ``undo`` appends an undo row there rather than forgetting.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from studycards.errors import StudycardsError
from studycards.question import Question, generate
from studycards.store import LoggedReview, Store, catalogue

if TYPE_CHECKING:
    from studycards.deck import CardTemplate, Deck
    from studycards.grading import Grade

REDRILL_GAP = 3  # a re-drill comes back after this many other cards (sooner if fewer are left)
PRACTICE_BATCH = 5  # cards added each time the learner asks for more practice
FAST_SECONDS = 15.0  # a correct answer at least this quick suggests 5 rather than 4
SEED_LIMIT = 2**31  # seeds are drawn from [0, SEED_LIMIT): short enough to read in a log

QUEUE_KINDS = ("review", "new", "redrill", "practice")

T = TypeVar("T")


@dataclass(frozen=True)
class QueueItem:
    """A card waiting to be asked: why it is asked (``kind``) and the seed its numbers come from.

    ``uid`` identifies the item through skips (which change the seed) so an undo can find its re-drill.
    """

    uid: int
    card: CardTemplate
    kind: str
    seed: int

    @property
    def ref(self) -> str:
        return self.card.ref


@dataclass
class Attempt:
    """The card on screen: its question, when it was shown, and, once checked, the answer and its grade.

    ``unreadable_text`` holds an answer that could not be read (or an empty one) and was sent back once
    (see ``check``). ``came_back`` marks an attempt an undo reopened: its answer waits to be checked again.
    """

    item: QueueItem
    question: Question
    started: float
    answer: str | None = None
    grade: Grade | None = None
    seconds: float | None = None
    unreadable_text: str | None = None
    came_back: bool = False

    @property
    def checked(self) -> bool:
        return self.grade is not None


@dataclass(frozen=True)
class GradedAttempt:
    """A graded answer: the review row it wrote and the re-drill it queued, if any (for ``undo``)."""

    attempt: Attempt
    quality: int
    review: LoggedReview
    redrill: QueueItem | None


@dataclass(frozen=True)
class MistakeMade:
    """A wrong (or unreadable) answer of this session, for the summary."""

    ref: str
    title: str
    answer: str
    expected: str
    mistake: str | None
    feedback: str


@dataclass(frozen=True)
class Summary:
    """What the session amounted to, shown when it ends."""

    answered: int
    correct: int
    seconds: float
    skipped: int
    redrills: int
    practice: int
    mistakes: tuple[MistakeMade, ...]
    today: date
    due_left: int  # cards of this session's decks still due today (skipped, or the session ended early)
    learning_left: int  # cards of these decks failed today and not yet answered with 4 or 5
    next_due: date | None  # the first later study day with cards due, if any
    next_due_count: int


def suggest_grade(verdict: str, mistake: str | None, seconds: float) -> int:
    """The SM-2 grade a verdict suggests: correct is 4, or 5 when fast; incorrect is at most 2.

    A recognised mistake (2) shows the method was known; any other wrong answer is 1; an unreadable or
    empty answer is 0 (nothing to go on).
    """
    if verdict == "correct":
        return 5 if seconds <= FAST_SECONDS else 4
    if verdict == "incorrect":
        return 2 if mistake else 1
    return 0


def interleave(groups: Iterable[Sequence[T]]) -> list[T]:
    """Round robin over ``groups``: the first of each, then the second of each, and so on."""
    merged: list[T] = []
    for layer in itertools.zip_longest(*groups):
        merged.extend(item for item in layer if item is not None)
    return merged


@dataclass
class _Counters:
    skipped: int = 0
    uid: itertools.count = field(default_factory=itertools.count)


class QuizSession:
    """One sitting of ``studycards quiz DECK`` (``deck_id`` given) or ``studycards review`` (all decks).

    ``seeds`` draws question seeds (inject ``random.Random(n)`` for a reproducible session); ``clock`` is a
    monotonic clock in seconds for answer times.
    """

    def __init__(
        self,
        store: Store,
        decks: Sequence[Deck],
        *,
        deck_id: str | None = None,
        seeds: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        label: str | None = None,
    ) -> None:
        self.store = store
        self.deck_id = deck_id
        # What the summary calls this sitting: "deck cnn", "review of all decks", or a caller's label.
        self.scope = label or (f"deck {deck_id}" if deck_id else "review of all decks")
        self.decks = [deck for deck in decks if deck_id is None or deck.id == deck_id]
        if deck_id is not None and not self.decks:
            raise ValueError(f"no deck {deck_id!r} among the decks given")
        self.interleaved = deck_id is None
        self._seeds = seeds if seeds is not None else random.SystemRandom()
        self._clock = clock
        self._counters = _Counters()
        self._cards = {(deck.id, card.id): card for deck in self.decks for card in deck.cards}
        self._catalogue = catalogue(self.decks)
        self.queue: list[QueueItem] = self._initial_queue()
        self.history: list[GradedAttempt] = []
        self.current: Attempt | None = None
        self.problems: list[str] = []  # cards that could not be asked, one line each
        self._advance()

    # --- what the screen shows ---------------------------------------------------------------------------

    @property
    def done(self) -> int:
        """Answers graded in this session (undone ones excluded)."""
        return len(self.history)

    @property
    def total(self) -> int:
        """Cards in this session so far: graded, on screen, and queued (re-drills add to it)."""
        return self.done + len(self.queue) + (self.current is not None)

    @property
    def finished(self) -> bool:
        """Nothing left to ask (the learner may still ask for practice)."""
        return self.current is None

    def suggested_grade(self) -> int:
        """The grade to preselect for the checked card on screen."""
        attempt = self._checked_attempt()
        assert attempt.grade is not None and attempt.seconds is not None
        return suggest_grade(attempt.grade.verdict, attempt.grade.mistake, attempt.seconds)

    # --- the learner's moves -------------------------------------------------------------------------------

    def check(self, text: str) -> Grade:
        """Grade the answer ``text`` to the card on screen; the answer time stops here.

        An answer that cannot be read is sent back once, since it is most likely a typo: the attempt stays
        open (``checked`` is False) and remembers the text. An empty answer is sent back once as well (an
        Enter pressed too soon, or "I don't know"). Checking the same text again reveals the answer with
        the verdict ``unreadable``. A card an undo reopened keeps the answer time of its first check.
        """
        from studycards.grading import grade_question

        attempt = self._open_attempt()
        answer = text.strip()
        grade = grade_question(attempt.question, answer)
        if grade.verdict == "unreadable" and answer != attempt.unreadable_text:
            attempt.unreadable_text = answer
            return grade
        attempt.answer = answer
        attempt.grade = grade
        if attempt.seconds is None:
            attempt.seconds = max(0.0, self._clock() - attempt.started)
        return grade

    def grade(self, quality: int) -> GradedAttempt:
        """Give the checked card on screen ``quality`` (0-5): write the review, queue a re-drill if it is
        below 4, and move on to the next card."""
        from studycards.sm2 import check_quality, needs_redrill

        check_quality(quality)
        attempt = self._checked_attempt()
        item = attempt.item
        assert attempt.grade is not None
        review = self.store.record_review(
            item.card.deck_id,
            item.card.id,
            quality,
            kind="review" if item.kind in ("review", "new") else item.kind,
            seed=item.seed,
            answer=attempt.answer,
            verdict=attempt.grade.verdict,
            mistake_id=attempt.grade.mistake,
            seconds=attempt.seconds,
        )
        redrill = None
        if needs_redrill(quality):
            redrill = self._new_item(item.card, "redrill")
            self.queue.insert(min(REDRILL_GAP, len(self.queue)), redrill)
        graded = GradedAttempt(attempt=attempt, quality=quality, review=review, redrill=redrill)
        self.history.append(graded)
        self._advance()
        return graded

    def skip(self) -> None:
        """Set the card on screen aside: nothing is logged, and it comes back at the end of the queue with
        new numbers."""
        if self.current is None:
            return
        item = self.current.item
        self.queue.append(replace(item, seed=self._new_seed()))
        self._counters.skipped += 1
        self._advance()

    def undo(self) -> GradedAttempt | None:
        """Take back the last grade: the store logs an undo and restores the card's schedule, its re-drill
        (if still queued) is dropped, and the card returns to the screen with its answer, not yet checked:
        only a deliberate check and a grade given after that grade it again, never a key typed for the
        card that was on screen before.

        The card that was on screen goes back to the front of the queue. Returns what was undone, or None
        when nothing in this session is left to undo. Raises the store's ``UndoError`` (nothing changed)
        when another terminal has reviewed the same card since.
        """
        if not self.history:
            return None
        last = self.history[-1]
        self.store.undo_last_review(last.review.id)
        self.history.pop()
        if self.current is not None:
            displaced = self.current
            self.queue.insert(0, displaced.item)
        if last.redrill is not None:
            self.queue = [item for item in self.queue if item.uid != last.redrill.uid]
        last.attempt.grade = None
        last.attempt.came_back = True
        self.current = last.attempt
        return last

    def add_practice(self, count: int = PRACTICE_BATCH) -> int:
        """Queue ``count`` extra practice cards (logged, schedule untouched): the ones asked least in this
        session first, then those due soonest, cards never studied last; a card already waiting (queued
        or on screen) is not added again. Returns how many were added."""
        asked: dict[str, int] = {}
        for graded in self.history:
            asked[graded.attempt.item.ref] = asked.get(graded.attempt.item.ref, 0) + 1
        scheduled = {(card.deck_id, card.card_id): card.due for card in self.store.cards()}
        # Ties go in deck order; in a review, round robin over the decks (as the review itself is).
        order = {
            (deck.id, card.id): (card_index, deck_index) if self.interleaved else (deck_index, card_index)
            for deck_index, deck in enumerate(self.decks)
            for card_index, card in enumerate(deck.cards)
        }

        def priority(key: tuple[str, str]) -> tuple[int, date, tuple[int, int]]:
            return (asked.get(f"{key[0]}/{key[1]}", 0), scheduled.get(key, date.max), order[key])

        waiting = {(item.card.deck_id, item.card.id) for item in self.queue}
        if self.current is not None:
            waiting.add((self.current.item.card.deck_id, self.current.item.card.id))
        chosen = sorted((key for key in self._cards if key not in waiting), key=priority)[: max(0, count)]
        self.queue.extend(self._new_item(self._cards[key], "practice") for key in chosen)
        if self.current is None:
            self._advance()
        return len(chosen)

    # --- the end ---------------------------------------------------------------------------------------------

    def summary(self) -> Summary:
        """Answers, correct ones, time spent, mistakes made, and when cards of these decks are next due."""
        today = self.store.today()
        mistakes = tuple(
            MistakeMade(
                ref=g.attempt.item.ref,
                title=g.attempt.item.card.title,
                answer=g.attempt.answer or "",
                expected=g.attempt.grade.expected,
                mistake=g.attempt.grade.mistake,
                feedback=g.attempt.grade.feedback,
            )
            for g in self.history
            if not _is_correct(g)
        )
        due_left = len(self.store.due_cards(self.deck_id, catalogue=self._catalogue))
        learning_left = len(self.store.learning_cards(self.deck_id, catalogue=self._catalogue))
        later = sorted(
            card.due
            for card in self.store.cards()
            if card.card_id in self._catalogue.get(card.deck_id, ()) and card.due > today
        )
        next_due = later[0] if later else None
        return Summary(
            answered=self.done,
            correct=sum(1 for g in self.history if _is_correct(g)),
            seconds=sum(g.attempt.seconds or 0.0 for g in self.history),
            skipped=self._counters.skipped,
            redrills=sum(1 for g in self.history if g.attempt.item.kind == "redrill"),
            practice=sum(1 for g in self.history if g.attempt.item.kind == "practice"),
            mistakes=mistakes,
            today=today,
            due_left=due_left,
            learning_left=learning_left,
            next_due=next_due,
            next_due_count=later.count(next_due) if next_due is not None else 0,
        )

    # --- inside ------------------------------------------------------------------------------------------------

    def _initial_queue(self) -> list[QueueItem]:
        learning = [
            self._new_item(self._cards[(card.deck_id, card.card_id)], "redrill")
            for card in self.store.learning_cards(self.deck_id, catalogue=self._catalogue)
        ]
        due_by_deck: dict[str, list[QueueItem]] = {deck.id: [] for deck in self.decks}
        for scheduled in self.store.due_cards(self.deck_id, catalogue=self._catalogue):
            card = self._cards[(scheduled.deck_id, scheduled.card_id)]
            due_by_deck[card.deck_id].append(self._new_item(card, "review"))
        new_by_deck = {
            deck.id: [
                self._new_item(self._cards[(deck.id, card_id)], "new")
                for card_id in self.store.new_cards(deck.id, [card.id for card in deck.cards])
            ]
            for deck in self.decks
        }
        if self.interleaved:
            return learning + interleave(due_by_deck.values()) + interleave(new_by_deck.values())
        return learning + [item for items in (*due_by_deck.values(), *new_by_deck.values()) for item in items]

    def _new_item(self, card: CardTemplate, kind: str) -> QueueItem:
        return QueueItem(uid=next(self._counters.uid), card=card, kind=kind, seed=self._new_seed())

    def _new_seed(self) -> int:
        return self._seeds.randrange(SEED_LIMIT)

    def _advance(self) -> None:
        """Put the next queued card on screen (or none, when the queue is empty)."""
        while self.queue:
            item = self.queue.pop(0)
            try:
                question = generate(item.card, item.seed)
            except StudycardsError as error:  # a deck whose card cannot be drawn: say so, carry on
                self.problems.append(f"{item.ref}: {error}")
                continue
            self.current = Attempt(item=item, question=question, started=self._clock())
            return
        self.current = None

    def _open_attempt(self) -> Attempt:
        if self.current is None:
            raise RuntimeError("no card on screen to check")
        if self.current.checked:
            raise RuntimeError(f"{self.current.item.ref} is already checked: grade it")
        return self.current

    def _checked_attempt(self) -> Attempt:
        if self.current is None or not self.current.checked:
            raise RuntimeError("no checked card on screen to grade")
        return self.current


def _is_correct(graded: GradedAttempt) -> bool:
    return graded.attempt.grade is not None and graded.attempt.grade.verdict == "correct"
