"""Erasure on request deletes one chat's data and nobody else's (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import (
    Application,
    AuditEntry,
    CaregiverLink,
    Chat,
    ErasureRequest,
    OutboxMessage,
    TimelineEntry,
)
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService
from ieomoa.services.chats import ChatService
from ieomoa.services.erasure import ErasureService, erase_conversation
from tests.support.applications import draft


def count(sessions: sessionmaker[Session], model: type, *where: object) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_erasure_takes_applications_links_pushes_and_preferences(sessions: sessionmaker[Session]) -> None:
    applications, caregivers, chats = ApplicationService(sessions), CaregiverService(sessions), ChatService(sessions)
    number = applications.submit("tg-101", draft(), "erase-1").number
    applications.submit("tg-202", draft(name="김다른"), "keep-1")
    caregivers.redeem("tg-303", caregivers.issue_code("tg-101", share_sensitive=True).code)
    caregivers.issue_code("tg-101", share_sensitive=False)  # an unused code goes too
    chats.set_easy_read("tg-101", "telegram", True)
    chats.set_voice_mode("tg-202", "telegram", True)
    with sessions.begin() as session:
        session.add_all([
            OutboxMessage(idempotency_key="p-101", chat_id=101, text=f"{number} 접수"),
            OutboxMessage(idempotency_key="p-202", chat_id=202, text="다른 사람"),
        ])

    report = ErasureService(sessions).erase("tg-101")

    assert report.applications == [number] and report.caregiver_links == 1
    assert count(sessions, Application, Application.sender_id == "tg-101") == 0
    assert count(sessions, TimelineEntry) == 1  # only the other applicant's first step is left
    assert count(sessions, CaregiverLink) == 0 and caregivers.applicant_of("tg-303") is None
    assert count(sessions, OutboxMessage) == 1 and count(sessions, Chat, Chat.sender_id == "tg-101") == 0
    assert chats.preferences("tg-202").voice  # someone else's choices stay
    assert count(sessions, Application, Application.sender_id == "tg-202") == 1
    with sessions() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "erased")).one()
    assert audit.application_number == number and audit.detail is None  # no personal data kept


def test_a_caregiver_can_erase_their_own_link(sessions: sessionmaker[Session]) -> None:
    caregivers = CaregiverService(sessions)
    caregivers.redeem("tg-2", caregivers.issue_code("tg-1", share_sensitive=False).code)
    report = ErasureService(sessions).erase("tg-2")
    assert report.applications == [] and report.caregiver_links == 1
    assert caregivers.caregivers_of("tg-1") == []


def test_conversation_rows_of_one_sender_are_deleted(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:  # the columns of Rasa's SQLTrackerStore that matter here
        connection.execute(text("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"))
        connection.execute(text("INSERT INTO events (id, sender_id, data) VALUES (1, 'tg-1', 'a'), (2, 'tg-1', 'b'), (3, 'tg-2', 'c')"))
    assert erase_conversation(database_url, "tg-1") == 2
    with engine.connect() as connection:
        assert connection.execute(text("SELECT sender_id FROM events")).scalars().all() == ["tg-2"]
    engine.dispose()


def test_an_erasure_left_pending_is_finished_once_its_turn_is_surely_saved(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"))
        connection.execute(text("INSERT INTO events (id, sender_id, data) VALUES (1, 'tg-5', 'x'), (2, 'tg-6', 'y')"))
    erasure = ErasureService(sessions)
    erasure.erase("tg-5")  # and then the bot stopped before deleting the conversation
    assert erasure.finish_pending(database_url) == 0  # a just-erased turn may still be saving
    assert erasure.finish_pending(database_url, older_than=timedelta(0)) == 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT sender_id FROM events")).scalars().all() == ["tg-6"]
    assert count(sessions, ErasureRequest) == 0
    assert erasure.finish_pending(database_url, older_than=timedelta(0)) == 0
    engine.dispose()
