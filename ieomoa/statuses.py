"""Application statuses and agencies, with the Korean words users see (DESIGN.md)."""

from __future__ import annotations

from ieomoa.korean import particle

STATUS_LABELS: dict[str, str] = {
    "RECEIVED": "접수",
    "ASSIGNED": "담당자 배정",
    "COUNSELING": "초기상담",
    "PLAN": "고용서비스계획",
    "SERVICES": "평가·훈련·지원고용",
    "PLACEMENT": "취업알선",
    "EMPLOYED": "취업",
    "FOLLOW_UP": "사후관리",
    "CLOSED": "종료",
    "NEEDS_INFO": "보완요청",
    "ON_HOLD": "보류",
}

AGENCY_LABELS: dict[str, str] = {
    "KEAD": "한국장애인고용공단",
    "LOCAL_CENTER": "행정복지센터",
    "EDU_OFFICE": "교육청",
}


def agencies_text(codes: list[str]) -> str:
    """"한국장애인고용공단과 행정복지센터" style list for a sentence."""
    names = [AGENCY_LABELS.get(code, code) for code in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-2] + [particle(names[-2], "과", "와") + " " + names[-1]])
