"""The study day: the calendar day a moment counts for, which rolls over at 4 am local time (like Anki).

A session that runs past midnight belongs to the evening it started in, so a learner who studies at
1 am does not find tomorrow's cards already done. The hour is ``day_starts_at_hour`` in the config.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

DEFAULT_DAY_STARTS_AT_HOUR = 4


def study_day(moment: datetime, day_starts_at_hour: int = DEFAULT_DAY_STARTS_AT_HOUR) -> date:
    """The study day ``moment`` counts for.

    An aware ``moment`` is first converted to local time; a naive one is taken as local time already.
    """
    if not 0 <= day_starts_at_hour <= 23:
        raise ValueError(f"day_starts_at_hour must be from 0 to 23, not {day_starts_at_hour}")
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return (local - timedelta(hours=day_starts_at_hour)).date()


def utc_timestamp(moment: datetime) -> str:
    """``moment`` as a UTC ISO-8601 string (a naive moment is taken as local time)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def utc_now() -> datetime:
    """The real clock; the store takes any callable like this, so tests can simulate days."""
    return datetime.now(timezone.utc)
