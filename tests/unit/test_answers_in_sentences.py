"""Answers written as people write them: whole sentences, schools still attended, jobs with endings."""

from __future__ import annotations

import pytest

from ieomoa.answers import InvalidAnswer
from ieomoa.answers.choices import (
    confirms_submission,
    parse_disability_types,
    parse_education,
    parse_jobs,
    parse_special_education,
)
from ieomoa.answers.interruptions import interrupts


@pytest.mark.parametrize(
    ("text", "jobs"),
    [
        ("안마사나 콜센터 상담 일을 하고 싶어요", ["안마사", "콜센터 상담"]),
        ("바리스타가 되고 싶어요", ["바리스타"]),
        ("사진작가가 되고 싶어요", ["사진작가"]),
        ("요양보호사나 간호조무사 쪽 일을 원해요", ["요양보호사", "간호조무사"]),
        ("바리스타, 사무보조", ["바리스타", "사무보조"]),
        ("청소하고 경비 일이요", ["청소", "경비"]),
        ("모르겠어요", ["상담 후 결정"]),
    ],
)
def test_jobs_keep_the_jobs_and_drop_particles_and_endings(text: str, jobs: list[str]) -> None:
    assert parse_jobs(text) == jobs


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("고등학교 다니고 있어요", "중졸"),
        ("대학교 다니다 그만뒀어요", "고졸"),
        ("중학교 다녀요", "초졸이하"),
        ("전공과 다니고 있어요", "고졸"),
        ("고등학교 졸업했어요", "고졸"),
        ("전문대학 졸업", "전문대졸"),
        ("대학교 졸업 이상", "대졸이상"),
        ("3", "고졸"),
    ],
)
def test_a_school_still_attended_is_not_finished(text: str, level: str) -> None:
    assert parse_education(text) == level


@pytest.mark.parametrize(
    ("text", "student"),
    [("네 특수학교 다녀요", True), ("특수학교 다니고 있어요", True), ("전공과 다녀요", True),
     ("아뇨 졸업했어요", False), ("학생 아니에요", False), ("2번", False)],
)
def test_special_education_answers_in_sentences(text: str, student: bool) -> None:
    assert parse_special_education(text) is student


def test_special_education_unknown_answer_is_refused() -> None:
    with pytest.raises(InvalidAnswer):
        parse_special_education("글쎄")


@pytest.mark.parametrize(
    ("text", "types"),
    [("눈이 거의 안 보여요", ["시각"]), ("귀가 잘 안 들려요", ["청각"]), ("휠체어 타요", ["지체"]), ("지적장애예요", ["지적"])],
)
def test_disabilities_described_rather_than_named(text: str, types: list[str]) -> None:
    assert parse_disability_types(text) == types


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("네 특수학교 다녀요", "faq"),        # no question in it: an answer
        ("서울 사는데요", "inform"),
        ("지적장애예요", "faq"),
        ("눈이 거의 안 보여요", "voice_on"),  # describes a disability, asks for nothing
        ("모르겠어요", "help"),
        ("김민수", "greet"),
        ("아니요", "cancel"),
    ],
)
def test_answers_are_answers_whatever_the_intent(text: str, intent: str) -> None:
    assert not interrupts(text, intent)


@pytest.mark.parametrize(
    ("text", "intent", "other_field"),
    [
        ("특수교육대상이 뭐예요?", "faq", False),
        ("지원금은 얼마나 받을 수 있나요", "faq", False),
        ("아니요, 그만할래요", "cancel", False),
        ("전화번호 잘못 적었어요", "correct", True),
        ("상담사랑 얘기하고 싶어요", "human_handoff", False),
        ("음성으로 읽어 주세요", "voice_on", False),
        ("쉬운 말 안 써도 돼요", "easy_read_off", False),
        ("다음 질문 다시 말해 주세요", "repeat", False),
        ("안녕하세요", "greet", False),
        ("개인정보는 어떻게 써요", "privacy_summary", False),
        ("지금까지 저장된 거 보여 주세요", "show_my_data", False),
        ("내 정보 확인하고 싶어요", "show_my_data", False),
    ],
)
def test_clear_interruptions_interrupt(text: str, intent: str, other_field: bool) -> None:
    assert interrupts(text, intent, other_field_named=other_field)


@pytest.mark.parametrize("text", ["네", "제출", "제출할게요", "네 이대로 제출할게요", "이대로 보내 주세요", "ㅇㅇ"])
def test_clear_words_confirm_the_submission(text: str) -> None:
    assert confirms_submission(text)


@pytest.mark.parametrize(
    "text", ["ㅋㅋㅋ", "😀", "👍", "...", "\u200b\u200b\u200b", "\u3164\u3164", "아니요", "보내지 마세요", "수정할래요"]
)
def test_noise_or_no_never_confirms_the_submission(text: str) -> None:
    assert not confirms_submission(text)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("한빛학교", "correct"), ("한빛학교 전공과", "correct"), ("서울맹학교예요", "correct")],
)
def test_a_school_name_is_not_a_correction_of_the_education(text: str, intent: str) -> None:
    assert not interrupts(text, intent, other_field_named=True)


def test_a_question_mark_makes_a_question() -> None:
    assert interrupts("개인정보는 어디에 쓰여요?", "faq")
