"""A button acts once and not after it expired; erasing oneself does not reset the caregiver-code
limit (issue 9, defects 4 and 5), through the real bot, Rasa and action server on PostgreSQL.

An old button of an answered question and a button taken from another chat are in
tests/e2e/test_erasure.py; concurrent presses and the overall code limit under concurrency in
tests/integration/test_services.py and tests/integration/test_hardening_concurrency.py.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from ieomoa.conversation import messages
from ieomoa.db import session_factory
from ieomoa.models import ButtonToken, utcnow
from tests.support.stack import RunningStack
from tests.support.telegram_standin import TelegramStandIn
from tests.support.turns import Turns
from tools.stack import ManagedProcess

HELP_ANSWER = "구직 신청을 한 번에 접수해요"


def greeted(stack: RunningStack, telegram: TelegramStandIn, chat_id: int) -> tuple[Turns, dict, object]:
    """A chat that got the greeting: the chat, its help button and the greeting message."""
    chat = Turns(telegram, session_factory(stack.database_url), chat_id)
    greeting = next(m for m in chat.say("안녕하세요") if m.buttons)
    return chat, next(b for b in greeting.buttons if "도움말" in b["text"]), greeting


def test_a_button_pressed_twice_acts_once(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat, help_button, greeting = greeted(stack, telegram, chat_id)
    first = chat.tap(help_button, on=greeting)
    second = chat.tap(help_button, on=greeting)  # the same token again, as a double tap sends it
    assert any(HELP_ANSWER in m.text for m in first)
    assert [m.text for m in second] == [messages.OLD_BUTTON]
    assert sum(HELP_ANSWER in text for text in chat.texts()) == 1


def test_an_expired_button_does_nothing(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat, help_button, greeting = greeted(stack, telegram, chat_id)
    sessions = session_factory(stack.database_url)
    with sessions.begin() as session:  # thirty days later, as the clock would have it
        session.execute(update(ButtonToken).where(ButtonToken.token == help_button["callback_data"])
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert [m.text for m in chat.tap(help_button, on=greeting)] == [messages.OLD_BUTTON]
    assert not any(HELP_ANSWER in text for text in chat.texts())


def test_erasing_oneself_does_not_reset_the_wrong_code_limit(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Turns(telegram, session_factory(stack.database_url), chat_id)

    def said(text: str) -> str:
        return "\n".join(m.text for m in chat.say(text))

    assert "연결 코드 6자리" in said("보호자 코드 받았어요")
    for _ in range(5):
        assert "맞지 않" in said("123123")
    assert "여러 번" in said("123124")  # the sixth try in an hour is refused
    assert "지울까요" in said("내 정보 지워 주세요")
    assert "지웠어요" in said("네")
    assert "연결 코드 6자리" in said("보호자 코드 받았어요")  # a fresh conversation
    assert "여러 번" in said("123125")  # still refused: the count outlived the erasure
