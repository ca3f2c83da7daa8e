""""내 정보 보여 주세요": what this service keeps about the chat (개인정보 보호법 §35).

The applicant sees every stored field of their applications, the caregivers linked (known by
when they were linked, never by their chat), a draft in progress, and their voice and 쉬운 말
choices. A caregiver's chat sees its own link and choices, and of the applicant's data only
the status: nothing the applicant did not share, and not even what they did.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.application_flow import (
    EDUCATION_LABELS,
    EMPLOYMENT_LABELS,
    SEVERITY_LABELS,
    summary_text,
)
from actions.fields import FIELD_LABELS
from ieomoa.answers.dates import spoken_date, spoken_day, spoken_moment
from ieomoa.answers.phone import display_phone
from ieomoa.models import Application, CaregiverLink
from ieomoa.services.applications import ApplicationDraft, ApplicationService
from ieomoa.services.chats import ChatPreferences
from ieomoa.statuses import STATUS_LABELS, Agency, Status, agencies_text


def application_lines(application: Application) -> list[str]:
    """One stored application: its number, step and dates, every field, the consents."""
    sensitive = ApplicationService.sensitive_of(application)
    routed = list(application.routed_to)
    draft = ApplicationDraft(
        name=application.name, birth_date=application.birth_date, phone=application.phone,
        region=application.region, disability_types=list(sensitive["disability_types"]),
        severity=str(sensitive["severity"]), education=application.education,
        special_education_student=application.special_education_student, school=application.school,
        jobs=list(application.jobs), employment_type=application.employment_type,
        support_needs=list(sensitive["support_needs"]), contact_preference=application.contact_preference,
        consent_local_center=Agency.LOCAL_CENTER in routed, consent_edu_office=Agency.EDU_OFFICE in routed,
    )
    steps = ", ".join(
        f"{spoken_day(entry.at)} {STATUS_LABELS.get(entry.status, entry.status)}"
        + (f"(메모: {entry.note.strip()})" if entry.note and entry.status != Status.RECEIVED else "")
        for entry in application.timeline
    )
    return [
        f"신청서 {application.number}, 지금 '{STATUS_LABELS.get(application.status, application.status)}' 단계",
        summary_text(draft),
        f"동의: 개인정보 수집·이용, 민감정보 처리, {agencies_text(routed)}에 제공",
        f"진행 기록: {steps}",
    ]


def caregiver_lines(links: list[CaregiverLink]) -> list[str]:
    """The caregivers linked, known by when (Korean time) and what they may see."""
    if not links:
        return ["연결된 보호자: 없음"]
    return [f"연결된 보호자: {len(links)}명"] + [
        f"- {spoken_moment(link.created_at)}에 연결, "
        + ("신청 상태와 장애 정보를 봐요" if link.share_sensitive else "신청 상태만 봐요")
        for link in links
    ]


def choice_lines(preferences: ChatPreferences) -> list[str]:
    """Voice and 쉬운 말 choices."""
    voice = "켜짐, 천천히" if preferences.voice and preferences.slow else "켜짐" if preferences.voice else "꺼짐"
    return [f"음성 메시지: {voice}", f"쉬운 말: {'켜짐' if preferences.easy_read else '꺼짐'}"]


def _draft_value(slot: str, value: Any) -> str:
    if slot == "birth_date":
        return spoken_date(date.fromisoformat(value))
    if slot == "phone":
        return display_phone(value)
    if slot == "severity":
        return SEVERITY_LABELS.get(value, value)
    if slot == "education":
        return EDUCATION_LABELS.get(value, value)
    if slot == "employment_type":
        return EMPLOYMENT_LABELS.get(value, value)
    if isinstance(value, bool):
        return "예" if value else "아니요"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def draft_lines(tracker: Tracker) -> list[str]:
    """Answers of an application not sent yet, kept in the conversation."""
    if not tracker.get_slot("draft_id"):
        return []
    answers = [
        f"{label}: {_draft_value(slot, tracker.get_slot(slot))}"
        for slot, label in FIELD_LABELS.items()
        if tracker.get_slot(slot) is not None
    ]
    return ["작성 중인 신청서(아직 보내지 않았어요): " + ("; ".join(answers) if answers else "아직 답이 없어요")]


class ActionShowMyData(Action):
    """Shows the owner everything stored about this chat; a caregiver only the status."""

    def name(self) -> str:
        return "action_show_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        sender = tracker.sender_id
        applications = await asyncio.to_thread(services.applications().all_for, sender)
        preferences = await asyncio.to_thread(services.chats().preferences, sender)
        followed = await asyncio.to_thread(services.caregivers().applicant_of, sender)
        followed_application = None
        if followed is not None:
            followed_application = await asyncio.to_thread(
                services.applications().latest_for, followed.applicant_sender_id
            )
        if not applications and followed is not None and followed_application is not None:
            own = [f"{spoken_moment(followed.created_at)}에 보호자로 연결"] + choice_lines(preferences)
            dispatcher.utter_message(
                response="utter_my_data_caregiver",
                status=STATUS_LABELS.get(followed_application.status, followed_application.status),
                details=", ".join(own),
            )
            return []
        links = await asyncio.to_thread(services.caregivers().caregivers_of, sender) if applications else []
        lines: list[str] = []
        for application in applications:
            lines += application_lines(application)
        if not applications:
            lines.append("보낸 신청서: 없음")
        lines += draft_lines(tracker)
        if applications:
            lines += caregiver_lines(links)
        if followed is not None and followed_application is not None:
            lines.append(f"다른 분의 보호자로 연결: {spoken_moment(followed.created_at)}부터, 신청 상태만 봐요")
        lines += choice_lines(preferences)
        dispatcher.utter_message(response="utter_my_data", details="\n".join(lines))
        return []
