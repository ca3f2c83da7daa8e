"""Starting, finishing, correcting, cancelling and submitting the application."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.erasure import ERASE_CONVERSATION
from actions.fields import (
    DEPENDENT_FIELDS,
    FIELD_LABELS,
    REQUIRED_CONSENTS,
    field_named_in,
    previous_field,
)
from actions.slots import reset_application_slots
from ieomoa.answers.choices import confirms_submission
from ieomoa.answers.dates import spoken_date
from ieomoa.answers.phone import display_phone
from ieomoa.korean import particle
from ieomoa.services.applications import ApplicationDraft, next_step, route
from ieomoa.statuses import agencies_text

logger = logging.getLogger(__name__)

EDUCATION_LABELS = {
    "초졸이하": "초등학교 졸업 이하", "중졸": "중학교 졸업", "고졸": "고등학교 졸업",
    "전문대졸": "전문대학 졸업", "대졸이상": "대학교 졸업 이상",
}
EMPLOYMENT_LABELS = {"전일제": "전일제", "시간제": "시간제", "재택": "재택근무", "무관": "상관없음"}
SEVERITY_LABELS = {"심한": "심한 장애", "심하지않은": "심하지 않은 장애"}


def draft_from(tracker: Tracker) -> ApplicationDraft:
    """The validated form answers as a draft for the core service."""
    slot = tracker.get_slot
    return ApplicationDraft(
        name=slot("applicant_name"),
        birth_date=date.fromisoformat(slot("birth_date")),
        phone=slot("phone"),
        region=slot("region"),
        disability_types=list(slot("disability_types") or []),
        severity=slot("severity"),
        education=slot("education"),
        special_education_student=bool(slot("special_education")),
        school=slot("school") if slot("special_education") else None,
        jobs=list(slot("jobs") or []),
        employment_type=slot("employment_type"),
        support_needs=list(slot("support_needs") or []),
        contact_preference=slot("contact_preference"),
        consent_local_center=bool(slot("consent_local_center")),
        consent_edu_office=bool(slot("consent_edu_office")),
    )


def summary_text(draft: ApplicationDraft) -> str:
    """The answers, one per line, as a screen reader reads them."""
    lines = [
        f"이름: {draft.name}",
        f"생년월일: {spoken_date(draft.birth_date)}",
        f"휴대전화: {display_phone(draft.phone)}",
        f"사는 곳: {draft.region}",
        f"장애 유형: {', '.join(draft.disability_types)}",
        f"장애 정도: {SEVERITY_LABELS[draft.severity]}",
        f"학력: {EDUCATION_LABELS[draft.education]}",
        f"특수교육대상 학생: {'예, ' + (draft.school or '') if draft.special_education_student else '아니요'}",
        f"희망 직업: {', '.join(draft.jobs)}",
        f"근무 형태: {EMPLOYMENT_LABELS[draft.employment_type]}",
        f"필요한 지원: {', '.join(draft.support_needs) or '없음'}",
        f"상담 방법: {draft.contact_preference}",
        f"신청서를 받는 곳: {agencies_text(route(draft))}",
    ]
    return "\n".join(lines)


class ActionStartApplication(Action):
    """Opens a new draft (or says the current one continues) before the form starts."""

    def name(self) -> str:
        return "action_start_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("draft_id"):
            dispatcher.utter_message(response="utter_application_resume")
            return [SlotSet("awaiting_confirmation", False)]
        dispatcher.utter_message(response="utter_application_intro")
        return [SlotSet("draft_id", uuid.uuid4().hex), SlotSet("awaiting_confirmation", False)]


class ActionAfterApplicationForm(Action):
    """After the last question: stop kindly on a refused consent, otherwise show the summary."""

    def name(self) -> str:
        return "action_after_application_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        for consent, response in REQUIRED_CONSENTS.items():
            if tracker.get_slot(consent) is False:
                dispatcher.utter_message(response=response)
                # The reply says what was typed is gone: the bot deletes the conversation.
                dispatcher.utter_message(json_message=ERASE_CONVERSATION)
                return reset_application_slots()
        dispatcher.utter_message(response="utter_summary", summary=summary_text(draft_from(tracker)))
        dispatcher.utter_message(response="utter_summary_buttons")
        return [SlotSet("awaiting_confirmation", True)]


class ActionSubmitApplication(Action):
    """Submits once: a repeated tap or a retried call returns the same application."""

    def name(self) -> str:
        return "action_submit_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        draft_id = tracker.get_slot("draft_id")
        if not draft_id or not tracker.get_slot("awaiting_confirmation"):
            dispatcher.utter_message(response="utter_nothing_to_submit")
            return []
        typed = (tracker.latest_message or {}).get("text") or ""
        if not typed.startswith("/") and not confirms_submission(typed):
            # The NLU may read "ㅋㅋㅋ" or an emoji as yes: an application is sent only on clear words.
            dispatcher.utter_message(response="utter_submit_unclear")
            # No rule follows a submission that did not happen: without this listen, Rasa's
            # core fallback added "무슨 말씀인지 잘 이해하지 못했어요" after the question.
            return [SlotSet("awaiting_confirmation", True), FollowupAction("action_listen")]
        draft = draft_from(tracker)
        key = f"{tracker.sender_id}:{draft_id}"
        try:
            submission = await asyncio.to_thread(
                services.applications().submit, tracker.sender_id, draft, key
            )
        except Exception:
            logger.exception("Submitting an application failed")
            dispatcher.utter_message(response="utter_submit_failed")
            return []
        if submission.created:
            dispatcher.utter_message(
                response="utter_submitted",
                number_phrase=particle(submission.number, "이에요.", "예요."),
                agencies=agencies_text(submission.routed_to),
            )
            dispatcher.utter_message(response=f"utter_next_step_{next_step(draft)}")
        else:
            dispatcher.utter_message(
                response="utter_already_submitted",
                number_phrase=particle(submission.number, "이에요.", "예요."),
            )
        return reset_application_slots() + [SlotSet("last_application_number", submission.number)]


class ActionCorrectField(Action):
    """Re-asks the field the user wants to fix, then the form (or summary) continues."""

    def name(self) -> str:
        return "action_correct_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        in_form = tracker.active_loop_name == "application_form"
        if not in_form and not tracker.get_slot("awaiting_confirmation"):
            dispatcher.utter_message(response="utter_nothing_to_submit")
            return [SlotSet("field_to_correct", None)]
        field = (
            tracker.get_slot("field_to_correct")
            or field_named_in(tracker.latest_message.get("text", ""))
            or (previous_field(tracker.get_slot("requested_slot")) if in_form else None)
        )
        if field not in FIELD_LABELS:
            dispatcher.utter_message(response="utter_ask_field_to_correct")
            return [SlotSet("field_to_correct", None)]
        dispatcher.utter_message(
            response="utter_correct_field", field_phrase=particle(FIELD_LABELS[field], "을", "를")
        )
        events: list[EventType] = [SlotSet(field, None), SlotSet("field_to_correct", None)]
        events += [SlotSet(dependent, None) for dependent in DEPENDENT_FIELDS.get(field, [])]
        if not in_form:
            events += [SlotSet("awaiting_confirmation", False), FollowupAction("application_form")]
        return events


class ActionCancelApplication(Action):
    """Stops the application and forgets the draft."""

    def name(self) -> str:
        return "action_cancel_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not tracker.get_slot("draft_id") and tracker.active_loop_name is None:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return []
        dispatcher.utter_message(response="utter_cancelled")
        dispatcher.utter_message(json_message=ERASE_CONVERSATION)
        return [ActiveLoop(None)] + reset_application_slots()
