"""The terminal chat: buttons shown as numbered choices, picked by number."""

from __future__ import annotations

from bot.terminal import format_replies, resolve_input

REPLIES = [{"text": "무엇을 도와드릴까요?", "buttons": [
    {"title": "구직 신청", "payload": "/apply"},
    {"title": "도움말 보기", "payload": "/help"},
]}]


def test_buttons_are_numbered_from_one() -> None:
    lines, buttons = format_replies(REPLIES)
    assert lines[0] == "봇> 무엇을 도와드릴까요?"
    assert lines[1:3] == ["    1번 구직 신청", "    2번 도움말 보기"]
    assert len(buttons) == 2


def test_titles_already_numbered_are_numbered_once_across_keyboards() -> None:
    lines, buttons = format_replies([
        {"text": "동의하시나요?", "buttons": [{"title": "1번 동의해요", "payload": "/affirm"}]},
        {"text": "더 있어요.", "buttons": [{"title": "1번 음성으로 듣기", "payload": "/voice_on"}]},
    ])
    assert lines[1] == "    1번 동의해요" and lines[3] == "    2번 음성으로 듣기"
    assert resolve_input("2", buttons) == "/voice_on"


def test_number_picks_button_payload() -> None:
    _, buttons = format_replies(REPLIES)
    assert resolve_input("2", buttons) == "/help"
    assert resolve_input(" 1번 ", buttons) == "/apply"


def test_out_of_range_number_or_words_are_sent_as_typed() -> None:
    _, buttons = format_replies(REPLIES)
    assert resolve_input("3", buttons) == "3"
    assert resolve_input("안녕하세요", buttons) == "안녕하세요"
