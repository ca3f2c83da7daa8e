"""Erasure on request: everything this service keeps about one chat, gone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import create_engine, delete, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.channels import telegram_chat_id
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


@dataclass(frozen=True)
class ErasureReport:
    """What was erased for one chat."""

    applications: list[str]
    caregiver_links: int


class ErasureService:
    """Deletes a chat's applications, caregiver links, pushes and preferences."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def erase(self, sender_id: str) -> ErasureReport:
        """Erase everything kept about ``sender_id``; the audit log keeps only the numbers."""
        with self._sessions.begin() as session:
            applications = list(session.scalars(select(Application).where(Application.sender_id == sender_id)))
            numbers = [a.number or "" for a in applications]
            # Every push about these applications, caregivers' copies included (they name it).
            session.execute(delete(OutboxMessage).where(
                OutboxMessage.application_seq.in_([a.seq for a in applications])
            ))
            for application in applications:
                session.delete(application)  # its timeline goes with it
                session.add(AuditEntry(agency="APPLICANT", action="erased", application_number=application.number))
            links = session.execute(
                delete(CaregiverLink).where(
                    or_(CaregiverLink.applicant_sender_id == sender_id, CaregiverLink.caregiver_sender_id == sender_id)
                )
            ).rowcount
            session.execute(delete(CaregiverCode).where(CaregiverCode.applicant_sender_id == sender_id))
            # Wrong caregiver-code attempts are kept on purpose: they are keyed by an HMAC of the
            # sender id (no personal id stays), and deleting them would reset the guess limit.
            chat_id = telegram_chat_id(sender_id)
            if chat_id is not None:
                session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
            session.execute(delete(ButtonToken).where(ButtonToken.sender_id == sender_id))
            session.execute(delete(Chat).where(Chat.sender_id == sender_id))
            # Same transaction: if the conversation cannot be deleted right away, it is later.
            session.merge(ErasureRequest(sender_id=sender_id, requested_at=utcnow()))
        return ErasureReport(applications=numbers, caregiver_links=links)

    def finish(self, tracker_store_url: str, sender_id: str) -> None:
        """Delete the conversation of an erasure whose turn Rasa has saved."""
        erase_conversation(tracker_store_url, sender_id)
        # No clip of a personal text is ever cached. Clips an older version cached under a
        # bare hash of any text may be this chat's and cannot be told apart: they all go.
        purge_unkeyed()
        with self._sessions.begin() as session:
            session.execute(delete(ErasureRequest).where(ErasureRequest.sender_id == sender_id))

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
            return connection.execute(
                text(f"DELETE FROM {RASA_EVENTS_TABLE} WHERE sender_id = :sender_id"), {"sender_id": sender_id}
            ).rowcount
    finally:
        engine.dispose()
