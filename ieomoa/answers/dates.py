"""Dates: birth dates in the formats Koreans write them, and moments said on Korean time."""

from __future__ import annotations

import re
from datetime import date, datetime

from ieomoa.answers import InvalidAnswer
from ieomoa.answers.text import clean
from ieomoa.korean_time import in_korea, today_kst

MIN_AGE = 15
MAX_AGE = 100

_PATTERNS = [
    re.compile(r"(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일?"),
    re.compile(r"(?P<y>\d{2})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일?"),
    re.compile(r"(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{2})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})"),
    re.compile(r"(?<!\d)(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
]


def _full_year(two_digits: int, today: date) -> int:
    """"90" → 1990, "05" → 2005: the century that gives a plausible age."""
    year = 2000 + two_digits
    return year if year <= today.year else 1900 + two_digits


def age_on(born: date, today: date) -> int:
    """Age in full years (만 나이)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def parse_birth_date(text: str, today: date | None = None) -> date:
    """The birth date in ``text``; the applicant must be 15 or older on today's Korean date."""
    today = today or today_kst()
    value = clean(text)
    for pattern in _PATTERNS:
        match = pattern.search(value)
        if not match:
            continue
        year = int(match["y"])
        if year < 100:
            year = _full_year(year, today)
        try:
            born = date(year, int(match["m"]), int(match["d"]))
        except ValueError:
            raise InvalidAnswer("birth_date_invalid") from None
        if born > today:
            raise InvalidAnswer("birth_date_future")
        age = age_on(born, today)
        if age < MIN_AGE:
            raise InvalidAnswer("birth_date_too_young")
        if age > MAX_AGE:
            raise InvalidAnswer("birth_date_invalid")
        return born
    raise InvalidAnswer("birth_date_format")


def spoken_date(value: date) -> str:
    """"2026년 11월 25일": dates as people say them."""
    return f"{value.year}년 {value.month}월 {value.day}일"


def spoken_day(moment: datetime) -> str:
    """The Korean calendar day of a moment: "2026년 11월 25일"."""
    return spoken_date(in_korea(moment).date())


def spoken_moment(moment: datetime) -> str:
    """"11월 25일 오후 3시 5분": times as "오후 3시", not 15:05."""
    local = in_korea(moment)
    half = "오전" if local.hour < 12 else "오후"
    hour = local.hour % 12 or 12
    minutes = f" {local.minute}분" if local.minute else ""
    return f"{local.month}월 {local.day}일 {half} {hour}시{minutes}"
