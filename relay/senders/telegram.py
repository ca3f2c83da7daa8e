"""Telegram's sender: the Bot API calls of a push, and its errors as the relay's outcomes."""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from relay.senders.base import ChatBlocked, RateLimited, Refused, TemporaryFailure


def telegram_bot(token: str, base_url: str, base_file_url: str) -> Bot:
    """A Bot with a connection pool big enough for concurrent pushes."""
    request = HTTPXRequest(connection_pool_size=8, read_timeout=15, write_timeout=15, connect_timeout=5)
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)


def _seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def _raise_outcome(error: TelegramError) -> NoReturn:
    """The relay's outcome for a Bot API error (descriptions only: Telegram never echoes the text)."""
    if isinstance(error, RetryAfter):
        raise RateLimited("429", _seconds(error.retry_after)) from error
    if isinstance(error, Forbidden):
        raise ChatBlocked(f"403: {error.message[:150]}") from error
    if isinstance(error, BadRequest):
        raise Refused(f"400: {error.message[:150]}") from error
    if isinstance(error, (TimedOut, NetworkError)):
        kind = type(error).__name__
        raise TemporaryFailure(f"{kind}: {str(error)[:120]}", kind) from error
    raise error


class TelegramSender:
    """Delivers pushes through the Bot API; ``bot`` is a started ``telegram.Bot``."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send_text(self, chat_id: int, text: str) -> None:
        try:
            await self._bot.send_message(chat_id, text)
        except TelegramError as error:
            _raise_outcome(error)

    async def send_voice(self, chat_id: int, audio: bytes) -> None:
        try:
            await self._bot.send_voice(chat_id, audio)
        except TelegramError as error:
            _raise_outcome(error)
