"""The bot's replies go through PTB's AIORateLimiter: a 429 is waited out, not shown to the user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import start_bot
from tests.support.stack import RunningStack
from tests.support.telegram_standin import TelegramStandIn


def too_many_requests(seconds: int) -> tuple[int, dict[str, Any]]:
    """Telegram's answer when the bot sends too fast."""
    return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {seconds}",
                 "parameters": {"retry_after": seconds}}


def test_a_reply_refused_with_429_arrives_once_telegram_accepts_again(
    stack: RunningStack, tmp_path: Path, chat_id: int
) -> None:
    telegram = TelegramStandIn().start()
    bot = start_bot(telegram, stack.env, tmp_path)
    try:
        telegram.fail_next_sends(too_many_requests(1), too_many_requests(1))
        telegram.push_text(chat_id, "도움말")
        [reply] = telegram.wait_for(chat_id, 1)
        assert "이렇게 도와드려요" in reply.text
        assert telegram.calls.count("sendMessage") == 3  # refused twice, then accepted
        telegram.push_text(chat_id, "고마워요")
        replies = telegram.wait_for(chat_id, 2)
        assert "천만에요" in replies[1].text
        assert len(telegram.messages_to(chat_id)) == 2  # no apology, nothing twice
        assert "Traceback" not in bot.log_path.read_text(encoding="utf-8")
    finally:
        bot.stop()
        telegram.stop()
