"""Korean time (Asia/Seoul): the calendar day every date check and every message uses.

Moments are stored in UTC; a person in Korea lives nine hours ahead, so "today" and the
day a step happened are judged here, never with the machine's clock (date.today()).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current moment, timezone-aware (the default clock; tests inject their own)."""
    return datetime.now(UTC)


def in_korea(moment: datetime) -> datetime:
    """A stored moment (UTC; naive from SQLite) on Korean time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(KST)


def now_kst(clock: Clock | None = None) -> datetime:
    """The current moment on Korean time (``clock`` defaults to ``utc_now``, looked up per call)."""
    return in_korea((clock or utc_now)())


def today_kst(clock: Clock | None = None) -> date:
    """Today's date in Korea, whatever the machine's time zone."""
    return now_kst(clock).date()
