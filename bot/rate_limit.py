"""The bot's replies within Telegram's limits, through PTB's AIORateLimiter.

Telegram allows a bot about 30 messages a second overall, 20 a minute in a group, and in one
chat about one a second with short bursts; over that it answers 429 with ``retry_after``
(docs/facts.md). PTB's AIORateLimiter paces the overall and group limits and, on a 429,
holds every request for ``retry_after`` and sends again; it has no limit for a private chat,
so this adds one: a burst of a few messages, then one a second. The relay that sends status
pushes is a separate process with its own pacing (relay/).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
CHAT_BURST = 3  # messages one chat may get at once (a reply, its buttons' note, a voice note)
CHAT_PER_SECOND = 1
RETRIES_AFTER_429 = 5
_KEEP_CHAT_LIMITERS = 512  # above this many, idle chats' limiters are dropped


def sends_a_message(endpoint: str) -> bool:
    """Bot API methods that put a message into a chat (a chat action or an edit does not)."""
    return endpoint.startswith(("send", "copy", "forward")) and endpoint != "sendChatAction"


class TelegramRateLimiter(AIORateLimiter):
    """AIORateLimiter with Telegram's numbers, plus a per-chat pace for private chats."""

    def __init__(self) -> None:
        super().__init__(
            overall_max_rate=OVERALL_PER_SECOND, overall_time_period=1,
            group_max_rate=GROUP_PER_MINUTE, group_time_period=60,
            max_retries=RETRIES_AFTER_429,
        )
        self._chats: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: object, endpoint: str) -> AsyncLimiter | None:
        """The pace of one private chat (positive ids; groups have PTB's own limit)."""
        if not sends_a_message(endpoint):
            return None
        try:
            chat = int(chat_id)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return None
        if chat <= 0:
            return None
        if len(self._chats) > _KEEP_CHAT_LIMITERS:
            for key, limiter in list(self._chats.items()):
                if key != chat and limiter.has_capacity(limiter.max_rate):
                    del self._chats[key]
        if chat not in self._chats:
            self._chats[chat] = AsyncLimiter(CHAT_BURST, CHAT_BURST / CHAT_PER_SECOND)
        return self._chats[chat]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the chat's pace, then for PTB's overall pace (and a 429's pause)."""
        limiter = self._chat_limiter(data.get("chat_id"), endpoint)
        async with limiter if limiter is not None else contextlib.nullcontext():
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
