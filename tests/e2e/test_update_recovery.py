"""A message the bot took but never answered is answered once, by the next bot process.

PTB confirms fetched updates to Telegram at once, so Telegram will not send them again after
a crash: the bot's own ledger keeps them. Each test runs its own bot processes against its
own Bot API stand-in and the shared real Rasa stack; nothing waits for a length of time.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.db import session_factory
from ieomoa.models import ProcessedUpdate, utcnow
from ieomoa.services.updates import UpdateLedger
from tests.e2e.conftest import start_bot
from tests.support.stack import RunningStack
from tests.support.telegram_standin import TelegramStandIn

HELP_TEXT = "이렇게 도와드려요"


def stored(sessions: sessionmaker[Session], update_id: int) -> ProcessedUpdate | None:
    with sessions() as session:
        return session.get(ProcessedUpdate, update_id)


def wait_until_finished(sessions: sessionmaker[Session], update_id: int, timeout: float = 60.0) -> ProcessedUpdate:
    """Block until the bot marked the update done (its handlers ran to the end)."""
    deadline = time.monotonic() + timeout
    while True:
        row = stored(sessions, update_id)
        if row is not None and row.done_at is not None:
            return row
        if time.monotonic() > deadline:
            raise TimeoutError(f"update {update_id} was never finished")
        time.sleep(0.1)


def test_an_update_a_dead_bot_left_unanswered_is_answered_once_at_start(
    stack: RunningStack, tmp_path: Path, chat_id: int
) -> None:
    telegram = TelegramStandIn().start()
    sessions = session_factory(stack.database_url)
    update = telegram.compose_text(chat_id, "도움말")  # fetched and confirmed by a bot that then died
    ledger = UpdateLedger(sessions, secret=stack.env["IEOMOA_SECRET_KEY"])
    assert ledger.claim(update["update_id"], update)
    with sessions.begin() as session:  # as the dead bot left it: claimed, unfinished, lease run out
        session.execute(
            sql_update(ProcessedUpdate).where(ProcessedUpdate.update_id == update["update_id"])
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
    bot = start_bot(telegram, dict(stack.env, IEOMOA_UPDATE_RECOVERY_SECONDS="0.5"), tmp_path)
    try:
        [answer] = telegram.wait_for(chat_id, 1)
        assert HELP_TEXT in answer.text
        row = wait_until_finished(sessions, update["update_id"])
        assert row.sealed_update is None
        telegram.redeliver(update)  # Telegram sends it once more after all: skipped
        telegram.push_text(chat_id, "고마워요")  # handled after the redelivery: same chat, in order
        replies = telegram.wait_for(chat_id, 2)
        assert "천만에요" in replies[1].text
        assert len(telegram.messages_to(chat_id)) == 2
        assert "도움말" not in bot.log_path.read_text(encoding="utf-8")
    finally:
        bot.stop()
        telegram.stop()


def test_a_bot_killed_while_handling_a_message_answers_it_once_after_restart(
    stack: RunningStack, tmp_path: Path, chat_id: int
) -> None:
    telegram = TelegramStandIn().start()
    sessions = session_factory(stack.database_url)
    # The first bot gets stuck right after claiming the message, before it reaches Rasa.
    telegram.hold("sendChatAction")
    env = dict(stack.env, IEOMOA_UPDATE_LEASE_SECONDS="3", IEOMOA_UPDATE_RECOVERY_SECONDS="0.5")
    first = start_bot(telegram, env, tmp_path / "first")
    second = None
    try:
        update = telegram.push_text(chat_id, "도움말")
        telegram.wait_for_call("sendChatAction", first)
        telegram.wait_until_confirmed(update["update_id"])  # Telegram will not send it again
        assert first.process is not None
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait()
        row = stored(sessions, update["update_id"])
        assert row is not None and row.done_at is None and row.sealed_update
        assert "도움말" not in row.sealed_update  # kept, encrypted
        assert telegram.messages_to(chat_id) == []

        telegram.release("sendChatAction")
        second = start_bot(telegram, dict(env, IEOMOA_UPDATE_RECOVERY_SECONDS="0.2"), tmp_path / "second")
        [answer] = telegram.wait_for(chat_id, 1)
        assert HELP_TEXT in answer.text
        row = wait_until_finished(sessions, update["update_id"])
        assert row.sealed_update is None and row.attempts == 2
        assert len(telegram.messages_to(chat_id)) == 1
        for process in (first, second):
            assert "도움말" not in process.log_path.read_text(encoding="utf-8")
    finally:
        telegram.release("sendChatAction")
        if second is not None:
            second.stop()
        first.stop()
        telegram.stop()
