"""Agency side of an application: list, read, move status. Each change queues its pushes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ieomoa.channels import channel_of, telegram_chat_id
from ieomoa.crypto import unseal
from ieomoa.models import Application, AuditEntry, CaregiverLink, Chat, TimelineEntry, utcnow
from ieomoa.services.outbox import queue_push
from ieomoa.status_messages import status_push_text
from ieomoa.statuses import STATUS_LABELS, Status

# Messengers whose pushes name the chat by its sender id (the relay's KakaoTalk sender).
PUSH_BY_SENDER_ID = {"kakao"}
MAIN_PATH: list[str] = [
    Status.RECEIVED, Status.ASSIGNED, Status.COUNSELING, Status.PLAN, Status.SERVICES, Status.PLACEMENT,
    Status.EMPLOYED, Status.FOLLOW_UP, Status.CLOSED,
]
SIDE_STATES = {Status.NEEDS_INFO, Status.ON_HOLD}


class StatusError(Exception):
    """A refused request; ``status_code`` is the HTTP answer for the agency API."""

    status_code = 400


class ApplicationNotFound(StatusError):
    status_code = 404


class NotRoutedToAgency(StatusError):
    status_code = 403


class IllegalTransition(StatusError):
    status_code = 409


class UnknownStatus(StatusError):
    status_code = 422


def allowed_next(current: str, before_side: str | None) -> set[str]:
    """Statuses reachable from ``current``: the next step (PLAN may skip SERVICES), a side
    state, or closing; from a side state, back to where it was, or closing."""
    if current == Status.CLOSED:
        return set()
    if current in SIDE_STATES:
        return {before_side or Status.RECEIVED, Status.CLOSED}
    index = MAIN_PATH.index(current)
    allowed: set[str] = {MAIN_PATH[index + 1], Status.CLOSED, *SIDE_STATES}
    if current == Status.PLAN:
        allowed.add(Status.PLACEMENT)
    return allowed


def record_of(application: Application) -> dict[str, Any]:
    """The application as the agency API returns it (its record format)."""
    sensitive = unseal(application.sensitive)
    return {
        "id": application.number,
        "status": application.status,
        "created_at": application.created_at.isoformat(),
        "updated_at": application.updated_at.isoformat(),
        "applicant": {
            "name": application.name,
            "birth_date": application.birth_date.isoformat(),
            "phone": application.phone,
            "region": application.region,
            "disability_types": sensitive["disability_types"],
            "severity": sensitive["severity"],
            "education": application.education,
            "special_education_student": application.special_education_student,
            "school": application.school,
        },
        "preferences": {
            "jobs": application.jobs,
            "employment_type": application.employment_type,
            "desired_wage": application.desired_wage,
        },
        "support_needs": sensitive["support_needs"],
        "contact_preference": application.contact_preference,
        "consents": application.consents,
        "routed_to": application.routed_to,
        "timeline": [
            {"status": e.status, "at": e.at.isoformat(), "agency": e.agency, "note": e.note}
            for e in application.timeline
        ],
    }


@dataclass(frozen=True)
class Caller:
    """The authenticated agency making a request."""

    agency: str
    token_id: int | None = None


class StatusService:
    """Reads and status changes for agency staff, each one audited."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def _audit(self, session: Session, caller: Caller, action: str, number: str | None, detail: str | None = None) -> None:
        session.add(AuditEntry(agency=caller.agency, token_id=caller.token_id, action=action,
                               application_number=number, detail=detail))

    def list_for(self, caller: Caller) -> list[dict[str, Any]]:
        """Records routed to the caller's agency, newest first."""
        with self._sessions.begin() as session:
            applications = session.scalars(
                select(Application).options(selectinload(Application.timeline)).order_by(Application.seq.desc())
            ).all()
            visible = [a for a in applications if caller.agency in a.routed_to]
            self._audit(session, caller, "list", None, f"{len(visible)} records")
            return [record_of(a) for a in visible]

    def _load(self, session: Session, caller: Caller, number: str, *, lock: bool = False) -> Application:
        query = select(Application).where(Application.number == number).options(selectinload(Application.timeline))
        application = session.scalar(query.with_for_update() if lock else query)
        if application is None:
            raise ApplicationNotFound("application not found")
        if caller.agency not in application.routed_to:
            raise NotRoutedToAgency("this application is not routed to your agency")
        return application

    def get_for(self, caller: Caller, number: str) -> dict[str, Any]:
        """One record routed to the caller."""
        with self._sessions.begin() as session:
            application = self._load(session, caller, number)
            self._audit(session, caller, "read", number)
            return record_of(application)

    def change(self, caller: Caller, number: str, status: str, note: str | None = None) -> dict[str, Any]:
        """Move to ``status``: timeline, outbox rows and audit in one transaction."""
        if status not in STATUS_LABELS:
            raise UnknownStatus(f"unknown status {status!r}")
        with self._sessions.begin() as session:
            application = self._load(session, caller, number, lock=True)
            before_side = next(
                (e.status for e in reversed(application.timeline) if e.status not in SIDE_STATES), None
            )
            if status not in allowed_next(application.status, before_side):
                allowed = ", ".join(sorted(allowed_next(application.status, before_side))) or "none"
                raise IllegalTransition(
                    f"cannot move from {application.status} to {status}; allowed: {allowed}"
                )
            now = utcnow()
            application.status = status
            application.updated_at = now
            entry = TimelineEntry(status=status, at=now, agency=caller.agency, note=note)
            application.timeline.append(entry)
            session.flush()
            for sender_id, for_caregiver in self._recipients(session, application):
                chat_id = telegram_chat_id(sender_id)
                # KakaoTalk's chats have no numeric id: the push names the sender id itself.
                recipient = sender_id if chat_id is None and channel_of(sender_id) in PUSH_BY_SENDER_ID else None
                if chat_id is None and recipient is None:
                    continue
                voice, slow, easy_read = session.execute(
                    select(Chat.voice_mode, Chat.voice_slow, Chat.easy_read).where(Chat.sender_id == sender_id)
                ).one_or_none() or (False, False, False)
                text = status_push_text(
                    number, status, caller.agency, note, for_caregiver=for_caregiver, easy_read=easy_read,
                    at=now,
                )
                queue_push(
                    session, key=f"status:{entry.id}:{chat_id if chat_id is not None else sender_id}", text=text,
                    chat_id=chat_id, recipient=recipient, application_seq=application.seq, voice=voice,
                    voice_slow=slow,
                )
            self._audit(session, caller, "status", number, f"-> {status}")
            return record_of(application)

    def _recipients(self, session: Session, application: Application) -> list[tuple[str, bool]]:
        """Senders to notify: the applicant, then each linked caregiver (read in this transaction)."""
        links = session.scalars(
            select(CaregiverLink.caregiver_sender_id)
            .where(CaregiverLink.applicant_sender_id == application.sender_id, CaregiverLink.removed_at.is_(None))
            .order_by(CaregiverLink.id)
        )
        return [(application.sender_id, False)] + [(sender, True) for sender in links]
