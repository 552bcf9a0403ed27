"""Statistics from the review log: where the learner stands and what they keep getting wrong.

Pure computations over the store (no UI); ``studycards stats`` and the TUI's Stats screen only show them.
``today`` (a study day) is injectable so tests can pin the clock. Every count is of *effective* answers:
undone reviews and undo rows never count. The definitions, which the tests pin with numbers:

* **Reviews by day** (the year heatmap): answers of every kind (new, review, re-drill, practice) per
  study day, for the 365 study days ending ``today``; only days with answers are listed.
* **Streak**: consecutive study days with at least one answer, ending today, or ending yesterday while
  nothing has been answered yet today (a streak is not lost until the day is over).
* **Forecast**: for each of the 30 days from today, the scheduled cards due that day; cards already
  overdue count on today. New cards are not in it (they are not scheduled yet). Only days with cards due
  are listed.
* **Retention**: the share of scheduled reviews (kind ``review``: a card seen before, asked because it was
  due; not first sight, re-drills or practice) answered correctly, over the whole log, by the interval the
  card was scheduled for before that review (``before_interval`` in the log: the gap SM-2 chose, the one
  the review tests) in the buckets ``INTERVAL_BUCKETS``, and by deck. Correct means the checker's verdict
  ``correct``; answers logged without a verdict (possible only through the API) are left out.
* **Weakest templates**: scheduled cards ranked by recent accuracy (the share of their answers of any
  kind in the last 30 study days that were correct; no recent answer counts as 100%: nothing recent
  says the card is weak), then by easiness, lowest first. A card is listed only when one of the two is
  below par: recent accuracy under 100%, or easiness under SM-2's starting 2.5 (which only a grade of 3,
  right but hard, lowers).
* **Misconceptions**: the checker's mistake ids logged in the last 30 study days, most frequent first.
  Whether each is *fading* compares the two halves of that window (29 to 15 days ago, "earlier", and
  14 days ago to today, "later"): the share of that card's answers in the half that made this mistake. The
  trend is ``fading`` when the later share is lower, ``steady`` when equal, ``growing`` when higher,
  ``new`` when the card was not answered in the earlier half, and ``not retested`` when it has not been
  answered in the later half (no evidence either way). Its feedback is shown as the learner saw it: the
  latest answer that made the mistake is found in the log, its question regenerated from the card and
  that answer's seed, and the mistake's feedback rendered with those numbers ("Padding is on both sides:
  2p = 2, not 1"); a generic slip (``off-by-one``, ...) is graded again to get its words. That question's
  prompt, seed and answer come with it. When that cannot be done (no seed logged, or the card can no
  longer make that question), the feedback is the rule: the deck's text with each ``{formula}`` shown as
  the formula itself, or the generic slip's rule from ``GENERIC_SLIPS``.

With ``decks`` given, cards no longer in any deck (renamed or removed templates) are left out of the
forecast, the weakest and the misconceptions, since they can no longer be studied; their answers still
count in the heatmap, the streak and retention.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from studycards.deck import PLACEHOLDER
from studycards.grammar import outline

if TYPE_CHECKING:
    from studycards.deck import Deck
    from studycards.store import ScheduledCard, Store

HEATMAP_DAYS = 365
FORECAST_DAYS = 30
RECENT_DAYS = 30  # the window for recent accuracy and misconceptions; halves of 15 days for "fading"
TOP = 10  # weakest templates and misconceptions listed
STARTING_EASINESS = 2.5
CORRECT = "correct"
# (label, longest interval in days that falls in it); the last bucket has no upper end.
INTERVAL_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("1d", 1),
    ("2-6d", 6),
    ("1-3w", 29),
    ("1-3m", 90),
    (">3m", None),
)
HEATMAP_LEVELS = 4  # a day with answers is drawn at level 1-4, ceil(4 x count / busiest day)
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "")
# Slips the checker (studycards.grading) names on any card, when no mistake of the card's own matches;
# its feedback for them is worked out per answer, so the rule is shown here.
GENERIC_SLIPS = {
    "off-by-one": "Off by one: check the +1 or -1 in the formula (does the first position count?).",
    "factor-of-2": "Off by a factor of 2: something counted twice that counts once, or the other way round.",
    "forgot-bias": "The biases were left out: each output unit (filter, gate) has its own, and they count.",
    "added-bias": "Biases were counted that this question leaves out.",
    "transposed": "The right dimensions in the wrong order.",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "count": self.count}


@dataclass(frozen=True)
class ForecastDay:
    day: date
    due: int

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "due": self.due}


@dataclass(frozen=True)
class Retention:
    """Scheduled reviews in one interval bucket (``label``) or one deck, and how many were correct."""

    label: str
    reviews: int
    correct: int

    @property
    def rate(self) -> float | None:
        return self.correct / self.reviews if self.reviews else None


@dataclass(frozen=True)
class WeakCard:
    deck_id: str
    card_id: str
    title: str | None
    answers: int  # answers with a verdict in the last RECENT_DAYS study days
    correct: int
    easiness: float
    due: date

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "deck": self.deck_id,
            "card": self.card_id,
            "title": self.title,
            "answers": self.answers,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "easiness": self.easiness,
            "due": self.due.isoformat(),
        }


@dataclass(frozen=True)
class Misconception:
    """One mistake id on one card: how often in the last RECENT_DAYS days, per half, and the trend."""

    deck_id: str
    card_id: str
    mistake_id: str
    title: str | None
    feedback: str | None
    earlier: int  # times made in the earlier half
    later: int  # times made in the later half
    earlier_answers: int  # answers of the card (with a verdict) in the earlier half
    later_answers: int
    seed: int | None = None  # the latest answer that made the mistake: its question's seed,
    answer: str | None = None  # what was typed,
    question: str | None = None  # and the prompt it answered (plain text, blocks indented)

    @property
    def count(self) -> int:
        return self.earlier + self.later

    @property
    def earlier_rate(self) -> float | None:
        return self.earlier / self.earlier_answers if self.earlier_answers else None

    @property
    def later_rate(self) -> float | None:
        return self.later / self.later_answers if self.later_answers else None

    @property
    def trend(self) -> str:
        if not self.later_answers:
            return "not retested"
        if not self.earlier_answers:
            return "new"
        # Compare earlier / earlier_answers with later / later_answers exactly, without floats.
        earlier, later = self.earlier * self.later_answers, self.later * self.earlier_answers
        return "fading" if later < earlier else "steady" if later == earlier else "growing"

    @property
    def fading(self) -> bool:
        return self.trend == "fading"

    def to_dict(self) -> dict[str, Any]:
        return {
            "deck": self.deck_id,
            "card": self.card_id,
            "title": self.title,
            "mistake": self.mistake_id,
            "feedback": self.feedback,
            "count": self.count,
            "earlier": self.earlier,
            "later": self.later,
            "earlier_answers": self.earlier_answers,
            "later_answers": self.later_answers,
            "earlier_rate": self.earlier_rate,
            "later_rate": self.later_rate,
            "trend": self.trend,
            "fading": self.fading,
            "seed": self.seed,
            "answer": self.answer,
            "question": self.question,
        }


@dataclass(frozen=True)
class Stats:
    """Everything ``studycards stats`` shows, for one deck or (``deck_id`` None) all of them."""

    today: date
    deck_id: str | None
    reviews_by_day: list[DayCount]
    streak: int
    forecast: list[ForecastDay]
    retention_by_interval: list[Retention]
    retention_by_deck: list[Retention]
    weakest: list[WeakCard]
    misconceptions: list[Misconception]

    @property
    def answers_this_year(self) -> int:
        return sum(day.count for day in self.reviews_by_day)

    @property
    def answers_recently(self) -> int:
        """Answers in the window "weakest" and "misconceptions" look at: none means there is nothing to rank
        yet, which is not the same as every answer being right."""
        return sum(day.count for day in self.reviews_by_day if (self.today - day.day).days < RECENT_DAYS)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` form: dates as ISO strings; lists are empty (and the streak 0) on a fresh home."""
        return {
            "today": self.today.isoformat(),
            "deck": self.deck_id,
            "reviews_by_day": [day.to_dict() for day in self.reviews_by_day],
            "streak": self.streak,
            "forecast": [day.to_dict() for day in self.forecast],
            "retention": {
                "by_interval": [
                    {"interval": r.label, "max_days": _bucket_max(r.label), **_retention_dict(r)}
                    for r in self.retention_by_interval
                ],
                "by_deck": [{"deck": r.label, **_retention_dict(r)} for r in self.retention_by_deck],
            },
            "weakest": [card.to_dict() for card in self.weakest],
            "misconceptions": [m.to_dict() for m in self.misconceptions],
        }


# --- the whole picture ---------------------------------------------------------------------------------


def compute_stats(
    store: Store,
    decks: Sequence[Deck] | None = None,
    *,
    deck_id: str | None = None,
    today: date | None = None,
    limit: int = TOP,
) -> Stats:
    """Every statistic for ``deck_id`` (None: all decks) as of the study day ``today`` (default: the
    store's current one). ``decks`` supply titles and mistake feedback and say which cards still exist."""
    day = today if today is not None else store.today()
    templates = _templates(decks)
    known = None if decks is None else set(templates)
    days = reviews_by_day(store, day, deck_id=deck_id)
    scheduled = [
        card
        for card in store.cards()
        if (deck_id is None or card.deck_id == deck_id) and (known is None or (card.deck_id, card.card_id) in known)
    ]
    recent = recent_answers(store, day, deck_id)
    by_interval, by_deck = retention(store, deck_id=deck_id)
    return Stats(
        today=day,
        deck_id=deck_id,
        reviews_by_day=days,
        streak=_streak_with_history(store, days, day, deck_id),
        forecast=forecast(scheduled, day),
        retention_by_interval=by_interval,
        retention_by_deck=by_deck,
        weakest=weakest(scheduled, recent, templates, limit=limit),
        misconceptions=misconceptions(
            recent, templates, known=known, limit=limit, latest=_latest_in_window(store, day)
        ),
    )


# --- activity ------------------------------------------------------------------------------------------


def reviews_by_day(store: Store, today: date, *, deck_id: str | None = None) -> list[DayCount]:
    """Answers of every kind per study day over the ``HEATMAP_DAYS`` days ending ``today``, oldest first."""
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    return [DayCount(day, count) for day, count in store.answers_per_day(first, today, deck_id=deck_id)]


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days among ``days`` ending today, or ending yesterday if today is not among them."""
    studied = set(days)
    day = today if today in studied else today - timedelta(days=1)
    length = 0
    while day in studied:
        length += 1
        day -= timedelta(days=1)
    return length


def _streak_with_history(store: Store, days: list[DayCount], today: date, deck_id: str | None) -> int:
    """The streak from the year's days; only a streak reaching back to the year's first day looks for
    the last day off before it."""
    studied = [d.day for d in days]
    length = streak(studied, today)
    end = today if studied and studied[-1] == today else today - timedelta(days=1)
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    if length and end - timedelta(days=length - 1) <= first:
        length = (end - store.last_day_without_answers(first, deck_id)).days
    return length


@dataclass(frozen=True)
class Heatmap:
    """The year as a calendar: ``levels[weekday][week]`` is None outside the year, 0 for a day without
    answers, else 1-4 by how busy it was; ``months`` are (week column, month abbreviation) labels."""

    levels: list[list[int | None]]
    months: list[tuple[int, str]]
    busiest: int


def heatmap(days: Sequence[DayCount], today: date) -> Heatmap:
    """Lay the year ending ``today`` out in week columns (Monday on top), like a contributions calendar."""
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    start = first - timedelta(days=first.weekday())  # the Monday of the first week
    weeks = (today - start).days // 7 + 1
    counts = {d.day: d.count for d in days}
    busiest = max(counts.values(), default=0)
    levels: list[list[int | None]] = [[None] * weeks for _ in range(7)]
    for week in range(weeks):
        for weekday in range(7):
            day = start + timedelta(days=week * 7 + weekday)
            if first <= day <= today:
                count = counts.get(day, 0)
                levels[weekday][week] = math.ceil(HEATMAP_LEVELS * count / busiest) if count else 0
    # A month's name goes over the first week column that starts in it (the first column: the year's
    # first day); names are 3 letters, so a first name closer than 4 columns to the next is dropped.
    months: list[tuple[int, str]] = []
    for week in range(weeks):
        shown = max(start + timedelta(days=week * 7), first)
        if not months or MONTHS[shown.month - 1] != months[-1][1]:
            months.append((week, MONTHS[shown.month - 1]))
    if len(months) > 1 and months[1][0] - months[0][0] < 4:
        months.pop(0)
    return Heatmap(levels=levels, months=months, busiest=busiest)


# --- the schedule --------------------------------------------------------------------------------------


def forecast(cards: Iterable[ScheduledCard], today: date, days: int = FORECAST_DAYS) -> list[ForecastDay]:
    """Cards due on each of the ``days`` days from ``today`` (overdue ones on today); days with none left out."""
    last = today + timedelta(days=days - 1)
    due: dict[date, int] = {}
    for card in cards:
        if card.due <= last:
            day = max(card.due, today)
            due[day] = due.get(day, 0) + 1
    return [ForecastDay(day, due[day]) for day in sorted(due)]


# --- retention -----------------------------------------------------------------------------------------


def interval_bucket(interval: int) -> str:
    """The ``INTERVAL_BUCKETS`` label for a scheduled interval of ``interval`` days."""
    for label, longest in INTERVAL_BUCKETS:
        if longest is None or interval <= longest:
            return label
    raise AssertionError("the last bucket is open-ended")


def retention(store: Store, *, deck_id: str | None = None) -> tuple[list[Retention], list[Retention]]:
    """Scheduled reviews and correct answers by interval bucket (in bucket order) and by deck (by id);
    buckets and decks without reviews are left out."""
    by_bucket: dict[str, list[int]] = {}
    by_deck: dict[str, list[int]] = {}
    longest = [days for _, days in INTERVAL_BUCKETS]
    for deck, bucket, reviews, correct in store.review_outcomes(longest, deck_id=deck_id):
        for key, table in ((INTERVAL_BUCKETS[bucket][0], by_bucket), (deck, by_deck)):
            totals = table.setdefault(key, [0, 0])
            totals[0] += reviews
            totals[1] += correct
    buckets = [Retention(label, *by_bucket[label]) for label, _ in INTERVAL_BUCKETS if label in by_bucket]
    decks = [Retention(deck, *by_deck[deck]) for deck in sorted(by_deck)]
    return buckets, decks


# --- what is weak --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentAnswers:
    """Answers of the last RECENT_DAYS days: per card (answers, correct) for each half, and the mistakes
    made per (card, mistake id), per half. Index 0 is the earlier half, 1 the later."""

    answers: dict[tuple[str, str], list[list[int]]]
    mistakes: dict[tuple[str, str, str], list[int]]


def recent_answers(store: Store, today: date, deck_id: str | None) -> RecentAnswers:
    """Count the last RECENT_DAYS days' answers by card and half; the store counts each half of each card
    by verdict and mistake, so only a few rows per card come back to be added up here."""
    later_from = today - timedelta(days=RECENT_DAYS // 2 - 1)
    earlier = (today - timedelta(days=RECENT_DAYS - 1), later_from - timedelta(days=1))
    rows = store.answers_by_card((earlier, (later_from, today)), deck_id=deck_id)
    answers: dict[tuple[str, str], list[list[int]]] = {}
    mistakes: dict[tuple[str, str, str], list[int]] = {}
    for deck, card, later, verdict, mistake, count in rows:  # later: 1 for the later half, 0 the earlier
        if verdict is not None:
            totals = answers.setdefault((deck, card), [[0, 0], [0, 0]])[later]
            totals[0] += count
            if verdict == CORRECT:
                totals[1] += count
        if mistake is not None:
            mistakes.setdefault((deck, card, mistake), [0, 0])[later] += count
    return RecentAnswers(answers, mistakes)


def weakest(
    cards: Iterable[ScheduledCard],
    recent: RecentAnswers,
    templates: Mapping[tuple[str, str], Any],
    *,
    limit: int = TOP,
) -> list[WeakCard]:
    """The scheduled ``cards`` below par, weakest first (see the module docstring)."""
    weak = []
    for card in cards:
        halves = recent.answers.get((card.deck_id, card.card_id), [[0, 0], [0, 0]])
        answers = halves[0][0] + halves[1][0]
        correct = halves[0][1] + halves[1][1]
        if correct == answers and card.state.easiness >= STARTING_EASINESS:
            continue
        template = templates.get((card.deck_id, card.card_id))
        weak.append(
            WeakCard(
                deck_id=card.deck_id,
                card_id=card.card_id,
                title=template.title if template is not None else None,
                answers=answers,
                correct=correct,
                easiness=card.state.easiness,
                due=card.due,
            )
        )
    weak.sort(key=lambda w: (1.0 if w.accuracy is None else w.accuracy, w.easiness, w.deck_id, w.card_id))
    return weak[:limit]


def misconceptions(
    recent: RecentAnswers,
    templates: Mapping[tuple[str, str], Any],
    *,
    known: set[tuple[str, str]] | None = None,
    limit: int = TOP,
    latest: Callable[[str, str, str], tuple[int | None, str | None] | None] | None = None,
) -> list[Misconception]:
    """Mistakes of the last RECENT_DAYS days, most frequent first, each with its feedback and trend.

    ``latest(deck, card, mistake)`` gives the ``(seed, answer)`` of the latest answer that made it
    (``Store.latest_mistake``), so the feedback is rendered as that answer saw it; without it, the rule."""
    candidates = (
        (key, halves) for key, halves in recent.mistakes.items() if known is None or (key[0], key[1]) in known
    )
    top = heapq.nsmallest(limit, candidates, key=lambda item: (-sum(item[1]), -item[1][1], item[0]))
    found = []
    for (deck, card, mistake_id), (earlier, later) in top:
        halves = recent.answers.get((deck, card), [[0, 0], [0, 0]])
        template = templates.get((deck, card))
        made = latest(deck, card, mistake_id) if latest is not None else None
        seed, answer = made if made is not None else (None, None)
        seen = as_seen(template, mistake_id, seed, answer)
        found.append(
            Misconception(
                deck_id=deck,
                card_id=card,
                mistake_id=mistake_id,
                title=template.title if template is not None else None,
                feedback=seen.feedback if seen is not None else mistake_feedback(template, mistake_id),
                earlier=earlier,
                later=later,
                earlier_answers=halves[0][0],
                later_answers=halves[1][0],
                seed=seed,
                answer=answer,
                question=seen.question if seen is not None else None,
            )
        )
    return found


@dataclass(frozen=True)
class SeenMistake:
    """A mistake's feedback and the question it answered, as one logged answer saw them."""

    feedback: str | None
    question: str


def as_seen(template: Any, mistake_id: str, seed: int | None, answer: str | None) -> SeenMistake | None:
    """The feedback ``answer`` got for ``mistake_id`` on the question ``template`` asks for ``seed``.

    A card's own mistake is rendered with that question's numbers; a generic slip is graded again (its
    words depend on the answer). None when the question cannot be made again (no seed logged, no card, or
    a card whose params or constraints changed so that it fails for this seed)."""
    from studycards.errors import StudycardsError
    from studycards.question import generate
    from studycards.text_blocks import plain_text

    if template is None or seed is None:
        return None
    try:
        question = generate(template, seed)
    except StudycardsError:
        return None
    prompt = plain_text(question.prompt.strip(), reflow=True)
    for mistake in template.mistakes:
        if mistake.id == mistake_id:
            try:
                return SeenMistake(question.feedback(mistake), prompt)
            except StudycardsError:
                return SeenMistake(feedback_outline(mistake.feedback), prompt)
    if answer is not None:
        from studycards.grading import grade_question

        graded = grade_question(question, answer)
        if graded.mistake == mistake_id and graded.feedback:
            return SeenMistake(graded.feedback, prompt)
    return SeenMistake(GENERIC_SLIPS.get(mistake_id), prompt)


def feedback_outline(text: str) -> str:
    """Feedback text with each ``{formula}`` shown as the formula itself (``{{``/``}}`` are braces)."""
    escaped = text.replace("{{", "\x01").replace("}}", "\x02")
    outlined = PLACEHOLDER.sub(lambda match: outline(match.group(1)), escaped)
    return outlined.replace("\x01", "{").replace("\x02", "}")


def mistake_feedback(template: Any, mistake_id: str) -> str | None:
    """What to show for a mistake id: the card's own feedback (outlined), else the generic slip's rule,
    else None (a card or mistake no longer in the decks)."""
    for mistake in template.mistakes if template is not None else ():
        if mistake.id == mistake_id:
            return feedback_outline(mistake.feedback)
    return GENERIC_SLIPS.get(mistake_id)


def _latest_in_window(store: Store, today: date) -> Callable[[str, str, str], tuple[int | None, str | None] | None]:
    """``Store.latest_mistake`` within the misconceptions' window (every one listed was made in it)."""
    since = today - timedelta(days=RECENT_DAYS - 1)
    return lambda deck, card, mistake: store.latest_mistake(deck, card, mistake, since)


def _templates(decks: Sequence[Deck] | None) -> dict[tuple[str, str], Any]:
    return {(deck.id, card.id): card for deck in decks or () for card in deck.cards}


def _bucket_max(label: str) -> int | None:
    return dict(INTERVAL_BUCKETS)[label]


def _retention_dict(retention: Retention) -> dict[str, Any]:
    return {"reviews": retention.reviews, "correct": retention.correct, "rate": retention.rate}
