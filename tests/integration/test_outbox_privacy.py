"""Push texts live only until delivery, and go with the applicant's erasure (SQLite and PostgreSQL).

Pushes are written by a real status change and delivered by the real relay over HTTP to the
Bot API stand-in; the database is then read raw, every table and column, as a dump would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.migrate import upgrade
from ieomoa.models import OutboxMessage
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService
from ieomoa.services.erasure import ErasureService
from ieomoa.services.status import Caller, StatusService
from relay.senders.telegram import TelegramSender, telegram_bot
from relay.worker import OutboxRelay, RelayLimits
from tests.support.applications import draft
from tests.support.postgres import fresh_database, require_postgres
from tests.support.telegram_standin import TelegramStandIn

FAST = RelayLimits(messages_per_second=5000, per_chat_interval=0.0, batch_size=25)
NOTE = "담당: 김상담 010-7777-1234, 청각장애로 수어통역 필요"
KEAD = Caller("KEAD")
FORBIDDEN = (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})


@pytest.fixture
def telegram() -> Iterator[TelegramStandIn]:
    standin = TelegramStandIn().start()
    yield standin
    standin.stop()


def dump(sessions: sessionmaker[Session]) -> str:
    """Every value of every table, as text (what a database dump shows)."""
    with sessions() as session:
        connection = session.connection()
        tables = sa.inspect(connection).get_table_names()
        return "\n".join(
            " | ".join(str(value) for value in row)
            for table in tables
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"'))
        )


def raw_outbox(sessions: sessionmaker[Session]) -> list[dict[str, object]]:
    with sessions() as session:
        return [dict(row) for row in session.execute(sa.text("SELECT * FROM outbox ORDER BY id")).mappings()]


def applicant_with_caregiver(sessions: sessionmaker[Session], applicant: str, caregiver: str) -> str:
    number = ApplicationService(sessions).submit(f"tg-{applicant}", draft(), f"key-{applicant}").number
    caregivers = CaregiverService(sessions)
    caregivers.redeem(f"tg-{caregiver}", caregivers.issue_code(f"tg-{applicant}", share_sensitive=False).code)
    return number


async def deliver(sessions: sessionmaker[Session], telegram: TelegramStandIn) -> None:
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay = OutboxRelay(sessions, TelegramSender(bot), FAST)
        while await relay.deliver_once():
            pass


async def test_a_delivered_push_leaves_no_text_and_an_undelivered_one_stays_encrypted(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    number = applicant_with_caregiver(sessions, "101", "202")
    StatusService(sessions).change(KEAD, number, "ASSIGNED", NOTE)

    pending = raw_outbox(sessions)
    assert len(pending) == 2  # the applicant's push and the caregiver's
    assert all(str(row["text"]).startswith("gAAAAA") and number not in str(row["text"]) for row in pending)
    assert "010-7777-1234" not in dump(sessions).replace(NOTE, "")  # only the timeline keeps the note

    telegram.fail_next_sends(FORBIDDEN)  # the applicant blocked the bot: their push is not delivered
    await deliver(sessions, telegram)

    [to_caregiver] = [m.text for m in telegram.messages_to(202)]
    assert number in to_caregiver and telegram.messages_to(101) == []
    rows = {row["chat_id"]: row for row in raw_outbox(sessions)}
    delivered, undelivered = rows[202], rows[101]
    assert delivered["state"] == "SENT" and delivered["sent_at"] is not None
    assert delivered["text"] is None and delivered["last_error"] is None
    assert to_caregiver not in dump(sessions)
    # The undelivered push keeps its text for the record, encrypted; the service can read it.
    assert undelivered["state"] == "UNDELIVERABLE" and str(undelivered["text"]).startswith("gAAAAA")
    with sessions() as session:
        text = session.scalar(select(OutboxMessage.text).where(OutboxMessage.chat_id == 101))
    assert text is not None and NOTE in text and number in text


async def test_a_delivered_push_to_the_applicant_leaves_no_staff_note(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    number = ApplicationService(sessions).submit("tg-303", draft(), "key-303").number
    StatusService(sessions).change(KEAD, number, "ASSIGNED", NOTE)
    await deliver(sessions, telegram)
    [push] = [m.text for m in telegram.messages_to(303)]
    assert NOTE in push
    [row] = raw_outbox(sessions)
    assert row["state"] == "SENT" and row["text"] is None
    assert push not in dump(sessions)


async def test_erasure_takes_every_push_about_the_application_caregivers_included(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    number = applicant_with_caregiver(sessions, "101", "202")
    other = applicant_with_caregiver(sessions, "404", "505")
    status = StatusService(sessions)
    status.change(KEAD, number, "ASSIGNED", NOTE)
    status.change(KEAD, other, "ASSIGNED", None)
    await deliver(sessions, telegram)  # delivered rows stay as records until the erasure
    status.change(KEAD, number, "COUNSELING", None)  # and these two are still pending
    assert {row["chat_id"] for row in raw_outbox(sessions)} == {101, 202, 404, 505}

    ErasureService(sessions).erase("tg-101")

    rows = raw_outbox(sessions)
    assert {row["chat_id"] for row in rows} == {404, 505}  # the caregiver's rows went too
    with sessions() as session:
        assert all(number not in text for text in session.scalars(select(OutboxMessage.text)) if text)


@pytest.fixture(params=["sqlite", "postgres"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database on each engine, for migrating step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    require_postgres()
    with fresh_database() as url:
        yield url


def test_migration_ties_old_pushes_to_their_application_and_drops_delivered_texts(unmigrated_url: str) -> None:
    upgrade(unmigrated_url, "0013")
    engine = sa.create_engine(unmigrated_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO applications (seq, number, submission_key, sender_id, status, created_at, updated_at, name,"
            " birth_date, phone, region, education, special_education_student, jobs, employment_type,"
            " contact_preference, sensitive, consents, routed_to) VALUES (7, 'IEM-2026-000007', 'k', 'tg-101',"
            " 'ASSIGNED', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '홍길동', '1990-03-05', '01012345678', '경기도 수원시',"
            " '고졸', false, '[]', '시간제', '메신저', 'x', '{}', '[]')"
        ))
        connection.execute(sa.text(
            "INSERT INTO timeline_entries (id, application_seq, status, at)"
            " VALUES (31, 7, 'ASSIGNED', CURRENT_TIMESTAMP)"
        ))
        for key, chat, state in (("status:31:101", 101, "SENT"), ("status:31:202", 202, "PENDING"),
                                 ("other:1", 303, "PENDING")):
            connection.execute(sa.text(
                "INSERT INTO outbox (idempotency_key, chat_id, text, state, attempts, next_attempt_at, created_at,"
                " last_error) VALUES (:key, :chat, '접수번호 IEM-2026-000007 담당자 메모', :state, 0,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'NetworkError: once')"
            ), {"key": key, "chat": chat, "state": state})
        connection.execute(sa.text(
            "INSERT INTO caregiver_codes (code_hash, applicant_sender_id, share_sensitive, created_at, expires_at)"
            " VALUES ('unkeyed', 'tg-101', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))

    upgrade(unmigrated_url)

    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT chat_id, application_seq, text, last_error FROM outbox ORDER BY chat_id")).all()
        codes = connection.execute(sa.text("SELECT count(*) FROM caregiver_codes")).scalar()
    engine.dispose()
    assert [(chat, seq) for chat, seq, _, _ in rows] == [(101, 7), (202, 7), (303, None)]
    assert rows[0][2:] == (None, None)  # delivered: no text, no error message
    assert rows[1][2] is not None  # not delivered yet: kept (rotate-key encrypts it)
    assert codes == 0  # unkeyed codes are invalidated
