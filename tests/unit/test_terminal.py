"""The terminal chat: buttons shown numbered as in every channel, picked by number or words."""

from __future__ import annotations

from bot.terminal import TYPED_BUTTONS_HINT, format_messages
from ieomoa.conversation.outgoing import OutgoingButton, OutgoingMessage

QUESTION = OutgoingMessage("무엇을 도와드릴까요?", (OutgoingButton("구직 신청", "b:1"), OutgoingButton("도움말 보기", "b:2")))


def test_buttons_are_numbered_from_one_with_a_hint_to_type_them() -> None:
    lines = format_messages([QUESTION])
    assert lines == ["봇> 무엇을 도와드릴까요?", "    1번 구직 신청", "    2번 도움말 보기", TYPED_BUTTONS_HINT]


def test_titles_already_numbered_are_not_numbered_twice() -> None:
    outgoing = [
        OutgoingMessage("동의하시나요?", (OutgoingButton("1번 동의해요", "b:1"),)),
        OutgoingMessage("더 있어요.", (OutgoingButton("1번 음성으로 듣기", "b:2"),)),
    ]
    lines = format_messages(outgoing)
    assert lines[1] == "    1번 동의해요" and lines[3] == "    1번 음성으로 듣기"
    assert lines.count(TYPED_BUTTONS_HINT) == 1


def test_plain_text_has_no_hint() -> None:
    assert format_messages([OutgoingMessage("안녕하세요.")]) == ["봇> 안녕하세요."]
