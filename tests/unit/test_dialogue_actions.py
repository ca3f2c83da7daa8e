"""The dialogue's custom actions, run directly as RasaHQ's demo bots test theirs.

Each test builds a rasa_sdk ``Tracker`` the way the Rasa server sends it (the form active,
the open question in ``requested_slot``, the latest user message with its intent and
entities), runs an action with a ``CollectingDispatcher`` and checks the returned events
and the responses sent. No Rasa server, model or database is needed.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.application_flow import (
    ActionAfterApplicationForm,
    ActionCancelApplication,
    ActionCorrectField,
    ActionStartApplication,
    ActionSubmitApplication,
)
from actions.application_form import FIELD_PARSERS, ValidateApplicationForm
from actions.asking import ASK_ACTIONS
from actions.fields import FORM_SLOTS, progress

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "nlu" / "domain"
SENDER = "tg-1001"
FORM = "application_form"

# A complete, valid set of answers as the validator stores them.
ANSWERS: dict[str, Any] = {
    "consent_collection": True,
    "applicant_name": "김하나",
    "birth_date": "1995-07-01",
    "phone": "01022223333",
    "region": "서울특별시 강남구",
    "consent_sensitive": True,
    "disability_types": ["지적"],
    "severity": "심한",
    "education": "고졸",
    "special_education": False,
    "school": None,
    "jobs": ["바리스타"],
    "employment_type": "시간제",
    "support_needs": ["지원고용"],
    "contact_preference": "메신저",
    "consent_kead": True,
    "consent_local_center": True,
    "consent_edu_office": None,
}
STUDENT_ANSWERS = {**ANSWERS, "special_education": True, "school": "한빛학교", "consent_edu_office": True}


# --- domain ------------------------------------------------------------------------------


@cache
def domain() -> dict[str, Any]:
    """The bot's domain as the action server receives it: nlu/domain/*.yml merged."""
    merged: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "actions": []}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("slots", "forms", "responses"):
            merged[key].update(part.get(key) or {})
        merged["actions"] += part.get("actions") or []
    return merged


def assert_renderable(dispatcher: CollectingDispatcher) -> None:
    """Every response sent exists and gets every {placeholder} it needs (kwarg or slot)."""
    responses, slots = domain()["responses"], domain()["slots"]
    for message in dispatcher.messages:
        name = message.get("response")
        if not name:
            continue
        assert name in responses, f"{name} is not in the domain"
        for variation in responses[name]:
            for placeholder in re.findall(r"{(\w+)}", variation.get("text") or ""):
                assert placeholder in message or placeholder in slots, f"{name} needs {{{placeholder}}}"


# --- trackers ------------------------------------------------------------------------------


def listen() -> dict[str, Any]:
    return {"event": "action", "name": "action_listen"}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def parse_data(text: str, intent: str, entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.93},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": 0.93}],
    }


def user(text: str, intent: str, entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": parse_data(text, intent, entities), "input_channel": "telegram"}


def button(payload: str) -> tuple[str, str, list[dict[str, Any]]]:
    """(text, intent, entities) as Rasa's RegexMessageHandler reads a button payload."""
    match = re.fullmatch(r"/(\w+)(\{.*\})?", payload)
    assert match, payload
    entities = []
    if match[2]:
        for name, value in json.loads(match[2]).items():
            for one in value if isinstance(value, list) else [value]:
                entities.append({"entity": name, "value": one, "extractor": "RegexMessageHandler"})
    return payload, match[1], entities


def answers_before(requested: str, student: bool = False) -> dict[str, Any]:
    """The answers given to the questions before ``requested`` (form order)."""
    source = STUDENT_ANSWERS if student else ANSWERS
    return {name: source[name] for name in FORM_SLOTS[: FORM_SLOTS.index(requested)]}


def at_question(
    requested: str,
    text: str,
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    *,
    asks: int = 1,
    student: bool = False,
    slots: dict[str, Any] | None = None,
    after: list[dict[str, Any]] | None = None,
) -> Tracker:
    """The form waiting at ``requested`` (asked ``asks`` times in a row) and the user's reply.

    ``after``: events Rasa logged after the user message (an interruption's action, …).
    """
    asked = {"slot": requested, "count": asks}
    values = {
        **answers_before(requested, student),
        "easy_read": False,
        "draft_id": "draft-1",
        "awaiting_confirmation": False,
        "requested_slot": requested,
        "question_asks": asked,
        **(slots or {}),
    }
    events = [
        listen(),
        user("구직 신청할래요", "apply"),
        action("action_start_application"),
        slot("draft_id", "draft-1"),
        action(FORM),
        {"event": "active_loop", "name": FORM},
        *[slot(name, value) for name, value in answers_before(requested, student).items()],
        slot("requested_slot", requested),
        {"event": "bot", "text": f"({requested} 질문)"},
        slot("question_asks", asked),
        listen(),
        user(text, intent, entities),
        *(after or []),
    ]
    last_action = next((e["name"] for e in reversed(events) if e["event"] == "action"), None)
    return Tracker(
        SENDER, values, parse_data(text, intent, entities), events, False, None,
        {"name": FORM, "is_interrupted": False, "rejected": False}, last_action,
    )


def as_sent_by_rasa_form(tracker: Tracker) -> Tracker:
    """What Rasa 3.6's FormAction sends validate_application_form.

    ``FormAction._temporary_tracker`` appends ``SlotSet(requested_slot, …)`` and
    ``ActionExecuted(application_form)`` to the conversation before calling the validator.
    """
    tracker.events += [slot("requested_slot", tracker.get_slot("requested_slot")), action(FORM)]
    tracker.latest_action_name = FORM
    return tracker


def outside_form(text: str, intent: str, slots: dict[str, Any] | None = None, entities=None) -> Tracker:
    """No form active (e.g. at the summary), the user just said ``text``."""
    events = [listen(), user(text, intent, entities)]
    return Tracker(SENDER, dict(slots or {}), parse_data(text, intent, entities), events, False, None, {}, "action_listen")


# --- running actions -----------------------------------------------------------------------


async def run(action_instance: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await action_instance.run(dispatcher, tracker, domain())
    assert_renderable(dispatcher)
    return events, dispatcher


async def validate(tracker: Tracker) -> tuple[dict[str, Any], list[str], CollectingDispatcher]:
    """Run validate_application_form: (slots set except requested_slot, responses, dispatcher)."""
    events, dispatcher = await run(ValidateApplicationForm(), tracker)
    answers = {e["name"]: e["value"] for e in events if e["event"] == "slot" and e["name"] != "requested_slot"}
    return answers, responses(dispatcher), dispatcher


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


def message(dispatcher: CollectingDispatcher, response: str) -> dict[str, Any]:
    return next(m for m in dispatcher.messages if m.get("response") == response)


def requested_next(events: list[dict[str, Any]]) -> Any:
    sets = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "requested_slot"]
    return sets[-1] if sets else "(unchanged)"


# === answers in sentences, whatever the NLU predicted ======================================


async def test_special_school_sentence_predicted_as_faq_answers_special_education() -> None:
    slots, said, _ = await validate(at_question("special_education", "네 특수학교 다녀요", "faq"))
    assert slots == {"special_education": True}
    assert not any(r.startswith("utter_invalid") for r in said)


async def test_a_city_without_its_district_asks_for_the_district() -> None:
    slots, said, dispatcher = await validate(at_question("region", "서울 사는데요"))
    assert slots == {"region": None}
    assert said == ["utter_invalid_region_need_sigungu"]
    assert message(dispatcher, "utter_invalid_region_need_sigungu")["sido"] == "서울특별시"


async def test_the_region_question_stays_open_after_a_city_without_district() -> None:
    events, _ = await run(ValidateApplicationForm(), at_question("region", "서울 사는데요"))
    assert requested_next(events) == "region"


async def test_disability_sentence_predicted_as_faq_gives_the_legal_type_and_says_it_back() -> None:
    slots, said, dispatcher = await validate(at_question("disability_types", "지적장애예요", "faq"))
    assert slots == {"disability_types": ["지적"]}
    assert said == ["utter_confirm_disability_types"]
    assert message(dispatcher, "utter_confirm_disability_types")["types"] == "지적"


async def test_incheon_yeongjong_gu_is_the_new_official_district() -> None:
    slots, said, _ = await validate(at_question("region", "인천 영종구에 살아요"))
    assert slots == {"region": "인천광역시 영종구"}
    assert said == ["utter_confirm_region"]


async def test_incheon_jung_gu_is_refused_as_abolished() -> None:
    slots, said, dispatcher = await validate(at_question("region", "인천 중구"))
    assert slots == {"region": None}
    assert said == ["utter_invalid_region_abolished"]
    assert "영종구" in message(dispatcher, "utter_invalid_region_abolished")["candidates_to"]


async def test_a_valid_answer_moves_the_form_to_the_next_question() -> None:
    events, _ = await run(ValidateApplicationForm(), at_question("region", "서울 강남구"))
    assert SlotSet("region", "서울특별시 강남구") in events
    assert requested_next(events) == "consent_sensitive"


# === interruptions: nothing extracted, so Rasa rejects the form and the rule answers ======


@pytest.mark.parametrize(
    ("requested", "text", "intent"),
    [
        ("special_education", "특수교육대상이 뭐예요?", "faq"),
        ("consent_sensitive", "아니요, 그만할래요", "cancel"),
        ("region", "전화번호 잘못 적었어요", "correct"),
        ("region", "상담사랑 얘기할래요", "human_handoff"),
        ("region", "쉬운 말로 해 주세요", "easy_read_on"),
    ],
    ids=["faq-question", "cancel-at-yes-no", "correct-other-field", "human-handoff", "easy-read-on"],
)
async def test_an_interruption_sets_no_slot(requested: str, text: str, intent: str) -> None:
    events, dispatcher = await run(ValidateApplicationForm(), at_question(requested, text, intent))
    assert [e for e in events if e["event"] == "slot" and e["name"] != "requested_slot"] == []
    assert requested_next(events) in (requested, "(unchanged)")
    assert dispatcher.messages == []


async def test_an_interruption_extracts_nothing() -> None:
    tracker = at_question("consent_sensitive", "아니요, 그만할래요", "cancel")
    extracted = await ValidateApplicationForm().get_extraction_events(CollectingDispatcher(), tracker, domain())
    assert extracted == []


async def test_asking_to_hear_the_question_again_keeps_the_form_running() -> None:
    """Rasa rejects a form whose validation sets no slot; then only the core fallback answers."""
    tracker = as_sent_by_rasa_form(at_question("applicant_name", "다시 말해 주세요", "repeat", asks=1))
    events, dispatcher = await run(ValidateApplicationForm(), tracker)
    filled = [e for e in events if e["event"] == "slot" and e["name"] not in ("requested_slot", "question_asks")]
    assert filled == []  # nothing taken as the name
    assert any(e["event"] == "slot" and e["name"] == "question_asks" for e in events)  # not rejected
    assert dispatcher.messages == []


async def test_repeat_without_its_words_is_still_read_as_the_answer() -> None:
    slots, _, _ = await validate(as_sent_by_rasa_form(at_question("applicant_name", "김다시", "repeat")))
    assert slots.get("applicant_name") == "김다시"
    assert "question_asks" not in slots


async def test_an_intent_without_its_cue_words_is_still_read_as_the_answer() -> None:
    # The NLU said "cancel", but "아니요" alone is just the answer to a yes/no question.
    slots, _, _ = await validate(at_question("consent_local_center", "아니요", "cancel"))
    assert slots == {"consent_local_center": False}


# === buttons ============================================================================


async def test_yes_button_at_consent_collection_gives_true() -> None:
    slots, said, _ = await validate(at_question("consent_collection", *button('/inform{"answer": "네"}')))
    assert slots == {"consent_collection": True}
    assert said == []


async def test_a_button_of_another_intent_extracts_nothing() -> None:
    slots, said, _ = await validate(at_question("consent_collection", *button("/voice_on")))
    assert slots == {} and said == []


async def test_a_button_answer_is_taken_as_is_even_if_the_text_looks_like_a_question() -> None:
    slots, _, _ = await validate(at_question("severity", *button('/inform{"answer": "심하지 않은"}')))
    assert slots == {"severity": "심하지않은"}


# === when the latest message is not an answer to the open question ========================


def just_activated(sent_by_rasa: bool, start_action: bool = True) -> Tracker:
    """The start request "네, 구직 신청할게요" (a yes, if it were read) just activated the form.

    ``start_action``: action_start_application ran before the form (the "apply" rule);
    without it the policy activated the form directly after the message.
    """
    events = [listen(), user("네, 구직 신청할게요", "apply")]
    if start_action:
        events += [action("action_start_application"), slot("draft_id", "draft-1")]
    events += [action(FORM), {"event": "active_loop", "name": FORM}]
    if sent_by_rasa:
        events += [slot("requested_slot", "consent_collection"), action(FORM)]
    values = {"requested_slot": "consent_collection", "draft_id": "draft-1"}
    return Tracker(
        SENDER, values, parse_data("네, 구직 신청할게요", "apply"), events, False, None, {"name": FORM},
        FORM if sent_by_rasa or not start_action else "action_start_application",
    )


@pytest.mark.parametrize(
    ("sent_by_rasa", "start_action"),
    [(False, True), (True, True), (True, False)],
    ids=["events-end-at-activation", "as-rasa-sends-it", "activated-directly-by-the-policy"],
)
async def test_the_start_request_is_not_read_as_the_first_answer(sent_by_rasa: bool, start_action: bool) -> None:
    slots, said, _ = await validate(just_activated(sent_by_rasa, start_action))
    assert slots == {} and said == []


@pytest.mark.parametrize("sent_by_rasa", [False, True], ids=["events-end-at-interruption", "as-rasa-sends-it"])
async def test_the_message_already_handled_by_an_interruption_is_not_read_again(sent_by_rasa: bool) -> None:
    # "서울 강남구" would be a valid region: only the FAQ answer after it keeps it out.
    tracker = at_question(
        "region", "서울 강남구", "faq",
        after=[action("utter_faq"), {"event": "bot", "text": "(FAQ 답)"}],
    )
    if sent_by_rasa:
        tracker = as_sent_by_rasa_form(tracker)
    slots, said, _ = await validate(tracker)
    assert slots == {} and said == []


@pytest.mark.parametrize(
    ("requested", "reply", "expected"),
    [
        ("region", ("서울 강남구", "inform", []), "서울특별시 강남구"),
        ("consent_collection", button('/inform{"answer": "네"}'), True),
    ],
    ids=["typed", "button"],
)
async def test_an_answer_is_read_from_the_tracker_rasa_sends(requested: str, reply: tuple, expected: Any) -> None:
    slots, _, _ = await validate(as_sent_by_rasa_form(at_question(requested, *reply)))
    assert slots == {requested: expected}


# === values that are not text never pass as answers ========================================


async def test_a_true_button_value_does_not_become_the_name_true() -> None:
    slots, _, _ = await validate(at_question("applicant_name", *button('/inform{"answer": true}')))
    assert slots.get("applicant_name") != "True"


@pytest.mark.parametrize("value", [True, ["김하나"], 3], ids=["bool", "list", "int"])
async def test_a_non_string_name_is_refused(value: Any) -> None:
    tracker = at_question("applicant_name", "김하나")
    dispatcher = CollectingDispatcher()
    result = ValidateApplicationForm().validate_applicant_name(value, dispatcher, tracker, domain())
    assert result == {"applicant_name": None}
    assert responses(dispatcher) == ["utter_invalid_name_format"]


def test_every_field_has_a_parser_and_a_validator_rasa_sdk_finds() -> None:
    form = ValidateApplicationForm()
    assert list(FIELD_PARSERS) == FORM_SLOTS
    assert all(callable(getattr(form, f"validate_{field}", None)) for field in FORM_SLOTS)
    assert getattr(form, "validate_caregiver_code", None) is None


async def test_a_non_string_region_is_refused_without_crashing() -> None:
    tracker = at_question("region", "서울 강남구")
    result = ValidateApplicationForm().validate_region(["서울특별시 강남구"], CollectingDispatcher(), tracker, domain())
    assert result == {"region": None}


# === birth date and phone =================================================================


async def test_a_birth_date_in_the_future_is_refused() -> None:
    next_year = date.today().year + 1
    slots, said, _ = await validate(at_question("birth_date", f"{next_year}년 3월 5일"))
    assert slots == {"birth_date": None}
    assert said == ["utter_invalid_birth_date_future"]


async def test_a_birth_date_under_15_is_refused() -> None:
    ten_years_ago = date.today().year - 10
    slots, said, _ = await validate(at_question("birth_date", f"{ten_years_ago}년 1월 1일"))
    assert slots == {"birth_date": None}
    assert said == ["utter_invalid_birth_date_too_young"]


async def test_a_birth_date_is_stored_as_iso() -> None:
    slots, _, _ = await validate(at_question("birth_date", "1990년 3월 5일에 태어났어요"))
    assert slots == {"birth_date": "1990-03-05"}


async def test_a_phone_number_is_kept_as_digits() -> None:
    slots, said, _ = await validate(at_question("phone", "010-2345-6789"))
    assert slots == {"phone": "01023456789"}
    assert said == []


async def test_a_phone_number_in_a_sentence_is_kept_as_digits() -> None:
    slots, _, _ = await validate(at_question("phone", "제 번호는 010-2345-6789예요"))
    assert slots == {"phone": "01023456789"}


# === asking the same question again: the way out ==========================================


async def ask(slot_name: str, question_asks: Any) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    tracker = at_question(slot_name, "(이전 답)", slots={"question_asks": question_asks})
    return await run(ASK_ACTIONS[slot_name](), tracker)


async def test_the_first_ask_is_only_the_question() -> None:
    events, dispatcher = await ask("region", None)
    assert responses(dispatcher) == ["utter_ask_region"]
    assert events == [SlotSet("question_asks", {"slot": "region", "count": 1})]


async def test_the_second_ask_is_only_the_question() -> None:
    events, dispatcher = await ask("region", {"slot": "region", "count": 1})
    assert responses(dispatcher) == ["utter_ask_region"]
    assert events == [SlotSet("question_asks", {"slot": "region", "count": 2})]


async def test_the_third_ask_says_how_to_answer_first() -> None:
    events, dispatcher = await ask("region", {"slot": "region", "count": 2})
    assert responses(dispatcher) == ["utter_way_out_region", "utter_ask_region"]
    assert message(dispatcher, "utter_way_out_region")["times"] == "세 번째"
    assert events == [SlotSet("question_asks", {"slot": "region", "count": 3})]


async def test_the_tenth_ask_counts_in_words() -> None:
    _, dispatcher = await ask("consent_collection", {"slot": "consent_collection", "count": 9})
    assert responses(dispatcher) == ["utter_way_out_yes_no", "utter_ask_consent_collection"]
    assert message(dispatcher, "utter_way_out_yes_no")["times"] == "열 번째"


async def test_asking_another_question_counts_from_one_again() -> None:
    events, dispatcher = await ask("region", {"slot": "phone", "count": 5})
    assert responses(dispatcher) == ["utter_ask_region"]
    assert events == [SlotSet("question_asks", {"slot": "region", "count": 1})]


@pytest.mark.parametrize("slot_name", FORM_SLOTS)
async def test_every_question_has_an_ask_action_and_a_way_out(slot_name: str) -> None:
    assert f"action_ask_{slot_name}" in domain()["actions"]
    _, dispatcher = await ask(slot_name, {"slot": slot_name, "count": 2})  # renderable is checked in run()
    assert responses(dispatcher)[0].startswith("utter_way_out_")
    assert responses(dispatcher)[1] == f"utter_ask_{slot_name}"


# The numbers the questions showed when they were written into the domain's texts.
PROGRESS_OF_STUDENTS = {
    "consent_collection": "1/16", "applicant_name": "2/16", "birth_date": "3/16", "phone": "4/16",
    "region": "5/16", "consent_sensitive": "6/16", "disability_types": "7/16", "severity": "8/16",
    "education": "9/16", "special_education": "10/16", "school": "10/16", "jobs": "11/16",
    "employment_type": "12/16", "support_needs": "13/16", "contact_preference": "14/16",
    "consent_kead": "15/16", "consent_local_center": "16/16", "consent_edu_office": "16/16",
}


@pytest.mark.parametrize("slot_name", FORM_SLOTS)
async def test_every_question_says_where_it_is_in_the_form(slot_name: str) -> None:
    tracker = at_question(slot_name, "(이전 답)", student=True, slots={"question_asks": None})
    _, dispatcher = await run(ASK_ACTIONS[slot_name](), tracker)
    assert message(dispatcher, f"utter_ask_{slot_name}")["progress"] == PROGRESS_OF_STUDENTS[slot_name]


async def test_a_question_only_students_get_keeps_everyones_total() -> None:
    _, dispatcher = await run(ASK_ACTIONS["jobs"](), at_question("jobs", "(이전 답)", student=False))
    assert message(dispatcher, "utter_ask_jobs")["progress"] == "11/16"


def test_the_total_is_what_is_asked_now() -> None:
    without_sensitive = [slot for slot in FORM_SLOTS if slot not in ("consent_sensitive", "school")]
    assert progress("consent_collection", without_sensitive) == "1/15"
    assert progress("disability_types", without_sensitive) == "6/15"
    assert progress("consent_local_center", without_sensitive) == "15/15"


async def test_after_the_first_ask_a_wrong_answer_says_what_was_wrong() -> None:
    slots, said, _ = await validate(at_question("phone", "몰라요", asks=1))
    assert slots == {"phone": None}
    assert said == ["utter_invalid_phone_format"]


async def test_from_the_third_ask_on_a_wrong_answer_is_refused_quietly() -> None:
    # The next ask (the third) starts with utter_way_out_phone; no second explanation.
    slots, said, _ = await validate(at_question("phone", "몰라요", asks=2))
    assert slots == {"phone": None}
    assert said == []


async def test_asks_of_another_question_do_not_silence_the_explanation() -> None:
    tracker = at_question("phone", "몰라요", slots={"question_asks": {"slot": "birth_date", "count": 4}})
    _, said, _ = await validate(tracker)
    assert said == ["utter_invalid_phone_format"]


# === which questions are asked ============================================================


async def required(slots: dict[str, Any]) -> list[str]:
    form = ValidateApplicationForm()
    tracker = at_question("jobs", "바리스타", slots=slots)
    return await form.required_slots(form.domain_slots(domain()), CollectingDispatcher(), tracker, domain())


async def test_the_form_asks_every_field_of_the_domain() -> None:
    assert ValidateApplicationForm().domain_slots(domain()) == FORM_SLOTS


async def test_school_questions_are_asked_only_of_special_education_students() -> None:
    assert await required({"special_education": True}) == FORM_SLOTS
    not_student = await required({"special_education": False})
    assert "school" not in not_student and "consent_edu_office" not in not_student
    assert await required({"special_education": None}) == not_student


@pytest.mark.parametrize("consent", ["consent_collection", "consent_sensitive", "consent_kead"])
async def test_a_refused_required_consent_ends_the_form(consent: str) -> None:
    assert await required({consent: False}) == []


async def test_refusing_the_local_center_does_not_end_the_form() -> None:
    assert "contact_preference" in await required({"consent_local_center": False})


async def test_saying_no_to_collection_stops_the_form_at_once() -> None:
    events, _ = await run(ValidateApplicationForm(), at_question("consent_collection", "아니요"))
    assert SlotSet("consent_collection", False) in events
    assert requested_next(events) is None


async def test_saying_not_a_student_clears_the_school_given_earlier() -> None:
    tracker = at_question("special_education", "아니요", slots={"school": "한빛학교", "consent_edu_office": True})
    slots, _, _ = await validate(tracker)
    assert slots == {"special_education": False, "school": None, "consent_edu_office": None}


async def test_reactivating_the_form_keeps_the_answers_already_given() -> None:
    # "주소 잘못 말했어요" at the summary: region cleared, FollowupAction(application_form).
    # Rasa's FormAction.activate sends the prefilled answers to the validator.
    prefilled = {name: value for name, value in ANSWERS.items() if value is not None and name != "region"}
    events = [
        listen(),
        user("주소 잘못 말했어요", "correct"),
        action("action_correct_field"),
        slot("region", None),
        action(FORM),
        {"event": "active_loop", "name": FORM},
        slot("requested_slot", None),
        action(FORM),
        *[slot(name, value) for name, value in prefilled.items()],
    ]
    tracker = Tracker(
        SENDER, {**prefilled, "requested_slot": None}, parse_data("주소 잘못 말했어요", "correct"),
        events, False, None, {"name": FORM}, FORM,
    )
    slots, said, _ = await validate(tracker)
    assert said == []
    assert {name: value for name, value in slots.items() if value != prefilled.get(name)} == {}


# === starting, summary, correcting, submitting, cancelling ================================


async def test_starting_opens_a_new_draft() -> None:
    events, dispatcher = await run(ActionStartApplication(), outside_form("구직 신청할래요", "apply"))
    assert responses(dispatcher) == ["utter_application_intro"]
    draft = next(e["value"] for e in events if e["name"] == "draft_id")
    assert draft and SlotSet("awaiting_confirmation", False) in events


async def test_starting_again_continues_the_draft() -> None:
    tracker = outside_form("구직 신청할래요", "apply", {"draft_id": "draft-1"})
    events, dispatcher = await run(ActionStartApplication(), tracker)
    assert responses(dispatcher) == ["utter_application_resume"]
    assert not any(e["name"] == "draft_id" for e in events)


async def test_after_the_form_the_summary_waits_for_confirmation() -> None:
    tracker = outside_form("메신저", "inform", {**ANSWERS, "draft_id": "draft-1"})
    events, dispatcher = await run(ActionAfterApplicationForm(), tracker)
    assert responses(dispatcher) == ["utter_summary", "utter_summary_buttons"]
    summary = message(dispatcher, "utter_summary")["summary"]
    assert "이름: 김하나" in summary and "휴대전화: 010-2222-3333" in summary
    assert events == [SlotSet("awaiting_confirmation", True)]


async def test_after_a_refused_consent_the_draft_is_forgotten() -> None:
    tracker = outside_form("아니요", "deny", {"consent_sensitive": False, "applicant_name": "김하나", "draft_id": "d"})
    events, dispatcher = await run(ActionAfterApplicationForm(), tracker)
    assert responses(dispatcher) == ["utter_consent_refused_sensitive", None]
    assert SlotSet("applicant_name", None) in events and SlotSet("draft_id", None) in events
    # The reply says what was typed is gone: the bot deletes the conversation it was typed in.
    assert dispatcher.messages[-1]["custom"] == {"erase_conversation": True}


async def test_correcting_the_address_at_the_summary_clears_it_and_resumes_the_form() -> None:
    slots = {**ANSWERS, "draft_id": "draft-1", "awaiting_confirmation": True}
    events, dispatcher = await run(ActionCorrectField(), outside_form("주소 잘못 말했어요", "correct", slots))
    assert responses(dispatcher) == ["utter_correct_field"]
    assert message(dispatcher, "utter_correct_field")["field_phrase"] == "사는 곳을"
    assert SlotSet("region", None) in events
    assert SlotSet("awaiting_confirmation", False) in events
    assert events[-1] == FollowupAction(FORM)
    assert not any(e["event"] == "slot" and e["name"] == "applicant_name" for e in events)


async def test_correcting_special_education_also_clears_the_school() -> None:
    slots = {**STUDENT_ANSWERS, "draft_id": "draft-1", "awaiting_confirmation": True}
    events, _ = await run(ActionCorrectField(), outside_form("특수교육 잘못 말했어요", "correct", slots))
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert {"special_education", "school", "consent_edu_office"} <= cleared


async def test_a_correction_without_a_field_asks_which_one() -> None:
    slots = {**ANSWERS, "draft_id": "draft-1", "awaiting_confirmation": True}
    events, dispatcher = await run(ActionCorrectField(), outside_form("잘못 적었어요", "correct", slots))
    assert responses(dispatcher) == ["utter_ask_field_to_correct"]
    assert events == [SlotSet("field_to_correct", None)]


async def test_a_correction_inside_the_form_without_a_field_clears_the_previous_answer() -> None:
    tracker = at_question("region", "잘못 말했어요", "correct")
    events, dispatcher = await run(ActionCorrectField(), tracker)
    assert SlotSet("phone", None) in events
    assert not any(isinstance(e, dict) and e.get("event") == "followup" for e in events)


@pytest.fixture
def no_submission(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Records every call to the application service instead of touching a database."""
    calls: list[tuple] = []

    class Recorder:
        def submit(self, *args: Any) -> None:
            calls.append(args)
            raise AssertionError("submitted")

    monkeypatch.setattr(services, "applications", lambda: Recorder())
    return calls


async def test_submit_without_a_summary_shown_submits_nothing(no_submission: list[tuple]) -> None:
    tracker = outside_form("제출", "affirm", {**ANSWERS, "draft_id": "draft-1", "awaiting_confirmation": False})
    events, dispatcher = await run(ActionSubmitApplication(), tracker)
    assert responses(dispatcher) == ["utter_nothing_to_submit"]
    assert events == [] and no_submission == []


async def test_submit_without_a_draft_submits_nothing(no_submission: list[tuple]) -> None:
    tracker = outside_form("제출", "affirm", {"awaiting_confirmation": True})
    events, dispatcher = await run(ActionSubmitApplication(), tracker)
    assert responses(dispatcher) == ["utter_nothing_to_submit"]
    assert events == [] and no_submission == []


@pytest.mark.parametrize("noise", ["ㅋㅋㅋ", "😀", "👍", "...", "\u200b\u200b\u200b", "\u3164\u3164"])
async def test_noise_read_as_yes_at_the_summary_submits_nothing(noise: str, no_submission: list[tuple]) -> None:
    tracker = outside_form(noise, "affirm", {**ANSWERS, "draft_id": "draft-1", "awaiting_confirmation": True})
    events, dispatcher = await run(ActionSubmitApplication(), tracker)
    assert responses(dispatcher) == ["utter_submit_unclear"]
    assert no_submission == [] and SlotSet("awaiting_confirmation", True) in events


async def test_cancelling_in_the_form_stops_it_and_forgets_the_answers() -> None:
    events, dispatcher = await run(ActionCancelApplication(), at_question("region", "그만할래요", "cancel"))
    assert responses(dispatcher) == ["utter_cancelled", None]
    assert dispatcher.messages[-1]["custom"] == {"erase_conversation": True}
    assert events[0]["event"] == "active_loop" and events[0]["name"] is None
    assert SlotSet("applicant_name", None) in events and SlotSet("requested_slot", None) in events


async def test_cancelling_with_nothing_started_says_so() -> None:
    events, dispatcher = await run(ActionCancelApplication(), outside_form("취소", "cancel"))
    assert responses(dispatcher) == ["utter_nothing_to_cancel"]
    assert events == []
