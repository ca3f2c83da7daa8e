"""The Bot API stand-in lives in bench/support/telegram_standin.py (the benchmarks drive the bot
through it too, and bench/ imports nothing from tests/); tests keep importing it from here."""

from bench.support.telegram_standin import SECRET_HEADER, SentMessage, TelegramStandIn

__all__ = ["SECRET_HEADER", "SentMessage", "TelegramStandIn"]
