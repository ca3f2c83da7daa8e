"""Applications: submit once, route to agencies, suggest a next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict, cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ieomoa.crypto import seal, unseal
from ieomoa.korean_time import in_korea
from ieomoa.models import Application, TimelineEntry, utcnow
from ieomoa.statuses import Agency, Status


@dataclass(frozen=True)
class ApplicationDraft:
    """Everything the form collected, already validated and normalized."""

    name: str
    birth_date: date
    phone: str
    region: str
    disability_types: list[str]
    severity: str
    education: str
    special_education_student: bool
    school: str | None
    jobs: list[str]
    employment_type: str
    support_needs: list[str]
    contact_preference: str
    consent_local_center: bool
    consent_edu_office: bool
    desired_wage: str | None = None


def route(draft: ApplicationDraft) -> list[str]:
    """Agencies that receive the application: KEAD always, others by consent and need."""
    agencies: list[str] = [Agency.KEAD]
    if draft.consent_local_center:
        agencies.append(Agency.LOCAL_CENTER)
    if draft.special_education_student and draft.consent_edu_office:
        agencies.append(Agency.EDU_OFFICE)
    return agencies


def next_step(draft: ApplicationDraft) -> str:
    """Key of the tailored next-step suggestion (a domain response ``utter_next_step_<key>``)."""
    types = set(draft.disability_types)
    if draft.severity == "심한" and types & {"지적", "자폐성"}:
        return "supported_employment"
    if "청각" in types or "수어통역" in draft.support_needs:
        return "sign_language"
    if "시각" in types:
        return "assistive_technology"
    if draft.special_education_student:
        return "student"
    if draft.jobs == ["상담 후 결정"] or "직업능력평가" in draft.support_needs:
        return "vocational_evaluation"
    if draft.severity == "심한" and "근로지원인" in draft.support_needs:
        return "work_assistant"
    return "job_placement"


# The draft's answers kept in columns of their own, and those sealed together in ``sensitive``.
COLUMN_FIELDS = ("name", "birth_date", "phone", "region", "education", "special_education_student",
                 "school", "jobs", "employment_type", "desired_wage", "contact_preference")
SEALED_FIELDS = ("disability_types", "severity", "support_needs")


class SealedFields(TypedDict):
    """The draft's answers sealed in ``Application.sensitive``: SEALED_FIELDS and their types."""

    disability_types: list[str]
    severity: str
    support_needs: list[str]


@dataclass(frozen=True)
class Submission:
    """The stored application and whether this call created it."""

    number: str
    created: bool
    routed_to: list[str]


class ApplicationService:
    """Creates applications; a retried or doubled submission returns the first one."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def submit(self, sender_id: str, draft: ApplicationDraft, submission_key: str) -> Submission:
        """Store the application, its routing and its RECEIVED step in one transaction."""
        existing = self._by_key(submission_key)
        if existing is not None:
            return existing
        agencies = route(draft)
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                application = Application(
                    submission_key=submission_key,
                    sender_id=sender_id,
                    status=Status.RECEIVED,
                    created_at=now,
                    updated_at=now,
                    **{field: getattr(draft, field) for field in COLUMN_FIELDS},
                    sensitive=seal({field: getattr(draft, field) for field in SEALED_FIELDS}),
                    consents={"collection": True, "sensitive": True, "third_party": agencies},
                    routed_to=agencies,
                )
                session.add(application)
                session.flush()  # assigns seq
                # The year of the number is the Korean year the application arrived in.
                application.number = f"IEM-{in_korea(now).year}-{application.seq:06d}"
                application.timeline.append(
                    TimelineEntry(status=Status.RECEIVED, at=now, agency=None, note="메신저로 접수")
                )
                return Submission(application.number, True, agencies)
        except IntegrityError:
            # The same submission raced in from a retried action call.
            existing = self._by_key(submission_key)
            if existing is None:
                raise
            return existing

    def _by_key(self, submission_key: str) -> Submission | None:
        with self._sessions() as session:
            application = session.scalar(
                select(Application).where(Application.submission_key == submission_key)
            )
            if application is None:
                return None
            return Submission(str(application.number), False, list(application.routed_to))

    def latest_for(self, sender_id: str) -> Application | None:
        """The applicant's most recent application with its timeline."""
        with self._sessions() as session:
            return session.scalar(
                select(Application)
                .where(Application.sender_id == sender_id)
                .options(selectinload(Application.timeline))
                .order_by(Application.seq.desc())
                .limit(1)
            )

    def all_for(self, sender_id: str) -> list[Application]:
        """Every application of this sender with its timeline, newest first (to show them)."""
        with self._sessions() as session:
            return list(session.scalars(
                select(Application)
                .where(Application.sender_id == sender_id)
                .options(selectinload(Application.timeline))
                .order_by(Application.seq.desc())
            ))

    def count_for(self, sender_id: str) -> int:
        """How many applications this sender has submitted."""
        with self._sessions() as session:
            return session.scalar(
                select(func.count()).select_from(Application).where(Application.sender_id == sender_id)
            ) or 0

    @staticmethod
    def sensitive_of(application: Application) -> SealedFields:
        """Decrypted disability types, severity and support needs."""
        # Sealed from an ApplicationDraft's SEALED_FIELDS (see submit): JSON keeps their shape.
        return cast(SealedFields, unseal(application.sensitive))
