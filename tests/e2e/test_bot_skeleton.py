"""A user talks to the real bot through the Bot API stand-in; Rasa and actions are real."""

from __future__ import annotations

from pathlib import Path

import pytest

from ieomoa.conversation import messages
from tests.e2e.conftest import start_bot
from tests.support.stack import RunningStack, free_port
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess


def test_korean_hello_gets_korean_greeting_with_help_button(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    telegram.push_text(chat_id, "안녕하세요")
    greeting, offer = telegram.wait_for(chat_id, 2)
    assert "이어모아" in greeting.text and "도와드려요" in greeting.text
    assert [b["text"] for b in greeting.buttons] == ["1번 구직 신청하기", "2번 신청 상태 확인", "3번 도움말 보기"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in greeting.buttons + offer.buttons)
    assert [b["text"] for b in offer.buttons] == ["1번 음성으로 듣기", "2번 쉬운 말로 보기"]


def test_start_command_says_what_the_bot_can_do(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    telegram.push_command(chat_id, "/start")
    greeting = telegram.wait_for(chat_id, 2)[0]
    assert "구직 신청" in greeting.text and "신청 상태 확인" in greeting.text


def test_button_press_gets_its_answer_and_the_keyboard_goes_away(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    telegram.push_text(chat_id, "안녕하세요")
    greeting = telegram.wait_for(chat_id, 2)[0]
    help_button = next(b for b in greeting.buttons if "도움말" in b["text"])
    telegram.press(chat_id, help_button, on=greeting)
    help_reply = telegram.wait_for(chat_id, 3)[2]
    assert "구직 신청을 한 번에 접수해요" in help_reply.text
    [edit] = telegram.wait_for(chat_id, 1, method="editMessageReplyMarkup")
    assert not edit.params.get("reply_markup")


def test_unknown_button_gets_a_kind_note(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    telegram.push_text(chat_id, "안녕하세요")
    greeting = telegram.wait_for(chat_id, 2)[0]
    telegram.press(chat_id, {"callback_data": "b:doesnotexist"}, on=greeting)
    assert telegram.wait_for(chat_id, 3)[2].text == messages.OLD_BUTTON


def test_same_update_delivered_twice_is_answered_once(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    update = telegram.push_text(chat_id, "도움말")
    telegram.wait_for(chat_id, 1)
    telegram.redeliver(update)
    telegram.push_text(chat_id, "고마워요")  # handled after the redelivery: same chat, in order
    replies = telegram.wait_for(chat_id, 2)
    assert "천만에요" in replies[1].text
    assert len(telegram.messages_to(chat_id)) == 2


def test_messages_of_one_chat_are_answered_in_order(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    telegram.push_text(chat_id, "도움말")
    telegram.push_text(chat_id, "너 로봇이야?")
    telegram.push_text(chat_id, "고마워요")
    replies = telegram.wait_for(chat_id, 3)
    assert "이렇게 도와드려요" in replies[0].text
    assert "자동 상담 챗봇" in replies[1].text
    assert "천만에요" in replies[2].text


def test_sticker_and_overlong_text_get_kind_replies(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    telegram.push_sticker(chat_id)
    telegram.push_text(chat_id, "가" * 5000)
    replies = telegram.wait_for(chat_id, 2)
    assert replies[0].text == messages.UNSUPPORTED_CONTENT
    assert "너무 길어서" in replies[1].text


def test_when_rasa_is_down_the_user_is_asked_to_resend(
    stack: RunningStack, tmp_path: Path, chat_id: int
) -> None:
    telegram = TelegramStandIn().start()
    env = dict(stack.env, RASA_URL=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    bot = start_bot(telegram, env, tmp_path)
    try:
        telegram.push_text(chat_id, "안녕하세요")
        [apology] = telegram.wait_for(chat_id, 1)
        assert apology.text == messages.RASA_DOWN
        assert "한 번 더 보내 주세요" in apology.text
    finally:
        bot.stop()
        telegram.stop()


@pytest.mark.parametrize("text", ["😀😀😀", "ㅋㅋㅋㅋ", "?!"])
def test_emoji_and_noise_get_a_korean_answer(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int, text: str
) -> None:
    telegram.push_text(chat_id, text)
    [reply] = telegram.wait_for(chat_id, 1)
    assert reply.text and any("가" <= ch <= "힣" for ch in reply.text)


def test_when_the_action_server_is_down_the_user_is_asked_to_resend(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    from tools.stack import wait_until_ready

    stack.actions.stop()
    try:
        telegram.push_text(chat_id, "안녕하세요")
        [reply] = telegram.wait_for(chat_id, 1)
        assert reply.text in (messages.RASA_DOWN, messages.NO_REPLY)
        assert "한 번 더 보내 주세요" in reply.text
    finally:
        stack.actions.start()
        wait_until_ready(stack.action_server_url.rsplit("/", 1)[0] + "/health", stack.actions)
    telegram.push_text(chat_id, "안녕하세요")  # sent again once it is back: answered normally
    assert "이어모아" in telegram.wait_for(chat_id, 2)[1].text
