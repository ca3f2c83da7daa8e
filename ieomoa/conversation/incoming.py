"""What a channel hands the core: one incoming message, whatever messenger it came from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IncomingKind(StrEnum):
    """The kinds of message every channel can tell apart."""

    TEXT = "text"  # typed words
    BUTTON = "button"  # a press of a button the core issued: ``value`` is its token
    COMMAND = "command"  # "/start", "/help@ieomoa_bot": ``value`` is the command name
    VOICE = "voice"  # a voice note (not understood yet)
    OTHER = "other"  # stickers, photos, files, locations ...


@dataclass(frozen=True)
class Incoming:
    """One message from a person, reduced to what the conversation needs."""

    kind: IncomingKind
    value: str = ""

    @classmethod
    def text(cls, text: str) -> Incoming:
        """Typed words."""
        return cls(IncomingKind.TEXT, text)

    @classmethod
    def button(cls, token: str) -> Incoming:
        """A button press carrying the token the core issued."""
        return cls(IncomingKind.BUTTON, token)

    @classmethod
    def voice(cls) -> Incoming:
        """A voice note."""
        return cls(IncomingKind.VOICE)

    @classmethod
    def other(cls) -> Incoming:
        """Content the assistant cannot read (stickers, photos, files)."""
        return cls(IncomingKind.OTHER)

    @classmethod
    def command(cls, text: str) -> Incoming:
        """A command: "privacy" for "/privacy" or "/privacy@ieomoa_bot …"."""
        first = text.split(maxsplit=1)[0] if text.strip() else ""
        return cls(IncomingKind.COMMAND, first.removeprefix("/").split("@", 1)[0].lower())
