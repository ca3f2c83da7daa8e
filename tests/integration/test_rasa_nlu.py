"""The real Rasa server understands Korean: intents and entities inside inflected words."""

from __future__ import annotations

import pytest

from tests.support.stack import RasaApi, RunningStack


@pytest.fixture(scope="module")
def rasa(stack: RunningStack) -> RasaApi:
    return RasaApi(stack)


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("서울에서 일하고 싶어요", "서울특별시"),
        ("부산에 살고 있어요", "부산광역시"),
        ("저는 경기도에서 살아요", "경기도"),
        ("제주에서 일자리 구해요", "제주특별자치도"),
    ],
)
def test_region_with_particle_is_extracted_and_normalized(rasa: RasaApi, text: str, region: str) -> None:
    result = rasa.parse(text)
    regions = [e["value"] for e in result["entities"] if e["entity"] == "region"]
    assert regions == [region]


def test_tokens_are_morphemes_not_whole_sentence(rasa: RasaApi) -> None:
    entity = next(e for e in rasa.parse("서울에서 일하고 싶어요")["entities"] if e["entity"] == "region")
    assert (entity["start"], entity["end"]) == (0, 2)  # "서울", without the particle "에서"


# Phrasings that are not in the training data.
UNSEEN = [
    ("안녕하세요 반가워요", "greet"),
    ("하이 안녕", "greet"),
    ("이제 그만 가볼게요", "goodbye"),
    ("다음에 또 올게요 안녕히 계세요", "goodbye"),
    ("이거 어떻게 쓰는 건지 알려 주세요", "help"),
    ("무엇을 할 수 있나요", "help"),
    ("지금 대화하는 게 사람인가요?", "bot_challenge"),
    ("너 로봇이니", "bot_challenge"),
    ("내일 날씨 알려줘", "out_of_scope"),
    ("치킨 시켜줘", "out_of_scope"),
    ("반갑습니다 선생님", "greet"),
    ("수고하셨어요 이만 갈게요", "goodbye"),
    ("도움이 필요해요", "help"),
    ("챗봇이랑 얘기하는 거예요?", "bot_challenge"),
    ("오늘 점심 뭐 먹을까", "out_of_scope"),
    ("정말 고마워요", "thank"),
    ("구직 신청 할게요", "apply"),
    ("내 신청 어떻게 됐나요", "check_status"),
    ("신청 취소할게요", "cancel"),
    ("지원고용은 뭐예요?", "faq"),
]


def test_first_intents_are_learned(rasa: RasaApi) -> None:
    """At least 90% of phrasings the model never saw get the right intent."""
    wrong = [(text, rasa.parse(text)["intent"]["name"], intent) for text, intent in UNSEEN]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert len(wrong) <= len(UNSEEN) // 10, wrong


@pytest.mark.parametrize(
    ("text", "entity", "span", "value"),
    [
        ("전라남도 여수시요", "region", "전라남도 여수시", "전라남도 여수시"),
        ("눈이 거의 안 보여요", "disability_type", "눈이 거의 안 보여", "시각"),
        ("목발 짚고 다녀요", "disability_type", "목발", "지체"),
        ("IEM-2026-000123 어떻게 됐어요?", "application_number", "IEM-2026-000123", "IEM-2026-000123"),
        # Numbers and phrasings people type.
        ("제 번호는 010.3344.5566이에요", "phone", "010.3344.5566", "01033445566"),
        ("공일공 이삼사오 육칠팔구요", "phone", "공일공 이삼사오 육칠팔구", "01023456789"),
        ("IEM - 2026 - 000345 확인해 주세요", "application_number", "IEM - 2026 - 000345", "IEM-2026-000345"),
        ("그렇게 심하진 않아요", "severity", "심하진 않", "심하지않은"),
        ("고등학교 3학년이에요", "education", "고등학교 3학년", "중졸"),
    ],
)
def test_entities_follow_the_span_convention(
    rasa: RasaApi, text: str, entity: str, span: str, value: str
) -> None:
    """The value phrase without its particle, copula or polite 요, with the normalized value."""
    found = [
        (text[e["start"]:e["end"]], e["value"]) for e in rasa.parse(text)["entities"] if e["entity"] == entity
    ]
    assert found == [(span, value)]


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("수어통역은 필요 없어요", "support_need"),
        ("근로지원인은 안 써도 돼요", "support_need"),
        ("재택은 안 해도 돼요", "employment_type"),
    ],
)
def test_a_declined_value_is_no_entity(rasa: RasaApi, text: str, entity: str) -> None:
    """"…은 필요 없어요" names a value to say no to it: nothing to store as an answer."""
    assert [e for e in rasa.parse(text)["entities"] if e["entity"] == entity] == []


def test_the_value_after_a_declined_one_is_kept(rasa: RasaApi) -> None:
    found = [(e["entity"], e["value"]) for e in rasa.parse("재택 말고 전일제로 할래요")["entities"]]
    assert found == [("employment_type", "전일제")]


@pytest.mark.parametrize("text", ["1번 제출", "2번 시간제", "11번 장루·요루", "3번 수어통역", "1, 3번이요"])
def test_a_button_number_is_no_phone_number(rasa: RasaApi, text: str) -> None:
    assert [e for e in rasa.parse(text)["entities"] if e["entity"] in ("phone", "application_number")] == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [("1번 제출", "affirm"), ("3번 취소", "cancel"), ("4번 사는 곳", "correct"), ("2번 아니요", "deny")],
)
def test_typed_button_titles_mean_their_buttons(rasa: RasaApi, text: str, intent: str) -> None:
    assert rasa.parse(text)["intent"]["name"] == intent


def test_a_value_said_alone_is_an_answer_whatever_the_intent(rasa: RasaApi) -> None:
    """A statement keeps its vocabulary value; a question about the same word does not."""
    said = [(e["entity"], e["value"]) for e in rasa.parse("보조기기요")["entities"]]
    asked = rasa.parse("근로지원인이 뭐 하는 사람이에요?")["entities"]
    assert said == [("support_need", "보조공학기기")]
    assert asked == []
