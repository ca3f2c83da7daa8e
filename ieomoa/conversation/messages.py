"""The bot's own words (everything else comes from Rasa's domain)."""

from __future__ import annotations

RASA_DOWN = (
    "죄송해요. 지금 잠시 연결이 원활하지 않아 답을 드리지 못했어요. "
    "조금 뒤에 같은 내용을 한 번 더 보내 주세요."
)
NO_REPLY = (
    "죄송해요. 지금 답을 준비하지 못했어요. 조금 뒤에 같은 내용을 한 번 더 보내 주세요."
)
TOO_LONG = (
    "메시지가 너무 길어서 읽지 못했어요. {limit}자 안으로 짧게 나누어 보내 주세요."
)
UNSUPPORTED_CONTENT = (
    "죄송해요. 사진, 스티커, 파일은 아직 읽지 못해요. 글자로 적어 주시거나 버튼을 눌러 주세요."
)
VOICE_NOT_READ = (
    "죄송해요. 음성 메시지는 아직 알아듣지 못해요. 글자로 적어 주시거나 버튼을 눌러 주세요. "
    "제 답을 음성으로 들으시려면 아래 버튼을 눌러 주세요."
)
VOICE_OFFER_BUTTON = "1번 답을 음성으로 듣기"
OLD_BUTTON = "이 버튼은 더 이상 쓸 수 없어요. 가장 최근 질문의 버튼을 눌러 주시거나 글자로 적어 주세요."
EMPTY_TEXT = "내용이 비어 있어요. 하고 싶은 말을 글자로 적어 주세요."
# KakaoTalk waits 5 seconds for an answer; a slower turn still finishes and its answer waits
# for the same words to come again (kakao/skill.py).
STILL_WORKING = "답을 준비하는 데 시간이 조금 더 걸리고 있어요. 잠시 후 다시 보내 주세요."

# 쉬운 말 versions, keyed by the message they replace.
EASY_READ: dict[str, str] = {
    RASA_DOWN: "미안해요. 지금 잠깐 연결이 안 돼요. 조금 있다가 같은 말을 다시 보내 주세요.",
    NO_REPLY: "미안해요. 지금 답을 못 했어요. 조금 있다가 같은 말을 다시 보내 주세요.",
    TOO_LONG: "글이 너무 길어요. {limit}자보다 짧게 나눠서 보내 주세요.",
    UNSUPPORTED_CONTENT: "미안해요. 사진이나 스티커는 읽지 못해요. 글자로 적어 주세요. 버튼을 눌러도 돼요.",
    VOICE_NOT_READ: (
        "미안해요. 음성 메시지는 알아듣지 못해요. 글자로 적어 주세요. "
        "제 말을 소리로 듣고 싶으면 아래 버튼을 눌러 주세요."
    ),
    OLD_BUTTON: "이 버튼은 이제 쓸 수 없어요. 가장 아래 질문의 버튼을 눌러 주세요. 글자로 적어도 돼요.",
    EMPTY_TEXT: "아무것도 없어요. 하고 싶은 말을 글자로 적어 주세요.",
    STILL_WORKING: "답을 만드는 데 시간이 걸려요. 조금 있다가 같은 말을 다시 보내 주세요.",
}


def for_reader(message: str, easy_read: bool) -> str:
    """The message in 쉬운 말 when the chat chose it."""
    return EASY_READ.get(message, message) if easy_read else message
