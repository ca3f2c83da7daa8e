"""Dates are judged and shown on Korean time, whatever the machine's clock says.

The clock stands at 2026-11-26T16:00Z: still the 26th in UTC, already 27 November 01:00 in
Korea. Someone born on 27 November 2011 turns 15 that Korean day and may apply.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.application_form import ValidateApplicationForm
from ieomoa import korean_time
from ieomoa.answers import InvalidAnswer
from ieomoa.answers.dates import parse_birth_date, spoken_day, spoken_moment
from ieomoa.korean_time import now_kst, today_kst
from ieomoa.status_messages import status_push_text

CLOCK_UTC = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
BORN = "2011년 11월 27일"


def clock() -> datetime:
    return CLOCK_UTC


@pytest.fixture
def korean_night(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every default clock reads 2026-11-26T16:00Z."""
    monkeypatch.setattr(korean_time, "utc_now", clock)


def test_today_is_the_korean_calendar_day() -> None:
    assert CLOCK_UTC.date() == date(2026, 11, 26)
    assert today_kst(clock) == date(2026, 11, 27)
    assert now_kst(clock).hour == 1 and now_kst(clock).utcoffset().total_seconds() == 9 * 3600


def test_a_fifteenth_birthday_counts_from_korean_midnight(korean_night: None) -> None:
    assert parse_birth_date(BORN) == date(2011, 11, 27)  # the default "today" is Korea's
    with pytest.raises(InvalidAnswer) as refused:
        parse_birth_date(BORN, CLOCK_UTC.date())  # the UTC date would turn them away
    assert refused.value.reason == "birth_date_too_young"
    with pytest.raises(InvalidAnswer) as future:
        parse_birth_date("2026년 11월 28일")
    assert future.value.reason == "birth_date_future"


def test_the_form_validator_judges_age_on_the_korean_date(korean_night: None) -> None:
    message = {"text": BORN, "intent": {"name": "inform"}, "entities": []}
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": BORN, "parse_data": message}]
    tracker = Tracker(
        "tg-7", {"requested_slot": "birth_date", "question_asks": {"slot": "birth_date", "count": 1}},
        message, events, False, None, {"name": "application_form"}, "action_listen",
    )
    dispatcher = CollectingDispatcher()
    slots = ValidateApplicationForm().validate_birth_date(BORN, dispatcher, tracker, {})
    assert slots == {"birth_date": "2011-11-27"}
    assert dispatcher.messages == []


def test_status_dates_are_said_on_the_korean_day() -> None:
    assert spoken_day(CLOCK_UTC) == "2026년 11월 27일"
    assert spoken_day(CLOCK_UTC.replace(tzinfo=None)) == "2026년 11월 27일"  # SQLite hands back naive UTC
    assert spoken_moment(CLOCK_UTC) == "11월 27일 오전 1시"
    push = status_push_text("IEM-2026-000001", "ASSIGNED", "KEAD", None, at=CLOCK_UTC)
    assert "2026년 11월 27일에 '담당자 배정' 단계로 바뀌었어요" in push
    easy = status_push_text("IEM-2026-000001", "ASSIGNED", "KEAD", None, at=CLOCK_UTC, easy_read=True)
    assert easy.startswith("이어모아 알림이에요. 2026년 11월 27일에 내 신청이 바뀌었어요.")
