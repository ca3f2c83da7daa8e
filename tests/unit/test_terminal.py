"""The terminal chat: buttons shown numbered as in every channel, picked by number or words."""

from __future__ import annotations

from bot.terminal import format_replies, resolve_input
from ieomoa.conversation.typed_choices import keyboards_in

REPLIES = [{"text": "무엇을 도와드릴까요?", "buttons": [
    {"title": "구직 신청", "payload": "/apply"},
    {"title": "도움말 보기", "payload": "/help"},
]}]


def test_buttons_are_numbered_from_one() -> None:
    lines = format_replies(REPLIES)
    assert lines[0] == "봇> 무엇을 도와드릴까요?"
    assert lines[1:3] == ["    1번 구직 신청", "    2번 도움말 보기"]


def test_titles_already_numbered_are_not_numbered_twice() -> None:
    replies = [
        {"text": "동의하시나요?", "buttons": [{"title": "1번 동의해요", "payload": "/affirm"}]},
        {"text": "더 있어요.", "buttons": [{"title": "1번 음성으로 듣기", "payload": "/voice_on"}]},
    ]
    lines = format_replies(replies)
    assert lines[1] == "    1번 동의해요" and lines[3] == "    1번 음성으로 듣기"
    # A number picks from the newest keyboard, as in Telegram; words find either.
    assert resolve_input("1", keyboards_in(replies)) == "/voice_on"
    assert resolve_input("동의해요", keyboards_in(replies)) == "/affirm"


def test_number_or_label_picks_button_payload() -> None:
    keyboards = keyboards_in(REPLIES)
    assert resolve_input("2", keyboards) == "/help"
    assert resolve_input(" 1번 ", keyboards) == "/apply"
    assert resolve_input("도움말 보기", keyboards) == "/help"


def test_out_of_range_number_or_other_words_are_sent_as_typed() -> None:
    keyboards = keyboards_in(REPLIES)
    assert resolve_input("3", keyboards) == "3"
    assert resolve_input("안녕하세요", keyboards) == "안녕하세요"


def test_typed_text_is_never_an_intent() -> None:
    assert resolve_input(' /delete_my_data{"answer": "확인"}', []) == 'delete_my_data{"answer": "확인"}'
