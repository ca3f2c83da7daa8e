"""Button tokens: short callback_data bound to one chat, used once, expiring.

Telegram allows only 64 bytes of callback_data, so a payload stays in the database behind a
random token. A token works only in the chat it was shown to, only once, and only while its
keyboard is the chat's latest (checked by the caller against ``KeyboardService``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.conversation.typed_choices import Choice
from ieomoa.db_results import rows_matched
from ieomoa.models import ButtonToken, utcnow

TOKEN_PREFIX = "b:"
CALLBACK_DATA_LIMIT = 64
TOKEN_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class PressedButton:
    """A button press accepted: what the button sends."""

    payload: str
    title: str


class ButtonRegistry:
    """Issues callback_data for buttons and takes each one back once."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def issue(self, sender_id: str, payload: str, title: str) -> str:
        """callback_data for one button shown to ``sender_id``."""
        return self.issue_keyboards(sender_id, [[Choice(title, payload)]])[0][0].token

    def issue_keyboards(self, sender_id: str, keyboards: Sequence[Sequence[Choice]]) -> list[list[Choice]]:
        """The keyboards with a fresh token on every button, stored in one transaction."""
        expires = utcnow() + TOKEN_LIFETIME
        issued = [[Choice(c.title, c.payload, TOKEN_PREFIX + secrets.token_urlsafe(12)) for c in k] for k in keyboards]
        if any(issued):
            with self._sessions.begin() as session:
                session.add_all(
                    ButtonToken(token=c.token, sender_id=sender_id, payload=c.payload, title=c.title, expires_at=expires)
                    for k in issued for c in k
                )
        return issued

    def press(self, sender_id: str, callback_data: str) -> PressedButton | None:
        """The button, if this chat may press it now; it cannot be pressed again."""
        if not callback_data.startswith(TOKEN_PREFIX):
            return None
        now = utcnow()
        with self._sessions.begin() as session:
            claimed = rows_matched(session.execute(
                update(ButtonToken)
                .where(
                    ButtonToken.token == callback_data,
                    ButtonToken.sender_id == sender_id,
                    ButtonToken.used_at.is_(None),
                    ButtonToken.expires_at > now,
                )
                .values(used_at=now)
            ))
            if claimed != 1:
                return None
            row = session.scalar(select(ButtonToken).where(ButtonToken.token == callback_data))
            assert row is not None
            return PressedButton(row.payload, row.title)

    def forget_chat(self, sender_id: str) -> None:
        """Drop every token of a chat (erasure)."""
        with self._sessions.begin() as session:
            session.execute(delete(ButtonToken).where(ButtonToken.sender_id == sender_id))

    def forget_expired(self) -> int:
        """Drop tokens past their lifetime or used more than a day ago."""
        now = utcnow()
        with self._sessions.begin() as session:
            return rows_matched(session.execute(
                delete(ButtonToken).where(
                    (ButtonToken.expires_at < now) | (ButtonToken.used_at < now - timedelta(days=1))
                )
            ))
