"""Chats: who has started talking to the bot, and when."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.channels import telegram_chat_id
from ieomoa.db_results import rows_matched
from ieomoa.models import BlockedChat, Chat, utcnow


@dataclass(frozen=True)
class ChatPreferences:
    """How a chat wants to be spoken to."""

    voice: bool = False
    slow: bool = False
    easy_read: bool = False


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
        self._update(sender_id, channel, voice_mode=on)

    def set_voice_speed(self, sender_id: str, channel: str, slow: bool) -> None:
        """Slower speech ("천천히 말해 주세요") turns voice notes on as well."""
        self._update(sender_id, channel, voice_slow=slow, **({"voice_mode": True} if slow else {}))

    def set_easy_read(self, sender_id: str, channel: str, on: bool) -> None:
        """Remember per chat whether replies use 쉬운 말."""
        self._update(sender_id, channel, easy_read=on)

    def preferences(self, sender_id: str) -> ChatPreferences:
        """Voice, speed and easy-read choices of this chat (all off for an unknown chat)."""
        with self._sessions() as session:
            row = session.execute(
                select(Chat.voice_mode, Chat.voice_slow, Chat.easy_read).where(Chat.sender_id == sender_id)
            ).one_or_none()
        return ChatPreferences() if row is None else ChatPreferences(*map(bool, row))

    def _update(self, sender_id: str, channel: str, **values: bool) -> None:
        self._ensure(sender_id, channel)
        with self._sessions.begin() as session:
            chat = session.scalar(select(Chat).where(Chat.sender_id == sender_id))
            assert chat is not None
            for name, value in values.items():
                setattr(chat, name, value)

    def resume_pushes(self, sender_id: str) -> bool:
        """The chat wrote to the bot, so it no longer blocks it: status pushes go out again.

        True when a block (recorded by the relay on a 403) was lifted.
        """
        chat_id = telegram_chat_id(sender_id)
        if chat_id is None:
            return False
        with self._sessions.begin() as session:
            return bool(rows_matched(session.execute(delete(BlockedChat).where(BlockedChat.chat_id == chat_id))))

    def get(self, sender_id: str) -> Chat | None:
        """The chat with this sender id, if any."""
        with self._sessions() as session:
            return session.scalar(select(Chat).where(Chat.sender_id == sender_id))
