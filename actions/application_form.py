"""validate_application_form: check every answer, say what was wrong, confirm what was meant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.asking import QUESTION_ASKS_SLOT, asks_so_far
from actions.fields import FORM_SLOTS, REQUIRED_CONSENTS, field_named_in
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
from ieomoa.korean_time import today_kst

# From this many asks of one question the ask itself explains how to answer (actions/asking.py),
# so the validator's own "what was wrong" message would only repeat it.
WAY_OUT_AFTER_ASKS = 2
STUDENT_ONLY_SLOTS = ("school", "consent_edu_office")
SEVERITY_LABELS = {"심한": "심한 장애", "심하지않은": "심하지 않은 장애"}
EDUCATION_LABELS = {
    "초졸이하": "초등학교 졸업 이하", "중졸": "중학교 졸업", "고졸": "고등학교 졸업",
    "전문대졸": "전문대학 졸업", "대졸이상": "대학교 졸업 이상",
}

Slots = dict[str, Any]


class ValidateApplicationForm(FormValidationAction):
    """Validation of the application form, one method per field."""

    def name(self) -> str:
        return "validate_application_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The domain's fields; school and 교육청 consent only for special-education students.

        A refused required consent ends the form: nothing more is asked.
        """
        if any(tracker.get_slot(consent) is False for consent in REQUIRED_CONSENTS):
            return []
        if tracker.get_slot("special_education") is True:
            return list(domain_slots)
        return [slot for slot in domain_slots if slot not in STUDENT_ONLY_SLOTS]

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

    def _check(
        self,
        slot: str,
        value: Any,
        parse: Callable[[str], Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> tuple[Any, Slots]:
        """Parse an answer; on failure say why (and offer help after repeated failures)."""
        if value is None:
            return None, {}
        if not _is_fresh_answer(slot, tracker):
            # Re-checked at the form's (re)activation: a value this validator already stored.
            return value, {slot: value}
        if not isinstance(value, str):
            value = ""  # answers are typed text; anything else was never typed by anyone
        try:
            parsed = parse(value)
        except InvalidAnswer as problem:
            if asks_so_far(tracker, slot) < WAY_OUT_AFTER_ASKS:
                dispatcher.utter_message(response=f"utter_invalid_{problem.reason}", **problem.details)
            return None, {slot: None}
        return parsed, {slot: parsed}

    def validate_consent_collection(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """개인정보 수집·이용 동의 (required)."""
        return self._check("consent_collection", value, parse_yes_no, dispatcher, tracker)[1]

    def validate_consent_sensitive(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """민감정보 처리 동의 (required)."""
        return self._check("consent_sensitive", value, parse_yes_no, dispatcher, tracker)[1]

    def validate_consent_kead(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Provision to 한국장애인고용공단 (required: it runs the service)."""
        return self._check("consent_kead", value, parse_yes_no, dispatcher, tracker)[1]

    def validate_consent_local_center(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Provision to the local 행정복지센터 (optional)."""
        return self._check("consent_local_center", value, parse_yes_no, dispatcher, tracker)[1]

    def validate_consent_edu_office(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Provision to the 시도교육청 (optional)."""
        return self._check("consent_edu_office", value, parse_yes_no, dispatcher, tracker)[1]

    def validate_applicant_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """The applicant's name."""
        return self._check("applicant_name", value, parse_name, dispatcher, tracker)[1]

    def validate_birth_date(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Birth date in any common format; 15 or older. Stored as ISO."""
        born, slots = self._check(
            "birth_date", value, lambda text: parse_birth_date(text, today_kst()), dispatcher, tracker
        )
        if isinstance(born, date):
            slots["birth_date"] = born.isoformat()
        return slots

    def validate_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Mobile number, digits only."""
        return self._check("phone", value, parse_mobile_phone, dispatcher, tracker)[1]

    def validate_region(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """시도 + 시군구 from the official list; the official name is said back."""
        region, slots = self._check("region", value, regions().normalize, dispatcher, tracker)
        if region is not None and _is_fresh_answer("region", tracker) and region != value.strip():
            dispatcher.utter_message(response="utter_confirm_region", region_phrase=to_direction(region))
        return slots

    def validate_disability_types(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """One or more legal types, said back in legal words."""
        types, slots = self._check("disability_types", value, parse_disability_types, dispatcher, tracker)
        if types and _is_fresh_answer("disability_types", tracker):
            dispatcher.utter_message(response="utter_confirm_disability_types", types=", ".join(types))
        return slots

    def validate_severity(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """심한 / 심하지않은; an old grade is mapped and said back."""
        severity, slots = self._check("severity", value, parse_severity, dispatcher, tracker)
        if severity and _is_fresh_answer("severity", tracker) and "급" in value:
            dispatcher.utter_message(
                response="utter_confirm_severity_from_grade", severity_label=SEVERITY_LABELS[severity]
            )
        return slots

    def validate_education(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Highest education completed; a school still attended is said back as not finished."""
        level, slots = self._check("education", value, parse_education, dispatcher, tracker)
        if level and _is_fresh_answer("education", tracker) and still_at_school(value) and level != school_level_named(value):
            label = EDUCATION_LABELS[level]
            dispatcher.utter_message(
                response="utter_confirm_education_not_finished",
                education_as=f"'{label}'{to_direction(label)[len(label):]}",
            )
        return slots

    def validate_special_education(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Special-education student or not ("네 특수학교 다녀요"); "no" clears a school given earlier."""
        answer, slots = self._check("special_education", value, parse_special_education, dispatcher, tracker)
        if answer is False:
            slots.update({"school": None, "consent_edu_office": None})
        return slots

    def validate_school(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """School name (free text)."""
        return self._check("school", value, parse_school, dispatcher, tracker)[1]

    def validate_jobs(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Desired jobs (free text, one or more)."""
        return self._check("jobs", value, parse_jobs, dispatcher, tracker)[1]

    def validate_employment_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """전일제, 시간제, 재택 or 무관."""
        return self._check("employment_type", value, parse_employment_type, dispatcher, tracker)[1]

    def validate_support_needs(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Support needs; 없음 is an empty list."""
        return self._check("support_needs", value, parse_support_needs, dispatcher, tracker)[1]

    def validate_contact_preference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """메신저, 전화 or 행정복지센터 방문."""
        return self._check("contact_preference", value, parse_contact_preference, dispatcher, tracker)[1]


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
