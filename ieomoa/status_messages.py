"""What each status change means to the applicant, in plain Korean."""

from __future__ import annotations

from datetime import datetime

from ieomoa.answers.dates import spoken_day
from ieomoa.korean import to_direction
from ieomoa.statuses import AGENCY_LABELS, STATUS_LABELS, Status

NEXT_STEP: dict[str, str] = {
    Status.ASSIGNED: "담당 상담사가 정해졌어요. 곧 연락드려 초기상담 날짜를 정해요.",
    Status.COUNSELING: "상담사와 원하는 일과 필요한 지원을 이야기하는 단계예요.",
    Status.PLAN: "고용서비스계획을 세웠어요. 계획에 따라 평가나 훈련, 취업알선이 이어져요.",
    Status.SERVICES: "평가나 훈련, 지원고용을 받는 단계예요. 일정은 상담사가 알려 드려요.",
    Status.PLACEMENT: "상담사가 맞는 일자리를 찾아 연결해 드리는 단계예요.",
    Status.EMPLOYED: "취업을 축하드려요. 일을 시작한 뒤에도 사후관리로 계속 도와드려요.",
    Status.FOLLOW_UP: "일하면서 어려운 점이 있으면 상담사에게 말씀해 주세요.",
    Status.CLOSED: "지원이 끝났어요. 다시 도움이 필요하면 언제든 새로 신청해 주세요.",
    Status.NEEDS_INFO: "더 알려 주실 내용이 있어요. 담당 상담사가 연락드려 안내해 드려요.",
    Status.ON_HOLD: "신청이 잠시 멈춰 있어요. 자세한 내용은 담당 상담사가 알려 드려요.",
}


EASY_READ_NEXT_STEP: dict[str, str] = {
    Status.RECEIVED: "신청을 잘 받았어요. 곧 도와줄 선생님을 정해요.",
    Status.ASSIGNED: "도와줄 상담 선생님이 정해졌어요. 선생님이 곧 연락해요.",
    Status.COUNSELING: "상담 선생님과 이야기해요. 하고 싶은 일을 말해요.",
    Status.PLAN: "일을 찾는 계획을 만들었어요. 계획대로 하나씩 해요.",
    Status.SERVICES: "일을 배우고 연습해요. 날짜는 선생님이 알려 줘요.",
    Status.PLACEMENT: "선생님이 일할 곳을 찾아 줘요.",
    Status.EMPLOYED: "일을 시작해요. 축하해요. 일하면서도 선생님이 도와줘요.",
    Status.FOLLOW_UP: "일하면서 힘든 점이 있으면 선생님에게 말해요.",
    Status.CLOSED: "도움이 끝났어요. 다시 필요하면 또 신청해요.",
    Status.NEEDS_INFO: "더 알려 줄 것이 있어요. 선생님이 연락해요.",
    Status.ON_HOLD: "신청이 잠깐 멈췄어요. 선생님이 이유를 알려 줘요.",
}


def status_push_text(
    number: str, status: str, agency: str, note: str | None, *, for_caregiver: bool = False,
    easy_read: bool = False, at: datetime | None = None,
) -> str:
    """The push for one status change: what happened (on which Korean day, when ``at`` is
    given), what happens next, who to contact."""
    when = f"{spoken_day(at)}에 " if at is not None else ""
    if easy_read:
        # 쉬운 말: short sentences, one idea each, the key point again at the end.
        label = STATUS_LABELS[status]
        who = "신청하신 분의 신청" if for_caregiver else "내 신청"
        return (
            f"이어모아 알림이에요. {when}{who}이 바뀌었어요. 지금은 '{label}' 단계예요. "
            f"{EASY_READ_NEXT_STEP[status]} 접수번호: {number}. "
            f"궁금하면 {to_direction(AGENCY_LABELS[agency])} 물어봐요. 지금은 '{label}' 단계예요."
        )
    subject = "신청하신 분의 신청" if for_caregiver else "신청"
    label = STATUS_LABELS[status]
    parts = [
        f"이어모아 알림이에요. 접수번호 {number} {subject}이 {when}'{label}' 단계로 바뀌었어요.",
        NEXT_STEP[status],
    ]
    if note and not for_caregiver:
        parts.append(f"담당자 메모: {note.strip()[:300]}")
    parts.append(f"궁금한 점은 {to_direction(AGENCY_LABELS[agency])} 문의해 주세요.")
    return " ".join(parts)
