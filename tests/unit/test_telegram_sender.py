"""Telegram's sender turns Bot API errors into the relay's outcomes, with the reasons rows keep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from relay.senders.base import ChatBlocked, DeliveryError, RateLimited, Refused, TemporaryFailure
from relay.senders.telegram import TelegramSender


class FailingBot:
    """A Bot whose every call raises ``error``; records the calls."""

    def __init__(self, error: TelegramError | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, int]] = []

    async def _call(self, method: str, chat_id: int) -> None:
        self.calls.append((method, chat_id))
        if self.error is not None:
            raise self.error

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        await self._call("sendMessage", chat_id)

    async def send_voice(self, chat_id: int, voice: bytes, **_: Any) -> None:
        await self._call("sendVoice", chat_id)


async def outcome_of(error: TelegramError) -> DeliveryError:
    with pytest.raises(DeliveryError) as raised:
        await TelegramSender(FailingBot(error)).send_text(7, "알림")  # type: ignore[arg-type]
    return raised.value


async def test_each_bot_api_error_becomes_the_relays_outcome() -> None:
    rate_limited = await outcome_of(RetryAfter(timedelta(seconds=30)))
    assert isinstance(rate_limited, RateLimited) and rate_limited.seconds == 30 and rate_limited.reason == "429"
    blocked = await outcome_of(Forbidden("Forbidden: bot was blocked by the user"))
    assert isinstance(blocked, ChatBlocked) and blocked.reason == "403: Forbidden: bot was blocked by the user"
    refused = await outcome_of(BadRequest("Chat not found"))  # a BadRequest is a NetworkError too
    assert isinstance(refused, Refused) and refused.reason == "400: Chat not found"
    timed_out = await outcome_of(TimedOut())
    assert isinstance(timed_out, TemporaryFailure) and timed_out.kind == "TimedOut"
    assert timed_out.reason.startswith("TimedOut: ")
    network = await outcome_of(NetworkError("connection reset"))
    assert isinstance(network, TemporaryFailure) and network.reason == "NetworkError: connection reset"


async def test_other_errors_and_successes_pass_through() -> None:
    with pytest.raises(Conflict):
        await TelegramSender(FailingBot(Conflict("terminated by other getUpdates"))).send_text(7, "알림")  # type: ignore[arg-type]
    bot = FailingBot()
    sender = TelegramSender(bot)  # type: ignore[arg-type]
    await sender.send_text(7, "알림")
    await sender.send_voice(7, b"OggS")
    assert bot.calls == [("sendMessage", 7), ("sendVoice", 7)]
