"""Which replies the online voice may read: fixed domain texts only, decided without guessing."""

from __future__ import annotations

from ieomoa.conversation.outgoing import render_replies
from ieomoa.speech.fixed_texts import FixedTexts
from tests.support.domain import domain_responses

RESPONSES = domain_responses()
FIXED = FixedTexts.from_domain({"responses": RESPONSES})


def text_of(name: str, variation: int = -1) -> str:
    """The text as Rasa sends it; a question's progress filled as action_ask_<slot> fills it."""
    return RESPONSES[name][variation]["text"].replace("{progress}", "8/16")


def titles_of(name: str, variation: int = -1) -> list[str]:
    return [b["title"] for b in RESPONSES[name][variation].get("buttons") or []]


def test_questions_and_faq_answers_are_fixed_in_both_registers() -> None:
    for name in ("utter_ask_applicant_name", "utter_ask_disability_types", "utter_faq/privacy", "utter_voice_on"):
        for variation in (0, -1):
            assert FIXED.covers(text_of(name, variation), titles_of(name, variation)), name


def test_a_questions_progress_is_the_one_neutral_placeholder() -> None:
    template = RESPONSES["utter_ask_applicant_name"][-1]["text"]
    assert template.startswith("{progress}. ")
    assert FIXED.covers(template.replace("{progress}", "2/16")) and FIXED.covers(template.replace("{progress}", "2/15"))
    assert not FIXED.covers(template)  # not the bare template
    assert not FIXED.covers(template.replace("{progress}", "박서진"))
    assert not FIXED.covers(template.replace("{progress}", "2/16") + " 박서진")


def test_responses_with_placeholders_are_personal_whatever_fills_them() -> None:
    assert "{summary}" in text_of("utter_summary")
    rendered = text_of("utter_summary").replace("{summary}", "이름: 박서진")
    assert not FIXED.covers(rendered)
    assert not FIXED.covers(text_of("utter_summary"))  # not even the bare template
    number = text_of("utter_submitted").format(number_phrase="IEM-2026-000123이에요.", agencies="한국장애인고용공단")
    assert not FIXED.covers(number)


def test_responses_chosen_by_a_persons_answers_are_personal_too() -> None:
    # No placeholder, but saying it tells what the person answered (disability, age).
    assert not FIXED.covers(text_of("utter_next_step_sign_language"))
    assert not FIXED.covers(text_of("utter_invalid_birth_date_too_young"))
    assert not FIXED.covers(text_of("utter_consent_refused_sensitive"))


def test_a_fixed_text_with_a_button_of_unknown_title_is_personal() -> None:
    question = text_of("utter_ask_severity")
    assert FIXED.covers(question, titles_of("utter_ask_severity"))
    assert not FIXED.covers(question, ["11월 20일 오후 3시 5분에 연결한 보호자"])
    assert not FIXED.covers("박서진")  # anything else the action server writes


def test_rasa_rest_channel_parts_of_a_fixed_text_are_fixed() -> None:
    # Rasa's REST channel sends a text without buttons cut at blank lines.
    fixed = FixedTexts.from_domain({"responses": {"utter_two": [{"text": "첫 문단이에요.\n\n둘째 문단이에요."}]}})
    assert fixed.covers("첫 문단이에요.") and fixed.covers("둘째 문단이에요.")


def test_render_marks_each_message_personal_unless_fixed_covers_it() -> None:
    replies = [
        {"text": text_of("utter_ask_severity"), "buttons": [
            {"title": t, "payload": "/inform"} for t in titles_of("utter_ask_severity")]},
        {"text": "청각 장애로 적어 둘게요. 틀렸으면 '장애 유형 틀렸어요'라고 말씀해 주세요."},
    ]
    question, confirmation = render_replies(replies, lambda payload, title: "b:x", FIXED)
    assert (question.personal, confirmation.personal) == (False, True)
    assert all(m.personal for m in render_replies(replies, lambda payload, title: "b:x"))  # nothing known


def test_nothing_is_fixed_in_an_empty_domain() -> None:
    assert not FixedTexts.from_domain({}).covers(text_of("utter_ask_applicant_name"))
    assert not FixedTexts().covers("네")
