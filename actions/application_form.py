"""validate_application_form: check every answer, say what was wrong, confirm what was meant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fields import REQUIRED_CONSENTS
from ieomoa.answers import InvalidAnswer
from ieomoa.answers.choices import (
    parse_contact_preference,
    parse_disability_types,
    parse_education,
    parse_employment_type,
    parse_free_text,
    parse_jobs,
    parse_name,
    parse_severity,
    parse_support_needs,
    parse_yes_no,
)
from ieomoa.answers.dates import parse_birth_date
from ieomoa.answers.phone import parse_mobile_phone
from ieomoa.answers.regions import regions
from ieomoa.korean import to_direction

FAILURES_BEFORE_HELP = 2
STUDENT_ONLY_SLOTS = ("school", "consent_edu_office")
SEVERITY_LABELS = {"심한": "심한 장애", "심하지않은": "심하지 않은 장애"}

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

    def _check(
        self,
        slot: str,
        value: Any,
        parse: Callable[[str], Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> tuple[Any, Slots]:
        """Parse an answer; on failure say why (and offer help after repeated failures)."""
        if isinstance(value, (bool, list)):
            # Already validated: the form re-checks filled slots when it is re-activated.
            return value, {slot: value}
        try:
            parsed = parse(str(value))
        except InvalidAnswer as problem:
            dispatcher.utter_message(response=f"utter_invalid_{problem.reason}", **problem.details)
            previous = tracker.get_slot("failed_attempts") or {}
            count = previous.get("count", 0) + 1 if previous.get("slot") == slot else 1
            if count >= FAILURES_BEFORE_HELP:
                dispatcher.utter_message(response="utter_offer_help")
            return None, {slot: None, "failed_attempts": {"slot": slot, "count": count}}
        return parsed, {slot: parsed, "failed_attempts": None}

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
            "birth_date", value, lambda text: parse_birth_date(text, date.today()), dispatcher, tracker
        )
        if born is not None:
            slots["birth_date"] = born.isoformat()
        return slots

    def validate_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Mobile number, digits only."""
        return self._check("phone", value, parse_mobile_phone, dispatcher, tracker)[1]

    def validate_region(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """시도 + 시군구 from the official list; the official name is said back."""
        region, slots = self._check("region", value, regions().normalize, dispatcher, tracker)
        if region is not None and region != str(value).strip():
            dispatcher.utter_message(response="utter_confirm_region", region_phrase=to_direction(region))
        return slots

    def validate_disability_types(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """One or more legal types, said back in legal words."""
        types, slots = self._check("disability_types", value, parse_disability_types, dispatcher, tracker)
        if types and not isinstance(value, list):
            dispatcher.utter_message(response="utter_confirm_disability_types", types=", ".join(types))
        return slots

    def validate_severity(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """심한 / 심하지않은; an old grade is mapped and said back."""
        severity, slots = self._check("severity", value, parse_severity, dispatcher, tracker)
        if severity and "급" in str(value):
            dispatcher.utter_message(
                response="utter_confirm_severity_from_grade", severity_label=SEVERITY_LABELS[severity]
            )
        return slots

    def validate_education(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Highest education completed."""
        return self._check("education", value, parse_education, dispatcher, tracker)[1]

    def validate_special_education(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """Special-education student or not; "no" clears a school given earlier."""
        answer, slots = self._check("special_education", value, parse_yes_no, dispatcher, tracker)
        if answer is False:
            slots.update({"school": None, "consent_edu_office": None})
        return slots

    def validate_school(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """School name (free text)."""
        return self._check("school", value, lambda t: parse_free_text(t, max_length=60), dispatcher, tracker)[1]

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
