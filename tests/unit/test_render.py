"""Rendering Rasa replies as channel-neutral messages, and as Telegram keyboards."""

from __future__ import annotations

import itertools

from bot.handlers import keyboard_of
from ieomoa.conversation.outgoing import BUTTONS_ONLY_TEXT, render_replies, split_text
from ieomoa.services.buttons import CALLBACK_DATA_LIMIT, TOKEN_PREFIX


def fake_registry(stored: dict[str, str]):
    numbers = itertools.count()

    def callback_data_for(payload: str, title: str) -> str:
        token = f"{TOKEN_PREFIX}{next(numbers):016d}"
        stored[token] = payload
        return token

    return callback_data_for


def test_buttons_become_inline_keyboard_in_order() -> None:
    stored: dict[str, str] = {}
    replies = [{"text": "골라 주세요", "buttons": [
        {"title": "도움말 보기", "payload": "/help"},
        {"title": "서울특별시", "payload": '/inform{"region": "서울특별시"}'},
    ]}]
    [message] = render_replies(replies, fake_registry(stored))
    assert message.text == "골라 주세요"
    assert [button.title for button in message.buttons] == ["도움말 보기", "서울특별시"]
    rows = keyboard_of(message).inline_keyboard
    assert [row[0].text for row in rows] == ["도움말 보기", "서울특별시"]
    assert [stored[row[0].callback_data] for row in rows] == ["/help", '/inform{"region": "서울특별시"}']


def test_long_korean_payload_fits_in_callback_data() -> None:
    payload = '/inform{"support_need": ["근로지원인", "보조공학기기", "수어통역", "직업훈련"]}'
    assert len(payload.encode()) > CALLBACK_DATA_LIMIT
    [message] = render_replies([{"text": "x", "buttons": [{"title": "t", "payload": payload}]}], fake_registry({}))
    data = keyboard_of(message).inline_keyboard[0][0].callback_data
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT


def test_buttons_without_text_still_get_a_prompt() -> None:
    [message] = render_replies([{"buttons": [{"title": "네", "payload": "/affirm"}]}], fake_registry({}))
    assert message.text == BUTTONS_ONLY_TEXT


def test_empty_replies_render_nothing() -> None:
    assert render_replies([{"text": "  "}, {}], fake_registry({})) == []


def test_text_over_telegram_limit_is_split_and_keyboard_goes_last() -> None:
    text = ("가나다라마바사. " * 700).strip()
    messages = render_replies(
        [{"text": text, "buttons": [{"title": "네", "payload": "/affirm"}]}], fake_registry({})
    )
    assert len(messages) == 2
    assert all(len(m.text) <= 4096 for m in messages)
    assert messages[0].buttons == () and len(messages[1].buttons) == 1
    assert "".join(m.text.replace(" ", "") for m in messages) == text.replace(" ", "")


def test_split_text_keeps_short_text_whole() -> None:
    assert split_text("안녕하세요") == ["안녕하세요"]


def test_each_channel_splits_at_its_own_limit() -> None:
    messages = render_replies([{"text": "가나다라. " * 30}], fake_registry({}), text_limit=100)
    assert len(messages) > 1 and all(len(m.text) <= 100 for m in messages)


def test_message_without_buttons_has_no_keyboard() -> None:
    [message] = render_replies([{"text": "안녕하세요"}], fake_registry({}))
    assert keyboard_of(message) is None
