"""Whole turns of the real bot: an update sent, then everything it answered once it is done.

The bot marks an update done in ``processed_updates`` after its handlers ran to the end (every
reply sent), so waiting for that mark needs no guess about how many replies a turn has.
"""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import ProcessedUpdate
from tests.support.telegram_standin import SentMessage, TelegramStandIn

# A placeholder Rasa could not fill ("{summary}") or a value that was never set.
UNFILLED = re.compile(r"\{[^{}\n]*\}|\bNone\b|\bnull\b|\bTrue\b|\bFalse\b")


def wait_until_done(sessions: sessionmaker[Session], update_id: int, timeout: float = 120.0) -> None:
    """Block until the bot has finished handling one update."""
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as session:
            row = session.get(ProcessedUpdate, update_id)
            if row is not None and row.done_at is not None:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"update {update_id} was never finished")
        time.sleep(0.05)


class Turns:
    """One chat with the bot, turn by turn: each call returns what that turn answered."""

    def __init__(self, telegram: TelegramStandIn, sessions: sessionmaker[Session], chat_id: int) -> None:
        self.telegram, self.sessions, self.chat_id = telegram, sessions, chat_id
        self.seen = 0

    def _settle(self, update: dict[str, Any]) -> list[SentMessage]:
        wait_until_done(self.sessions, update["update_id"])
        replies = self.telegram.messages_to(self.chat_id)[self.seen:]
        self.seen += len(replies)
        return replies

    def say(self, text: str) -> list[SentMessage]:
        """Type ``text``; the replies of that turn."""
        return self._settle(self.telegram.push_text(self.chat_id, text))

    def tap(self, button: dict[str, Any], on: SentMessage) -> list[SentMessage]:
        """Tap ``button`` of the message ``on``; the replies of that turn."""
        return self._settle(self.telegram.press(self.chat_id, button, on=on))

    def texts(self) -> list[str]:
        """Every text the bot sent to this chat."""
        return [m.text for m in self.telegram.messages_to(self.chat_id)]


def unfilled_in(texts: list[str]) -> list[str]:
    """The texts that show a placeholder or a Python/JSON value instead of words."""
    return [text for text in texts if UNFILLED.search(text)]
