"""Rendering Rasa replies as Telegram messages."""

from __future__ import annotations

from bot.render import BUTTONS_ONLY_TEXT, render_replies, split_text
import itertools

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
    rows = message.keyboard.inline_keyboard
    assert [row[0].text for row in rows] == ["도움말 보기", "서울특별시"]
    assert [stored[row[0].callback_data] for row in rows] == ["/help", '/inform{"region": "서울특별시"}']


def test_long_korean_payload_fits_in_callback_data() -> None:
    payload = '/inform{"support_need": ["근로지원인", "보조공학기기", "수어통역", "직업훈련"]}'
    assert len(payload.encode()) > CALLBACK_DATA_LIMIT
    [message] = render_replies([{"text": "x", "buttons": [{"title": "t", "payload": payload}]}], fake_registry({}))
    data = message.keyboard.inline_keyboard[0][0].callback_data
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
    assert messages[0].keyboard is None and messages[1].keyboard is not None
    assert "".join(m.text.replace(" ", "") for m in messages) == text.replace(" ", "")


def test_split_text_keeps_short_text_whole() -> None:
    assert split_text("안녕하세요") == ["안녕하세요"]
