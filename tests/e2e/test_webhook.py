"""Webhook mode: the Bot API stand-in POSTs updates to the real bot, as Telegram does.

Only requests that carry the secret given in setWebhook reach a handler; an update
delivered twice is answered once. Rasa and the action server are real.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.webhook import MAX_UPDATE_BYTES
from tests.support.stack import RunningStack, free_port
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess, bot_process

SECRET = "webhook-secret_0123456789abcdef"
HELP_TEXT = "이렇게 도와드려요"


def start_webhook_bot(standin: TelegramStandIn, env: dict[str, str], log_dir: Path) -> ManagedProcess:
    """``python -m bot`` in webhook mode; returns once it registered its webhook."""
    port = free_port()
    env = dict(
        env,
        TTS_ENGINE="espeak",
        TELEGRAM_BOT_TOKEN=standin.token,
        TELEGRAM_API_BASE_URL=standin.base_url,
        TELEGRAM_API_FILE_URL=standin.file_url,
        BOT_MODE="webhook",
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/updates",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_WEBHOOK_PORT=str(port),
    )
    bot = bot_process(env=env, log_dir=log_dir)
    bot.start()
    standin.wait_for_call("setWebhook", bot)
    return bot


@pytest.fixture(scope="module")
def telegram() -> Iterator[TelegramStandIn]:
    """A stand-in of its own: every update of this module goes by webhook."""
    standin = TelegramStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def webhook_bot(stack: RunningStack, telegram: TelegramStandIn,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedProcess]:
    """The bot serving its webhook, connected to the real Rasa server."""
    process = start_webhook_bot(telegram, stack.env, tmp_path_factory.mktemp("webhook-bot"))
    yield process
    process.stop()


def test_the_bot_registers_its_webhook_with_the_secret_and_never_polls(
    webhook_bot: ManagedProcess, telegram: TelegramStandIn
) -> None:
    assert telegram.webhook is not None
    assert telegram.webhook["url"].endswith("/telegram/updates")
    assert telegram.webhook["secret_token"] == SECRET
    assert "getUpdates" not in telegram.calls


def test_a_message_delivered_by_webhook_gets_the_reply(
    webhook_bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    update = telegram.push_text(chat_id, "도움말")
    [reply] = telegram.wait_for(chat_id, 1)
    assert HELP_TEXT in reply.text
    assert (update["update_id"], 200) in telegram.webhook_deliveries


@pytest.mark.parametrize("secret", ["wrong-secret_0123456789abcdef", "", None], ids=["wrong", "empty", "missing"])
def test_an_update_without_the_secret_is_refused_and_not_answered(
    webhook_bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int, secret: str | None
) -> None:
    forged = telegram.compose_text(chat_id, "도움말")
    assert telegram.post_update(forged, secret=secret) in (401, 403)
    # The chat's next message is answered first and alone: the forged one never got in line.
    telegram.push_text(chat_id, "고마워요")
    [reply] = telegram.wait_for(chat_id, 1)
    assert "천만에요" in reply.text
    assert len(telegram.messages_to(chat_id)) == 1
    if secret:
        assert secret not in webhook_bot.log_path.read_text(encoding="utf-8")


def test_an_update_delivered_twice_is_answered_once(
    webhook_bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    update = telegram.push_text(chat_id, "도움말")
    telegram.wait_for(chat_id, 1)
    telegram.redeliver(update)  # Telegram did not see the first 200, so it sends it again
    telegram.push_text(chat_id, "고마워요")  # handled after the redelivery: same chat, in order
    replies = telegram.wait_for(chat_id, 2)
    assert HELP_TEXT in replies[0].text and "천만에요" in replies[1].text
    assert len(telegram.messages_to(chat_id)) == 2
    assert [status for update_id, status in telegram.webhook_deliveries if update_id == update["update_id"]] == [200, 200]


def test_an_oversized_request_is_refused_before_its_body_is_read(
    webhook_bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    assert telegram.webhook is not None
    url = urlsplit(telegram.webhook["url"])
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        connection.putrequest("POST", url.path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("X-Telegram-Bot-Api-Secret-Token", SECRET)
        connection.putheader("Content-Length", str(MAX_UPDATE_BYTES + 1))
        connection.endheaders()  # and no body: the answer must not wait for it
        assert connection.getresponse().status == 400
    finally:
        connection.close()
    telegram.push_text(chat_id, "도움말")
    assert HELP_TEXT in telegram.wait_for(chat_id, 1)[0].text


def test_webhook_mode_refuses_to_start_without_its_secret(stack: RunningStack, tmp_path: Path) -> None:
    env = dict(stack.env, TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN", BOT_MODE="webhook",
               TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram", TELEGRAM_WEBHOOK_SECRET="")
    bot = bot_process(env=env, log_dir=tmp_path)
    bot.start()
    assert bot.wait() != 0
    bot.stop()
    assert "BOT_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET" in bot.log_path.read_text(encoding="utf-8")
