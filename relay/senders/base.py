"""What the relay needs from a messenger: send a text, send a voice note, and say why not."""

from __future__ import annotations

from typing import Any, Protocol


class DeliveryError(Exception):
    """A push the messenger did not take; ``reason`` is stored with the row (never a push text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(DeliveryError):
    """The messenger asks every sender of this bot to wait ``seconds`` (Telegram's 429)."""

    def __init__(self, reason: str, seconds: float) -> None:
        super().__init__(reason)
        self.seconds = seconds


class ChatBlocked(DeliveryError):
    """The chat blocked the bot (Telegram's 403): nothing reaches it until it writes again."""


class Refused(DeliveryError):
    """The messenger refused this push for good (Telegram's 400)."""


class TemporaryFailure(DeliveryError):
    """A timeout or network error: the push may go through if tried later; ``kind`` names it."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.kind = kind


class Sender(Protocol):
    """Delivers to one messenger's chats; raises a ``DeliveryError`` when a push did not go out.

    A chat is a Telegram chat id, or the sender id of a chat on a messenger without numeric
    ids (relay/senders/messengers.py routes each to its messenger).
    """

    async def send_text(self, chat_id: Any, text: str) -> None:
        """Send one push's text."""
        ...

    async def send_voice(self, chat_id: Any, audio: bytes) -> None:
        """Send a voice note (OGG/Opus) after its text."""
        ...
