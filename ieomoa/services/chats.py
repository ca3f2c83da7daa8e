"""Chats: who has started talking to the bot, and when."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import Chat, utcnow


@dataclass(frozen=True)
class ChatVisit:
    """Outcome of a session start: whether the chat is new and how many sessions it had."""

    sender_id: str
    is_new: bool
    session_count: int


class ChatService:
    """Records chats as their conversations start."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record_session_start(self, sender_id: str, channel: str) -> ChatVisit:
        """Create the chat on its first session, otherwise count one more session."""
        try:
            with self._sessions.begin() as session:
                chat = session.scalar(select(Chat).where(Chat.sender_id == sender_id))
                if chat is None:
                    session.add(Chat(sender_id=sender_id, channel=channel))
                    return ChatVisit(sender_id, is_new=True, session_count=1)
                chat.session_count += 1
                chat.last_seen_at = utcnow()
                return ChatVisit(sender_id, is_new=False, session_count=chat.session_count)
        except IntegrityError:
            # Two first messages raced; the other one created the chat.
            return self.record_session_start(sender_id, channel)

    def record_greeting(self, sender_id: str, channel: str) -> int:
        """Count a greeting and return how many greetings this chat had before it."""
        self._ensure(sender_id, channel)
        with self._sessions.begin() as session:
            chat = session.scalar(
                select(Chat).where(Chat.sender_id == sender_id).with_for_update()
            )
            assert chat is not None
            previous = chat.greeting_count
            chat.greeting_count = previous + 1
            chat.last_seen_at = utcnow()
            return previous

    def _ensure(self, sender_id: str, channel: str) -> None:
        """Create the chat row if it does not exist yet."""
        try:
            with self._sessions.begin() as session:
                if session.scalar(select(Chat.id).where(Chat.sender_id == sender_id)) is None:
                    session.add(Chat(sender_id=sender_id, channel=channel))
        except IntegrityError:
            pass  # created concurrently

    def set_voice_mode(self, sender_id: str, channel: str, on: bool) -> None:
        """Remember per chat whether every message also comes as a voice note."""
        self._ensure(sender_id, channel)
        with self._sessions.begin() as session:
            chat = session.scalar(select(Chat).where(Chat.sender_id == sender_id))
            assert chat is not None
            chat.voice_mode = on

    def voice_mode(self, sender_id: str) -> bool:
        """True when this chat hears replies as voice notes."""
        with self._sessions() as session:
            return bool(session.scalar(select(Chat.voice_mode).where(Chat.sender_id == sender_id)))

    def get(self, sender_id: str) -> Chat | None:
        """The chat with this sender id, if any."""
        with self._sessions() as session:
            return session.scalar(select(Chat).where(Chat.sender_id == sender_id))
