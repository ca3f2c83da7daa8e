"""Erasure on request: everything this service keeps about one chat, gone."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, inspect, or_, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.channels import telegram_chat_id
from ieomoa.crypto import RASA_EVENTS, decrypt_text, encrypt_text, is_token
from ieomoa.db import forget_deleted
from ieomoa.db_results import rows_matched
from ieomoa.models import (
    Application,
    AuditEntry,
    ButtonToken,
    CaregiverCode,
    CaregiverLink,
    Chat,
    ErasureRequest,
    OutboxMessage,
    utcnow,
)
from ieomoa.speech.cache import purge_unkeyed

# Rasa's SQLTrackerStore keeps every event of a conversation in this table.
RASA_EVENTS_TABLE = "events"
# No turn takes this long, so Rasa has saved the erasing turn by then.
PENDING_GRACE = timedelta(minutes=5)
# What a caregiver's conversation says instead of a message that named an erased application.
ERASED_TEXT = "(신청하신 분이 지운 정보예요)"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureReport:
    """What was erased for one chat."""

    applications: list[str]
    caregiver_links: int


class ErasureService:
    """Deletes a chat's applications, caregiver links, pushes and preferences.

    With ``tracker_store_url`` it also blanks, in linked caregivers' conversations, every
    event that names an erased application (the status they were told, with its number).
    """

    def __init__(self, sessions: sessionmaker[Session], tracker_store_url: str | None = None) -> None:
        self._sessions = sessions
        self._tracker_store_url = tracker_store_url

    def erase(self, sender_id: str) -> ErasureReport:
        """Erase everything kept about ``sender_id``; the audit log keeps only the numbers."""
        with self._sessions.begin() as session:
            applications = list(session.scalars(select(Application).where(Application.sender_id == sender_id)))
            numbers = [a.number or "" for a in applications]
            caregivers = set(session.scalars(
                select(CaregiverLink.caregiver_sender_id).where(CaregiverLink.applicant_sender_id == sender_id)
            ))
            # Every push about these applications, caregivers' copies included (they name it).
            session.execute(delete(OutboxMessage).where(
                OutboxMessage.application_seq.in_([a.seq for a in applications])
            ))
            for application in applications:
                session.delete(application)  # its timeline goes with it
                session.add(AuditEntry(agency="APPLICANT", action="erased", application_number=application.number))
            links = rows_matched(session.execute(
                delete(CaregiverLink).where(
                    or_(CaregiverLink.applicant_sender_id == sender_id, CaregiverLink.caregiver_sender_id == sender_id)
                )
            ))
            session.execute(delete(CaregiverCode).where(CaregiverCode.applicant_sender_id == sender_id))
            # Wrong caregiver-code attempts are kept on purpose: they are keyed by an HMAC of the
            # sender id (no personal id stays), and deleting them would reset the guess limit.
            chat_id = telegram_chat_id(sender_id)
            if chat_id is not None:
                session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
            # A chat of a messenger without numeric ids (KakaoTalk) is named by its sender id.
            session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == sender_id))
            session.execute(delete(ButtonToken).where(ButtonToken.sender_id == sender_id))
            session.execute(delete(Chat).where(Chat.sender_id == sender_id))
            # Same transaction: if the conversation cannot be deleted right away, it is later.
            session.merge(ErasureRequest(sender_id=sender_id, requested_at=utcnow()))
        with self._sessions() as session:
            forget_deleted(session.connection())
        if self._tracker_store_url is not None and caregivers and any(numbers):
            try:
                scrub_conversations(self._tracker_store_url, caregivers, [n for n in numbers if n])
            except Exception as error:  # noqa: BLE001 - the erasure itself is done; the sweep ends these too
                logger.warning("Could not blank caregivers' conversations: %s", type(error).__name__)
        return ErasureReport(applications=numbers, caregiver_links=links)

    def finish(self, tracker_store_url: str, sender_id: str) -> None:
        """Delete the conversation of an erasure whose turn Rasa has saved."""
        erase_conversation(tracker_store_url, sender_id)
        # No clip of a personal text is ever cached. Clips an older version cached under a
        # bare hash of any text may be this chat's and cannot be told apart: they all go.
        purge_unkeyed()
        with self._sessions.begin() as session:
            session.execute(delete(ErasureRequest).where(ErasureRequest.sender_id == sender_id))
        with self._sessions() as session:
            forget_deleted(session.connection())

    def finish_pending(self, tracker_store_url: str, older_than: timedelta = PENDING_GRACE) -> int:
        """Finish erasures left by a process that stopped before deleting the conversation."""
        with self._sessions() as session:
            senders = list(session.scalars(
                select(ErasureRequest.sender_id).where(ErasureRequest.requested_at < utcnow() - older_than)
            ))
        for sender_id in senders:
            self.finish(tracker_store_url, sender_id)
        return len(senders)


def erase_conversation(tracker_store_url: str, sender_id: str) -> int:
    """Delete the conversation from Rasa's tracker store; run after Rasa has saved the turn."""
    engine = create_engine(tracker_store_url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":  # zeros over the deleted rows, not free space
                connection.exec_driver_sql("PRAGMA secure_delete=ON")
            deleted = connection.execute(
                text(f"DELETE FROM {RASA_EVENTS_TABLE} WHERE sender_id = :sender_id"), {"sender_id": sender_id}
            ).rowcount
        with engine.connect() as connection:
            forget_deleted(connection)
        return deleted
    finally:
        engine.dispose()


def _blanked(value: Any, numbers: list[str]) -> Any:
    """``value`` with every string that names one of ``numbers`` replaced by ERASED_TEXT."""
    if isinstance(value, str):
        return ERASED_TEXT if any(number in value for number in numbers) else value
    if isinstance(value, list):
        return [_blanked(item, numbers) for item in value]
    if isinstance(value, dict):
        return {key: _blanked(item, numbers) for key, item in value.items()}
    return value


def _existing_tracker_store(url: str) -> Engine | None:
    """An engine on Rasa's tracker store, or None when Rasa never stored a conversation there."""
    engine = create_engine(url)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and not Path(database).exists():
        engine.dispose()
        return None  # no empty file where Rasa will create its own
    try:
        if inspect(engine).has_table(RASA_EVENTS_TABLE):
            return engine
    except OperationalError as error:
        if "does not exist" not in str(error.orig):
            engine.dispose()
            raise
    engine.dispose()
    return None


def scrub_conversations(tracker_store_url: str, senders: Iterable[str], numbers: list[str]) -> int:
    """In these conversations, blank every event that names one of ``numbers``; the count.

    Rows are rewritten in place (same ids, same number of events), so a turn Rasa is
    processing for one of them meanwhile saves its new events as usual.
    """
    engine = _existing_tracker_store(tracker_store_url)
    if engine is None:
        return 0
    blanked = 0
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA secure_delete=ON")
            for sender in sorted(set(senders)):
                rows = connection.execute(
                    text(f"SELECT id, data FROM {RASA_EVENTS_TABLE} WHERE sender_id = :sender"), {"sender": sender}
                ).all()
                for row_id, data in rows:
                    plain = decrypt_text(data, RASA_EVENTS) if data and is_token(data) else data
                    if not plain or not any(number in plain for number in numbers):
                        continue
                    event = _blanked(json.loads(plain), numbers)
                    connection.execute(text(f"UPDATE {RASA_EVENTS_TABLE} SET data = :data WHERE id = :id"),
                                       {"data": encrypt_text(json.dumps(event), RASA_EVENTS), "id": row_id})
                    blanked += 1
        if blanked:
            with engine.connect() as connection:
                forget_deleted(connection)
        return blanked
    finally:
        engine.dispose()
