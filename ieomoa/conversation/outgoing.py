"""Rasa's replies as channel-neutral messages: text, then numbered choices, one per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ieomoa.conversation.rasa_client import RasaReply
from ieomoa.speech.fixed_texts import FixedTexts

DEFAULT_TEXT_LIMIT = 4096  # Telegram's; a channel passes its own
BUTTONS_ONLY_TEXT = "아래에서 골라 주세요."


@dataclass(frozen=True)
class OutgoingButton:
    """One choice under a message: the title shown and the opaque token a press sends back."""

    title: str
    token: str


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to send; ``personal`` unless it is known to carry no user value."""

    text: str
    buttons: tuple[OutgoingButton, ...] = ()
    personal: bool = True


def split_text(text: str, limit: int = DEFAULT_TEXT_LIMIT) -> list[str]:
    """Split text into parts a channel accepts, preferring line breaks and sentence ends."""
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(". ", 0, limit) + 1)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def render_replies(
    replies: list[RasaReply], token_for: Callable[[str, str], str], fixed: FixedTexts | None = None,
    text_limit: int = DEFAULT_TEXT_LIMIT,
) -> list[OutgoingMessage]:
    """Messages for Rasa's replies; ``token_for(payload, title)`` names each button.

    A reply is marked not personal only when ``fixed`` covers its text and button titles.
    Buttons go with the last part of a long text, so they stay under what they answer.
    """
    fixed = fixed or FixedTexts()
    messages: list[OutgoingMessage] = []
    for reply in replies:
        text = (reply.get("text") or "").strip()
        buttons = [b for b in reply.get("buttons") or [] if b.get("title") and b.get("payload")]
        if not text and not buttons:
            continue
        choices = tuple(OutgoingButton(b["title"], token_for(b["payload"], b["title"])) for b in buttons)
        personal = not fixed.covers(text, [b["title"] for b in buttons])
        parts = split_text(text or BUTTONS_ONLY_TEXT, text_limit)
        messages.extend(OutgoingMessage(part, personal=personal) for part in parts[:-1])
        messages.append(OutgoingMessage(parts[-1], choices, personal))
    return messages
