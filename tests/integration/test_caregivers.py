"""Caregiver codes and links on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import CaregiverAttempt, CaregiverCode, utcnow
from ieomoa.services.caregivers import WRONG_CODES_PER_HOUR, CaregiverService, Redemption
from ieomoa.services.erasure import ErasureService


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def wrong_for(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_code_links_once_and_is_then_spent(sessions: sessionmaker[Session]) -> None:
    service = CaregiverService(sessions)
    issued = service.issue_code("tg-1", share_sensitive=False)
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert service.redeem("tg-2", issued.code) is Redemption.LINKED
    assert service.redeem("tg-3", issued.code) is Redemption.WRONG  # single use
    link = service.applicant_of("tg-2")
    assert link is not None and link.applicant_sender_id == "tg-1" and not link.share_sensitive
    assert [c.caregiver_sender_id for c in service.caregivers_of("tg-1")] == ["tg-2"]


def test_expired_code_and_own_code_link_nothing(sessions: sessionmaker[Session]) -> None:
    service = CaregiverService(sessions)
    issued = service.issue_code("tg-1", share_sensitive=True)
    assert service.redeem("tg-1", issued.code) is Redemption.WRONG  # not one's own caregiver
    with sessions.begin() as session:
        session.execute(update(CaregiverCode).values(expires_at=utcnow()))
    assert service.redeem("tg-2", issued.code) is Redemption.WRONG
    assert service.applicant_of("tg-2") is None


def test_wrong_codes_are_limited_per_chat(sessions: sessionmaker[Session]) -> None:
    service = CaregiverService(sessions)
    issued = service.issue_code("tg-1", share_sensitive=False)
    for _ in range(WRONG_CODES_PER_HOUR):
        assert service.redeem("tg-9", "000000" if issued.code != "000000" else "111111") is Redemption.WRONG
    assert service.redeem("tg-9", issued.code) is Redemption.TOO_MANY_TRIES  # even the right one
    assert service.redeem("tg-8", issued.code) is Redemption.LINKED  # other chats are not affected


def test_the_per_chat_limit_survives_erasure_and_keeps_no_sender_id(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    service = CaregiverService(sessions, clock=clock)
    issued = service.issue_code("tg-1", share_sensitive=False)
    for _ in range(WRONG_CODES_PER_HOUR):
        assert service.redeem("tg-9", wrong_for(issued.code)) is Redemption.WRONG
    ErasureService(sessions).erase("tg-9")
    assert service.redeem("tg-9", issued.code) is Redemption.TOO_MANY_TRIES  # erasing did not reset it
    with sessions() as session:
        keys = session.scalars(select(CaregiverAttempt.sender_key)).all()
    assert len(keys) == WRONG_CODES_PER_HOUR and all(len(key) == 64 and "tg-9" not in key for key in keys)
    clock.now += timedelta(hours=1, seconds=1)  # the hour has passed
    assert service.redeem("tg-9", issued.code) is Redemption.LINKED


def test_wrong_codes_are_limited_across_all_chats(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    service = CaregiverService(sessions, clock=clock, global_limit=12)
    issued = service.issue_code("tg-1", share_sensitive=False)
    for n in range(12):  # twelve chats, one wrong code each: none reaches its own limit
        assert service.redeem(f"tg-{100 + n}", wrong_for(issued.code)) is Redemption.WRONG
    assert service.redeem("tg-500", issued.code) is Redemption.PAUSED_FOR_ALL  # a fresh chat too
    assert service.applicant_of("tg-500") is None
    clock.now += timedelta(minutes=61)
    assert service.redeem("tg-500", issued.code) is Redemption.LINKED


def test_removal_unlinks_every_caregiver(sessions: sessionmaker[Session]) -> None:
    service = CaregiverService(sessions)
    for caregiver in ("tg-2", "tg-3"):
        assert service.redeem(caregiver, service.issue_code("tg-1", False).code) is Redemption.LINKED
    assert service.remove_all("tg-1") == 2
    assert service.caregivers_of("tg-1") == [] and service.applicant_of("tg-2") is None


def test_one_caregiver_is_removed_and_only_by_their_applicant(sessions: sessionmaker[Session]) -> None:
    service = CaregiverService(sessions)
    service.redeem("tg-2", service.issue_code("tg-1", share_sensitive=False).code)
    service.redeem("tg-3", service.issue_code("tg-1", share_sensitive=True).code)
    first, second = service.caregivers_of("tg-1")
    assert service.remove("tg-9", first.id) is None  # not the applicant of this link
    removed = service.remove("tg-1", first.id)
    assert removed is not None and removed.caregiver_sender_id == "tg-2"
    assert service.remove("tg-1", first.id) is None  # an old button tapped again
    assert [link.caregiver_sender_id for link in service.caregivers_of("tg-1")] == ["tg-3"]
    assert service.applicant_of("tg-2") is None and service.applicant_of("tg-3") is not None
