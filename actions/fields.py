"""The application form's fields: order, labels, which apply now, and how a correction names them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rasa_sdk import Tracker

# Fields a user can ask to correct, in form order, with the words they use for them.
FIELD_LABELS: dict[str, str] = {
    "applicant_name": "이름",
    "birth_date": "생년월일",
    "phone": "휴대전화 번호",
    "region": "사는 곳",
    "disability_types": "장애 유형",
    "severity": "장애 정도",
    "education": "학력",
    "special_education": "특수교육대상 여부",
    "school": "학교 이름",
    "jobs": "희망 직업",
    "employment_type": "근무 형태",
    "support_needs": "필요한 지원",
    "contact_preference": "상담 방법",
}

FIELD_KEYWORDS: list[tuple[str, str]] = [
    ("birth_date", r"생년월일|생일|태어난|나이"),
    ("phone", r"전화|번호|연락처|휴대폰|핸드폰"),
    ("region", r"주소|지역|사는\s*곳|사는\s*데|동네|거주"),
    ("disability_types", r"장애\s*유형|장애\s*종류|유형"),
    ("severity", r"장애\s*정도|정도|급수|등급"),
    ("applicant_name", r"이름|성함"),
    ("special_education", r"특수\s*교육"),
    ("school", r"학교\s*이름"),
    ("education", r"학력|졸업|학교"),
    ("jobs", r"직업|하고\s*싶은\s*일|희망|일자리"),
    ("employment_type", r"근무\s*형태|전일제|시간제|재택"),
    ("support_needs", r"필요한\s*지원|지원"),
    ("contact_preference", r"상담\s*방법|연락\s*방법|연락받|상담받"),
]

# Answers that only make sense together with another one.
DEPENDENT_FIELDS: dict[str, list[str]] = {
    "special_education": ["school", "consent_edu_office"],
}
# Asked only of special-education students; each goes with the question before it ("10/16."
# is also the school, "16/16." also the 교육청), so everyone's progress counts to the same total.
STUDENT_ONLY_SLOTS = DEPENDENT_FIELDS["special_education"]

FORM_SLOTS = [
    "consent_collection", "applicant_name", "birth_date", "phone", "region",
    "consent_sensitive", "disability_types", "severity", "education", "special_education",
    "school", "jobs", "employment_type", "support_needs", "contact_preference",
    "consent_kead", "consent_local_center", "consent_edu_office",
]
REQUIRED_CONSENTS = {
    "consent_collection": "utter_consent_refused_collection",
    "consent_sensitive": "utter_consent_refused_sensitive",
    "consent_kead": "utter_consent_refused_kead",
}


def required_fields(form_slots: Sequence[str], tracker: Tracker) -> list[str]:
    """The form's fields that apply now: the school questions only for special-education students.

    A refused required consent ends the form: nothing more is asked.
    """
    if any(tracker.get_slot(consent) is False for consent in REQUIRED_CONSENTS):
        return []
    if tracker.get_slot("special_education") is True:
        return list(form_slots)
    return [slot for slot in form_slots if slot not in STUDENT_ONLY_SLOTS]


def progress(slot: str, required: Sequence[str]) -> str:
    """"3/16": the question's number among the fields that apply now, and how many are numbered."""
    numbered = [field for field in required if field not in STUDENT_ONLY_SLOTS]
    asked_so_far = FORM_SLOTS[: FORM_SLOTS.index(slot) + 1]
    number = sum(1 for field in numbered if field in asked_so_far)
    return f"{max(number, 1)}/{len(numbered)}"


def field_named_in(text: str) -> str | None:
    """The field a correction like "주소 잘못 말했어요" is about, if it names one."""
    for field, pattern in FIELD_KEYWORDS:
        if re.search(pattern, text or ""):
            return field
    return None


def previous_field(requested_slot: str | None) -> str | None:
    """The correctable field asked just before ``requested_slot``."""
    if requested_slot not in FORM_SLOTS:
        return None
    earlier = FORM_SLOTS[: FORM_SLOTS.index(requested_slot)]
    for slot in reversed(earlier):
        if slot in FIELD_LABELS:
            return slot
    return None
