"""Application statuses, agencies and outbox states, with the Korean words users see.

Each is a StrEnum whose values are exactly the strings the database stores, so a member
compares equal to the stored value and no migration is involved.
"""

from __future__ import annotations

from enum import StrEnum

from ieomoa.korean import particle


class Status(StrEnum):
    """Where an application stands (applications.status, timeline.status)."""

    RECEIVED = "RECEIVED"
    ASSIGNED = "ASSIGNED"
    COUNSELING = "COUNSELING"
    PLAN = "PLAN"
    SERVICES = "SERVICES"
    PLACEMENT = "PLACEMENT"
    EMPLOYED = "EMPLOYED"
    FOLLOW_UP = "FOLLOW_UP"
    CLOSED = "CLOSED"
    NEEDS_INFO = "NEEDS_INFO"
    ON_HOLD = "ON_HOLD"


class Agency(StrEnum):
    """An agency an application is routed to (applications.routed_to, agency_tokens.agency)."""

    KEAD = "KEAD"
    LOCAL_CENTER = "LOCAL_CENTER"
    EDU_OFFICE = "EDU_OFFICE"


class OutboxState(StrEnum):
    """Where a push stands (outbox.state); leased rows stay PENDING."""

    PENDING = "PENDING"
    SENT = "SENT"
    UNDELIVERABLE = "UNDELIVERABLE"


STATUS_LABELS: dict[str, str] = {
    Status.RECEIVED: "접수",
    Status.ASSIGNED: "담당자 배정",
    Status.COUNSELING: "초기상담",
    Status.PLAN: "고용서비스계획",
    Status.SERVICES: "평가·훈련·지원고용",
    Status.PLACEMENT: "취업알선",
    Status.EMPLOYED: "취업",
    Status.FOLLOW_UP: "사후관리",
    Status.CLOSED: "종료",
    Status.NEEDS_INFO: "보완요청",
    Status.ON_HOLD: "보류",
}

AGENCY_LABELS: dict[str, str] = {
    Agency.KEAD: "한국장애인고용공단",
    Agency.LOCAL_CENTER: "행정복지센터",
    Agency.EDU_OFFICE: "교육청",
}


def agencies_text(codes: list[str]) -> str:
    """"한국장애인고용공단과 행정복지센터" style list for a sentence."""
    names = [AGENCY_LABELS.get(code, code) for code in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-2] + [particle(names[-2], "과", "와") + " " + names[-1]])
