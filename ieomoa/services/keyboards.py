"""The keyboards each chat saw last, kept in the database so any bot replica can read them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.channels import channel_of
from ieomoa.conversation.typed_choices import Choice
from ieomoa.db_results import rows_matched
from ieomoa.models import Chat

Keyboards = list[list[Choice]]


class KeyboardService:
    """Remembers the buttons of a chat's last reply and gives them back."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def remember(self, sender_id: str, keyboards: Sequence[Sequence[Choice]]) -> None:
        """Replace what the chat saw last (an empty list: the last reply had no buttons)."""
        stored = [[{"title": c.title, "payload": c.payload, "token": c.token} for c in k] for k in keyboards if k] or None
        with self._sessions.begin() as session:
            changed = rows_matched(session.execute(
                update(Chat).where(Chat.sender_id == sender_id).values(keyboards=stored)
            ))
        if changed == 0 and stored is not None:
            try:
                with self._sessions.begin() as session:
                    session.add(Chat(sender_id=sender_id, channel=channel_of(sender_id), keyboards=stored))
            except IntegrityError:
                self.remember(sender_id, keyboards)  # created at the same moment elsewhere

    def current(self, sender_id: str) -> Keyboards:
        """The keyboards of the chat's last reply, newest last (none for an unknown chat)."""
        with self._sessions() as session:
            stored = session.scalar(select(Chat.keyboards).where(Chat.sender_id == sender_id))
        return [[Choice(b["title"], b["payload"], b.get("token", "")) for b in k] for k in stored or []]

    def shows(self, sender_id: str, token: str) -> bool:
        """True when a button with this token is on the chat's latest keyboards."""
        return bool(token) and any(c.token == token for k in self.current(sender_id) for c in k)
