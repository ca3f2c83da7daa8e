"""KakaoTalk rendering: three bubbles, ten quick replies, labels and texts within Kakao's limits."""

from __future__ import annotations

from ieomoa.channels import channel_of, kakao_sender, kakao_user_key
from ieomoa.conversation.outgoing import OutgoingButton, OutgoingMessage
from kakao.render import (
    LABEL_LIMIT,
    MAX_OUTPUTS,
    MAX_QUICK_REPLIES,
    TEXT_LIMIT,
    VISIBLE_TEXT,
    callback_pending,
    skill_response,
    split_at_sentences,
)


def buttons(*titles: str) -> tuple[OutgoingButton, ...]:
    return tuple(OutgoingButton(title, f"token-{i}") for i, title in enumerate(titles))


def texts_of(response: dict) -> list[str]:
    return [output["simpleText"]["text"] for output in response["template"]["outputs"]]


def test_kakao_sender_ids() -> None:
    key = "fdc236a66636a5f21bcdf3b4589ac2318b3373528cbdcb5c2362f3cc7a4c3f05c9"
    assert kakao_sender(key) == f"kakao-{key}" and kakao_user_key(kakao_sender(key)) == key
    assert channel_of(kakao_sender(key)) == "kakao"
    assert kakao_user_key("tg-42") is None and kakao_user_key("kakao-") is None


def test_short_turn_is_one_bubble_with_its_choices_as_quick_replies() -> None:
    response = skill_response(
        [
            OutgoingMessage("이름을 적었어요."),
            OutgoingMessage("7/16. 동의하시나요?", buttons("1번 동의해요", "2번 동의하지 않아요")),
        ]
    )
    assert response["version"] == "2.0"
    assert texts_of(response) == ["이름을 적었어요.\n\n7/16. 동의하시나요?"]
    assert response["template"]["quickReplies"] == [
        {"label": "동의해요", "action": "message", "messageText": "동의해요"},
        {"label": "동의하지 않아요", "action": "message", "messageText": "동의하지 않아요"},
    ]


def test_long_texts_split_at_sentence_ends_and_lose_nothing() -> None:
    sentence = "이 문장은 설명을 위한 긴 문장이에요. "
    long_text = (sentence * 60).strip()  # about 1300 characters
    response = skill_response([OutgoingMessage(long_text), OutgoingMessage("다음 질문이에요?")])
    texts = texts_of(response)
    assert len(texts) <= MAX_OUTPUTS and all(len(t) <= TEXT_LIMIT for t in texts)
    assert all(t.endswith(("요.", "요?")) for t in texts)  # cut at a sentence end
    assert "".join(texts).replace("\n", "").replace(" ", "") == (
        long_text + "다음 질문이에요?"
    ).replace(" ", "")


def test_bubbles_stay_unfolded_when_they_fit_in_three() -> None:
    texts = texts_of(skill_response([OutgoingMessage("가" * 400), OutgoingMessage("나" * 400)]))
    assert len(texts) == 2 and all(len(t) <= VISIBLE_TEXT for t in texts)


def test_many_messages_merge_into_three_bubbles() -> None:
    messages = [OutgoingMessage(f"{i}번째 안내예요. " + "설명이에요. " * 40) for i in range(6)]
    texts = texts_of(skill_response(messages))
    assert len(texts) <= MAX_OUTPUTS and all(len(t) <= TEXT_LIMIT for t in texts)
    assert all(f"{i}번째 안내예요." in "\n".join(texts) for i in range(6))


def test_more_than_ten_choices_become_numbered_text() -> None:
    titles = [f"{i}번 선택지{i}" for i in range(1, MAX_QUICK_REPLIES + 2)]
    response = skill_response([OutgoingMessage("장애 유형을 골라 주세요.", buttons(*titles))])
    assert "quickReplies" not in response["template"]
    text = texts_of(response)[0]
    assert (
        "1번 선택지1" in text and f"{MAX_QUICK_REPLIES + 1}번 선택지{MAX_QUICK_REPLIES + 1}" in text
    )


def test_ten_choices_are_quick_replies() -> None:
    titles = [f"{i}번 선택지{i}" for i in range(1, MAX_QUICK_REPLIES + 1)]
    response = skill_response([OutgoingMessage("골라 주세요.", buttons(*titles))])
    assert len(response["template"]["quickReplies"]) == MAX_QUICK_REPLIES


def test_a_long_label_is_shortened_but_sent_whole_and_written_out() -> None:
    response = skill_response(
        [
            OutgoingMessage(
                "어떻게 할까요?",
                buttons(
                    "1번 연결 코드 받기, 신청 상태만 보여 주기",
                    "2번 연결 코드 받기, 장애 정보도 보여 주기",
                ),
            )
        ]
    )
    replies = response["template"]["quickReplies"]
    assert all(len(r["label"]) <= LABEL_LIMIT for r in replies)
    assert replies[0]["messageText"] == "연결 코드 받기, 신청 상태만 보여 주기"
    assert "1번 연결 코드 받기, 신청 상태만 보여 주기" in texts_of(response)[0]


def test_every_keyboard_of_a_turn_is_quick_replies_when_they_fit() -> None:
    response = skill_response(
        [
            OutgoingMessage(
                "무엇을 도와드릴까요?", buttons("1번 구직 신청하기", "2번 신청 상태 확인")
            ),
            OutgoingMessage("쉬운 말로 볼 수도 있어요.", buttons("1번 쉬운 말로 보기")),
        ]
    )
    assert [r["messageText"] for r in response["template"]["quickReplies"]] == [
        "구직 신청하기",
        "신청 상태 확인",
        "쉬운 말로 보기",
    ]
    assert "1번" not in texts_of(response)[0]


def test_otherwise_only_the_newest_keyboard_is_quick_replies() -> None:
    response = skill_response(
        [
            OutgoingMessage("동의하시나요?", buttons("1번 네", "2번 아니요")),
            OutgoingMessage("다시 물어볼게요. 동의하시나요?", buttons("1번 네", "2번 아니요")),
        ]
    )
    assert [r["messageText"] for r in response["template"]["quickReplies"]] == ["네", "아니요"]
    assert "1번 네\n2번 아니요" in texts_of(response)[0]


def test_split_prefers_line_breaks_then_sentences() -> None:
    assert split_at_sentences("첫 줄\n둘째 줄이에요", 8) == ["첫 줄", "둘째 줄이에요"]
    assert split_at_sentences("하나예요. 둘이에요. 셋이에요.", 12) == [
        "하나예요. 둘이에요.",
        "셋이에요.",
    ]
    assert split_at_sentences("가" * 25, 10) == ["가" * 10, "가" * 10, "가" * 5]


def test_callback_answer() -> None:
    assert callback_pending() == {"version": "2.0", "useCallback": True}
