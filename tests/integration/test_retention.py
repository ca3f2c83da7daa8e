"""The retention sweep deletes what outlived its documented period, and nothing else.

The clock is moved, not waited for: the sweep takes ``clock``, and rows are written with the
times a real run would have given them. Runs on SQLite and on PostgreSQL; the Rasa tracker
store is an ``events`` table with the columns the sweep reads (as in test_erasure.py).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import (
    Application,
    AuditEntry,
    ButtonToken,
    CaregiverCode,
    CaregiverLink,
    Chat,
    OutboxMessage,
    TimelineEntry,
    utcnow,
)
from ieomoa.services.applications import ApplicationService
from ieomoa.services.buttons import TOKEN_LIFETIME
from ieomoa.services.caregivers import CaregiverService
from ieomoa.services.chats import ChatService
from ieomoa.services.retention import RetentionSweep, load_policy
from ieomoa.services.status import Caller, StatusService
from tests.support.applications import draft

POLICY = load_policy()
DAY = timedelta(days=1)
CONVERSATION = POLICY.length("conversation")
CLOSED_KEPT = POLICY.length("closed_application")


def count(sessions: sessionmaker[Session], model: type, *where: object) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def tracker_store(database_url: str, events: list[tuple[str, datetime]]) -> None:
    """Rasa's events table (the columns that matter) with one event per (sender, time)."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(
            'CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, '
            'type_name VARCHAR(255), "timestamp" FLOAT, data TEXT)'
        ))
        for number, (sender, at) in enumerate(events, start=1):
            connection.execute(
                text('INSERT INTO events (id, sender_id, type_name, "timestamp", data) VALUES (:id, :s, :t, :ts, :d)'),
                {"id": number, "s": sender, "t": "user", "ts": at.timestamp(), "d": "token"},
            )
    engine.dispose()


def senders_in_tracker(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        senders = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    return senders


def sweep_at(sessions: sessionmaker[Session], tracker_url: str | None, moment: datetime) -> RetentionSweep:
    return RetentionSweep(sessions, tracker_url, clock=lambda: moment)


def retention_audits(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "retention").order_by(AuditEntry.id)))


def test_idle_conversations_and_drafts_go_after_the_documented_period(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    now = utcnow()
    tracker_store(database_url, [
        ("tg-1", now - CONVERSATION - DAY),  # a draft left a month ago
        ("tg-1", now - CONVERSATION - 2 * DAY),
        ("tg-2", now - CONVERSATION + DAY),  # quiet, but not for long enough yet
        ("tg-3", now - 3 * CONVERSATION),  # an old start, and a message yesterday
        ("tg-3", now - DAY),
    ])

    report = sweep_at(sessions, database_url, now).run()

    assert (report.conversations, report.conversation_events) == (1, 2)
    assert senders_in_tracker(database_url) == {"tg-2", "tg-3"}
    # Two days later the quiet one has passed the period too.
    later = sweep_at(sessions, database_url, now + 2 * DAY).run()
    assert (later.conversations, later.conversation_events) == (1, 1)
    assert senders_in_tracker(database_url) == {"tg-3"}


def test_closed_applications_go_after_their_period_open_ones_stay(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    applications, caregivers, status = ApplicationService(sessions), CaregiverService(sessions), StatusService(sessions)
    closed = applications.submit("tg-11", draft(), "closed").number
    still_open = applications.submit("tg-12", draft(name="김열림"), "open").number
    caregivers.redeem("tg-13", caregivers.issue_code("tg-11", share_sensitive=False).code)
    caregivers.redeem("tg-14", caregivers.issue_code("tg-12", share_sensitive=False).code)
    status.change(Caller("KEAD"), closed, "CLOSED", "종결")  # pushes to the applicant and caregiver
    status.change(Caller("KEAD"), still_open, "ASSIGNED")
    assert count(sessions, OutboxMessage) == 4
    closed_at = utcnow()

    kept = sweep_at(sessions, None, closed_at + CLOSED_KEPT - DAY).run()
    assert kept.closed_applications == 0 and count(sessions, Application) == 2

    report = sweep_at(sessions, None, closed_at + CLOSED_KEPT + DAY).run()

    assert report.closed_applications == 1
    assert count(sessions, Application, Application.number == closed) == 0
    assert count(sessions, Application, Application.number == still_open) == 1  # open: kept however old
    assert count(sessions, TimelineEntry) == 2  # only the open one's two steps
    assert count(sessions, OutboxMessage, OutboxMessage.chat_id.in_([11, 13])) == 0  # both copies of its push
    assert count(sessions, OutboxMessage, OutboxMessage.chat_id.in_([12, 14])) == 2
    # Its caregiver has nothing left to follow; the open application's caregiver stays linked.
    assert report.caregiver_links == 1 and caregivers.applicant_of("tg-13") is None
    assert caregivers.applicant_of("tg-14") is not None


def test_settings_of_chats_with_nothing_left_go_with_the_conversation(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    chats, applications = ChatService(sessions), ApplicationService(sessions)
    for sender in ("tg-21", "tg-22", "tg-23"):
        chats.set_voice_mode(sender, "telegram", True)
    applications.submit("tg-22", draft(), "kept")
    with sessions.begin() as session:
        session.add(ButtonToken(token="b:old", sender_id="tg-21", payload="/greet", title="1번 인사"))
        # tg-23 keeps talking, but a button shown to it long ago has passed its lifetime.
        session.add(ButtonToken(token="b:gone", sender_id="tg-23", payload="/greet", title="1번 인사",
                                expires_at=utcnow() + TOKEN_LIFETIME))
    now = utcnow()
    # tg-23 is talking (one long session: its chat row was last touched at the session start).
    tracker_store(database_url, [("tg-23", now + CONVERSATION)])

    assert sweep_at(sessions, database_url, now + CONVERSATION - DAY).run().chat_settings == 0
    report = sweep_at(sessions, database_url, now + CONVERSATION + DAY).run()

    assert report.chat_settings == 1
    assert chats.get("tg-21") is None and count(sessions, ButtonToken, ButtonToken.sender_id == "tg-21") == 0
    assert chats.preferences("tg-22").voice  # pushes of its open application still come as voice
    assert chats.preferences("tg-23").voice
    assert report.button_tokens == 1 and count(sessions, ButtonToken) == 0


def test_expired_codes_unlinked_caregivers_and_old_audit_entries_go(sessions: sessionmaker[Session]) -> None:
    applications, caregivers = ApplicationService(sessions), CaregiverService(sessions)
    applications.submit("tg-31", draft(), "codes")
    caregivers.issue_code("tg-31", share_sensitive=False)
    link_code = caregivers.issue_code("tg-31", share_sensitive=False).code
    caregivers.redeem("tg-32", link_code)
    caregivers.remove_all("tg-31")
    now = utcnow()
    with sessions.begin() as session:
        session.add(AuditEntry(at=now - POLICY.length("audit_log") - DAY, agency="KEAD", action="read",
                               application_number="IEM-2024-000001"))
        session.add(AuditEntry(at=now - DAY, agency="KEAD", action="read", application_number="IEM-2026-000009"))

    before = sweep_at(sessions, None, now).run()
    assert before.caregiver_codes == 0 and before.caregiver_links == 1 and before.audit_entries == 1
    report = sweep_at(sessions, None, now + POLICY.length("caregiver_code") + DAY).run()

    assert report.caregiver_codes == 2 and count(sessions, CaregiverCode) == 0
    assert count(sessions, CaregiverLink) == 0
    assert count(sessions, AuditEntry, AuditEntry.application_number == "IEM-2026-000009") == 1


def test_the_audit_log_gets_counts_only_and_only_when_something_went(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    now = utcnow()
    tracker_store(database_url, [("tg-41", now - CONVERSATION - DAY)])
    ApplicationService(sessions).submit("tg-41", draft(name="박기록"), "audit")

    sweep_at(sessions, database_url, now).run()
    sweep_at(sessions, database_url, now + DAY).run()  # nothing left to delete: no row

    [audit] = retention_audits(sessions)
    assert audit.agency == "SYSTEM" and audit.application_number is None
    assert re.fullmatch(r"(\w+=\d+ )*\w+=\d+", audit.detail or "")
    assert "conversations=1" in (audit.detail or "")
    assert "tg-41" not in (audit.detail or "") and "박기록" not in (audit.detail or "")


def test_without_a_tracker_store_nothing_is_created_and_chats_are_left_alone(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    ChatService(sessions).set_easy_read("tg-51", "telegram", True)
    with sessions.begin() as session:
        session.execute(update(Chat).values(last_seen_at=datetime(2020, 1, 1, tzinfo=UTC)))

    # No tracker store configured: whether the chat is still talking is unknown, so it stays.
    assert sweep_at(sessions, None, utcnow()).run().chat_settings == 0
    assert ChatService(sessions).preferences("tg-51").easy_read

    # A tracker store Rasa never created: no conversation exists, and no empty file is made.
    missing = tmp_path / "never_ran_rasa.sqlite"
    report = sweep_at(sessions, f"sqlite:///{missing}", utcnow()).run()
    assert report.conversations == 0 and not missing.exists()
    assert report.chat_settings == 1 and ChatService(sessions).get("tg-51") is None


async def test_the_relay_sweeps_as_soon_as_it_starts(sessions: sessionmaker[Session], database_url: str) -> None:
    from relay.upkeep import sweep_retention

    now = utcnow()
    tracker_store(database_url, [("tg-61", now - CONVERSATION - DAY)])
    stop = asyncio.Event()

    def clock() -> datetime:
        stop.set()  # one sweep, then the loop ends instead of waiting an hour
        return now

    await sweep_retention(stop, RetentionSweep(sessions, database_url, clock=clock))

    assert senders_in_tracker(database_url) == set()
    assert len(retention_audits(sessions)) == 1
