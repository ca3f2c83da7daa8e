"""Sender ids: how each channel names its conversations in Rasa."""

from __future__ import annotations

TELEGRAM_PREFIX = "tg-"
TERMINAL_PREFIX = "cli-"
KAKAO_PREFIX = "kakao-"


def telegram_sender(chat_id: int) -> str:
    """Rasa sender id of a Telegram chat."""
    return f"{TELEGRAM_PREFIX}{chat_id}"


def kakao_sender(user_key: str) -> str:
    """Rasa sender id of a KakaoTalk user (the bot-scoped ``botUserKey``)."""
    return f"{KAKAO_PREFIX}{user_key}"


def kakao_user_key(sender_id: str) -> str | None:
    """KakaoTalk user key of a sender id, or None for other channels."""
    if not sender_id.startswith(KAKAO_PREFIX):
        return None
    return sender_id[len(KAKAO_PREFIX):] or None


def channel_of(sender_id: str) -> str:
    """Channel name of a sender id."""
    if sender_id.startswith(TELEGRAM_PREFIX):
        return "telegram"
    if sender_id.startswith(KAKAO_PREFIX):
        return "kakao"
    if sender_id.startswith(TERMINAL_PREFIX):
        return "terminal"
    return "other"


def telegram_chat_id(sender_id: str) -> int | None:
    """Telegram chat id of a sender id, or None for other channels."""
    if not sender_id.startswith(TELEGRAM_PREFIX):
        return None
    try:
        return int(sender_id[len(TELEGRAM_PREFIX):])
    except ValueError:
        return None
