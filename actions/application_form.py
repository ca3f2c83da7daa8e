"""validate_application_form: check every answer, say what was wrong, confirm what was meant."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.asking import QUESTION_ASKS_SLOT, asks_so_far
from actions.fields import DEPENDENT_FIELDS, FORM_SLOTS, field_named_in, required_fields
from ieomoa.answers import InvalidAnswer
from ieomoa.answers.choices import (
    parse_contact_preference,
    parse_disability_types,
    parse_education,
    parse_employment_type,
    parse_jobs,
    parse_name,
    parse_school,
    parse_severity,
    parse_special_education,
    parse_support_needs,
    parse_yes_no,
    school_level_named,
    still_at_school,
)
from ieomoa.answers.dates import parse_birth_date
from ieomoa.answers.interruptions import interrupts
from ieomoa.answers.phone import parse_mobile_phone
from ieomoa.answers.regions import regions
from ieomoa.korean import to_direction

# From this many asks of one question the ask itself explains how to answer (actions/asking.py),
# so the validator's own "what was wrong" message would only repeat it.
WAY_OUT_AFTER_ASKS = 2
SEVERITY_LABELS = {"심한": "심한 장애", "심하지않은": "심하지 않은 장애"}
EDUCATION_LABELS = {
    "초졸이하": "초등학교 졸업 이하", "중졸": "중학교 졸업", "고졸": "고등학교 졸업",
    "전문대졸": "전문대학 졸업", "대졸이상": "대학교 졸업 이상",
}

Slots = dict[str, Any]


def _birth_date(text: str) -> str:
    """Birth date in any common format, 15 or older on today's Korean date; stored as ISO."""
    return parse_birth_date(text).isoformat()


def _region(text: str) -> str:
    """시도 + 시군구 from the official list (loaded on first use)."""
    return regions().normalize(text)


# How each field's answer is read: the normalized value, or InvalidAnswer saying why not.
FIELD_PARSERS: dict[str, Callable[[str], Any]] = {
    "consent_collection": parse_yes_no,  # 개인정보 수집·이용 (required)
    "applicant_name": parse_name,
    "birth_date": _birth_date,
    "phone": parse_mobile_phone,  # digits only
    "region": _region,
    "consent_sensitive": parse_yes_no,  # 민감정보 (required)
    "disability_types": parse_disability_types,  # one or more legal types
    "severity": parse_severity,  # 심한 / 심하지않은; an old grade is mapped
    "education": parse_education,  # highest completed
    "special_education": parse_special_education,  # "네 특수학교 다녀요"
    "school": parse_school,  # free text
    "jobs": parse_jobs,  # free text, one or more
    "employment_type": parse_employment_type,  # 전일제, 시간제, 재택 or 무관
    "support_needs": parse_support_needs,  # 없음 is an empty list
    "contact_preference": parse_contact_preference,  # 메신저, 전화 or 행정복지센터 방문
    "consent_kead": parse_yes_no,  # to 한국장애인고용공단 (required: it runs the service)
    "consent_local_center": parse_yes_no,  # to the local 행정복지센터 (optional)
    "consent_edu_office": parse_yes_no,  # to the 시도교육청 (optional)
}


class ValidateApplicationForm(FormValidationAction):
    """Validation of the application form: each field's parser, and more where a method says so."""

    def name(self) -> str:
        return "validate_application_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The domain's fields that apply now (actions/fields.py, ``required_fields``)."""
        return required_fields(domain_slots, tracker)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answer first: the message fills the open question unless it clearly is something else.

        A button's payload gives its ``answer`` entity; typed text is handed to the field's
        validator whatever intent the NLU predicted, except when the text carries the words
        of an interruption (a question, stopping, a correction of another field, …): then
        nothing is extracted, the form is rejected and the rules for that intent answer.
        """
        requested = tracker.get_slot("requested_slot")
        if requested not in FORM_SLOTS or not _user_answered_open_question(tracker):
            return []
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        intent = (message.get("intent") or {}).get("name")
        if text.startswith("/"):  # a button: only its answer is an answer
            answer = next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == "answer"), None)
            if answer is None:
                return []
            # A button's answer is always text; anything else was made by hand ('{"answer": true}').
            return [SlotSet(requested, answer if isinstance(answer, str) else "")]
        named = field_named_in(text)
        if interrupts(text, intent, other_field_named=named not in (None, requested)):
            return []
        return [SlotSet(requested, text)]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Validate; for "다시 말해 주세요" at an open question, keep the form running.

        Rasa rejects a form whose validation sets no slot, and after that nothing answers a
        request to hear the question again. A slot the form does not fill, set to its own
        value, keeps it running: it asks the open question again (rasa_sdk drops such a slot
        from the extraction, so it is added here).
        """
        events = await super().run(dispatcher, tracker, domain)
        if _asks_to_hear_question_again(tracker):
            events.append(SlotSet(QUESTION_ASKS_SLOT, tracker.get_slot(QUESTION_ASKS_SLOT)))
        return events

    def __getattr__(self, name: str) -> Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Slots]:
        """``validate_<field>`` of every field in FIELD_PARSERS without a method of its own.

        rasa_sdk looks a field's validator up by that name; the methods below do more than parse.
        """
        field = name.removeprefix("validate_")
        if name.startswith("validate_") and field in FIELD_PARSERS:
            return lambda value, dispatcher, tracker, domain: self._check(field, value, dispatcher, tracker)[1]
        raise AttributeError(name)

    def _check(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> tuple[Any, Slots]:
        """Parse an answer with the field's parser; on failure say why (unless the next ask will)."""
        if value is None:
            return None, {}
        if not _is_fresh_answer(slot, tracker):
            # Re-checked at the form's (re)activation: a value this validator already stored.
            return value, {slot: value}
        if not isinstance(value, str):
            value = ""  # answers are typed text; anything else was never typed by anyone
        try:
            parsed = FIELD_PARSERS[slot](value)
        except InvalidAnswer as problem:
            if asks_so_far(tracker, slot) < WAY_OUT_AFTER_ASKS:
                dispatcher.utter_message(response=f"utter_invalid_{problem.reason}", **problem.details)
            return None, {slot: None}
        return parsed, {slot: parsed}

    def validate_region(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """The official name is said back when it differs from what was typed."""
        region, slots = self._check("region", value, dispatcher, tracker)
        if region is not None and _is_fresh_answer("region", tracker) and region != value.strip():
            dispatcher.utter_message(response="utter_confirm_region", region_phrase=to_direction(region))
        return slots

    def validate_disability_types(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """The types are said back in legal words."""
        types, slots = self._check("disability_types", value, dispatcher, tracker)
        if types and _is_fresh_answer("disability_types", tracker):
            dispatcher.utter_message(response="utter_confirm_disability_types", types=", ".join(types))
        return slots

    def validate_severity(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """An old grade ("5급") is said back as the severity it maps to."""
        severity, slots = self._check("severity", value, dispatcher, tracker)
        if severity and _is_fresh_answer("severity", tracker) and "급" in value:
            dispatcher.utter_message(
                response="utter_confirm_severity_from_grade", severity_label=SEVERITY_LABELS[severity]
            )
        return slots

    def validate_education(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """A school still attended is said back as not finished."""
        level, slots = self._check("education", value, dispatcher, tracker)
        if level and _is_fresh_answer("education", tracker) and still_at_school(value) and level != school_level_named(value):
            label = EDUCATION_LABELS[level]
            dispatcher.utter_message(
                response="utter_confirm_education_not_finished",
                education_as=f"'{label}'{to_direction(label)[len(label):]}",
            )
        return slots

    def validate_special_education(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """"No" clears the school and 교육청 consent given earlier."""
        answer, slots = self._check("special_education", value, dispatcher, tracker)
        if answer is False:
            slots.update({dependent: None for dependent in DEPENDENT_FIELDS["special_education"]})
        return slots


def _asks_to_hear_question_again(tracker: Tracker) -> bool:
    """True for typed "다시 말해 주세요" (repeat, with its words) while a question is open."""
    message = tracker.latest_message or {}
    text = (message.get("text") or "").strip()
    intent = (message.get("intent") or {}).get("name")
    return (
        intent == "repeat"
        and tracker.get_slot("requested_slot") in FORM_SLOTS
        and _user_answered_open_question(tracker)
        and not text.startswith("/")
        and interrupts(text, intent)
    )


def _is_fresh_answer(slot: str, tracker: Tracker) -> bool:
    """True for what the user just said to this open question (not a value stored earlier)."""
    return slot == tracker.get_slot("requested_slot") and _user_answered_open_question(tracker)


def _user_answered_open_question(tracker: Tracker) -> bool:
    """True when the latest message came while the form was already waiting for an answer.

    At the form's (re)activation the message was the request to start, and when the form
    comes back after an interruption (an FAQ answer, a correction) it was already handled.
    """
    for event in reversed(list(tracker.events)):
        kind = event.get("event")
        if kind == "user":
            return True
        # Rasa adds the form's own execution to the tracker it sends for validation.
        if kind == "action" and event.get("name") not in ("action_listen", "application_form"):
            return False
        if kind == "active_loop" and event.get("name") == "application_form":
            return False
    return False
