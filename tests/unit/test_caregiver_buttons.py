"""The removal keyboard: caregivers known by when they were linked, on Korean time."""

from __future__ import annotations

from datetime import UTC, datetime

from actions.caregivers import REMOVE_ALL, removal_buttons
from ieomoa.models import CaregiverLink


def link(link_id: int, at: datetime, share: bool = False) -> CaregiverLink:
    return CaregiverLink(id=link_id, applicant_sender_id="tg-1", caregiver_sender_id=f"tg-{link_id}",
                         share_sensitive=share, created_at=at)


def test_each_caregiver_gets_a_button_then_all() -> None:
    buttons = removal_buttons([
        link(7, datetime(2026, 11, 20, 6, 5, tzinfo=UTC)),          # 15:05 in Korea
        link(9, datetime(2026, 11, 24, 16, 0, tzinfo=UTC), True),   # 01:00 the next day
    ])
    assert [b["title"] for b in buttons] == [
        "1번 11월 20일 오후 3시 5분에 연결한 보호자",
        "2번 11월 25일 오전 1시에 연결한 보호자, 장애 정보도 봄",
        "3번 모두 끊기",
    ]
    assert buttons[0]["payload"] == '/link_caregiver{"answer": "끊기:7"}'
    assert REMOVE_ALL in buttons[2]["payload"]


def test_a_single_caregiver_needs_no_all_button() -> None:
    assert len(removal_buttons([link(3, datetime(2026, 11, 20, 0, 0))])) == 1  # naive = UTC (SQLite)
