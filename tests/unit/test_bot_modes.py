"""The bot's update settings (polling or webhook) and its reply pace."""

from __future__ import annotations

import asyncio

import pytest

from bot.rate_limit import CHAT_BURST, TelegramRateLimiter, sends_a_message
from bot.webhook import BotModeError, bot_mode, check_update_settings, webhook_config
from ieomoa.config import Settings, load_settings

SECRET = "s3cret_-0123456789abcdef"


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    """Settings as the bot would load them with these variables set (and the others unset)."""
    for name in ("BOT_MODE", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_PORT",
                 "IEOMOA_BIND_HOST", "TELEGRAM_WEBHOOK_SECRET_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def test_polling_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = settings(monkeypatch)
    assert bot_mode(loaded) == "polling"
    check_update_settings(loaded)  # nothing else is needed


def test_webhook_listens_on_loopback_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    config = webhook_config(settings(monkeypatch, BOT_MODE="webhook", TELEGRAM_WEBHOOK_SECRET=SECRET,
                                     TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/updates"))
    assert (config.listen, config.port, config.path, config.secret) == ("127.0.0.1", 8081, "/telegram/updates", SECRET)
    container = webhook_config(settings(monkeypatch, BOT_MODE="Webhook", TELEGRAM_WEBHOOK_SECRET=SECRET,
                                        TELEGRAM_WEBHOOK_URL="https://bot.example.org", IEOMOA_BIND_HOST="0.0.0.0",
                                        TELEGRAM_WEBHOOK_PORT="8443"))
    assert (container.listen, container.port, container.path) == ("0.0.0.0", 8443, "/")


@pytest.mark.parametrize("secret", ["", "short_secret", "has spaces in it, 1234567", "비밀번호비밀번호비밀번호비밀번호비밀번호", "x" * 257])
def test_webhook_mode_refuses_to_start_without_a_usable_secret(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    loaded = settings(monkeypatch, BOT_MODE="webhook", TELEGRAM_WEBHOOK_SECRET=secret,
                      TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram")
    with pytest.raises(BotModeError, match="TELEGRAM_WEBHOOK_SECRET") as refused:
        check_update_settings(loaded)
    assert "secrets.token_urlsafe" in str(refused.value)
    if secret:
        assert secret not in str(refused.value)  # a wrong secret is not echoed


@pytest.mark.parametrize("url", ["", "bot.example.org/telegram", "ftp://bot.example.org/"])
def test_webhook_mode_needs_the_public_url(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    loaded = settings(monkeypatch, BOT_MODE="webhook", TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_WEBHOOK_URL=url)
    with pytest.raises(BotModeError, match="TELEGRAM_WEBHOOK_URL"):
        check_update_settings(loaded)


def test_an_unknown_mode_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BotModeError, match="BOT_MODE must be 'polling' or 'webhook', not 'push'"):
        check_update_settings(settings(monkeypatch, BOT_MODE="push"))


def test_the_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    secret_file = tmp_path / "webhook_secret"
    secret_file.write_text(SECRET + "\n")
    loaded = settings(monkeypatch, BOT_MODE="webhook", TELEGRAM_WEBHOOK_SECRET_FILE=str(secret_file),
                      TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram")
    assert webhook_config(loaded).secret == SECRET


def test_only_messages_count_toward_a_chats_pace() -> None:
    assert sends_a_message("sendMessage") and sends_a_message("sendVoice") and sends_a_message("copyMessage")
    assert not sends_a_message("sendChatAction") and not sends_a_message("editMessageReplyMarkup")
    assert not sends_a_message("getUpdates") and not sends_a_message("answerCallbackQuery")


def test_a_private_chat_gets_a_short_burst_then_waits() -> None:
    limiter = TelegramRateLimiter()
    calls: list[int] = []

    async def send(chat_id: int) -> dict:
        calls.append(chat_id)
        return {}

    async def burst() -> None:
        for _ in range(CHAT_BURST):
            await limiter.process_request(send, (7,), {}, "sendMessage", {"chat_id": 7}, None)
        chat = limiter._chat_limiter(7, "sendMessage")
        assert chat is not None and not chat.has_capacity()  # the next message to chat 7 waits its turn
        other = limiter._chat_limiter(8, "sendMessage")
        assert other is not None and other.has_capacity()  # other chats are not held up

    asyncio.run(burst())
    assert calls == [7] * CHAT_BURST
    assert limiter._chat_limiter(-100123, "sendMessage") is None  # groups: PTB's own group limit
    assert limiter._chat_limiter(7, "sendChatAction") is None
