"""Turn Rasa replies into Telegram messages: text plus buttons as an inline keyboard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.rasa_client import RasaReply
from ieomoa.speech.fixed_texts import FixedTexts

TELEGRAM_TEXT_LIMIT = 4096
BUTTONS_ONLY_TEXT = "아래에서 골라 주세요."


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram message to send; ``personal`` unless it is known to carry no user value."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    personal: bool = True


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split text into Telegram-sized parts, preferring line breaks and sentence ends."""
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
    replies: list[RasaReply], callback_data_for: Callable[[str, str], str], fixed: FixedTexts | None = None
) -> list[OutgoingMessage]:
    """Messages for Rasa's replies; each button payload becomes short callback_data.

    A reply is marked not personal only when ``fixed`` covers its text and button titles.
    """
    fixed = fixed or FixedTexts()
    messages: list[OutgoingMessage] = []
    for reply in replies:
        text = (reply.get("text") or "").strip()
        buttons = [b for b in reply.get("buttons") or [] if b.get("title") and b.get("payload")]
        if not text and not buttons:
            continue
        keyboard = None
        if buttons:
            # One button per row: read in order by screen readers, no cut-off Korean titles.
            keyboard = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b["title"], callback_data=callback_data_for(b["payload"], b["title"]))]
                    for b in buttons
                ]
            )
        personal = not fixed.covers(text, [b["title"] for b in buttons])
        parts = split_text(text or BUTTONS_ONLY_TEXT)
        messages.extend(OutgoingMessage(part, personal=personal) for part in parts[:-1])
        messages.append(OutgoingMessage(parts[-1], keyboard, personal))
    return messages
