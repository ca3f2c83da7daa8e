"""A restart of Rasa and the action server keeps the conversation and what actions stored."""

from __future__ import annotations

import uuid

from ieomoa.db import session_factory
from ieomoa.services.chats import ChatService
from tests.support.stack import RasaApi, RunningStack, stored_events


def test_conversation_and_chat_record_survive_restart(stack: RunningStack) -> None:
    rasa = RasaApi(stack)
    sender = f"tg-{uuid.uuid4().int % 10**9}"

    greeting = rasa.send(sender, "안녕하세요")
    assert "이어모아" in greeting[0]["text"]
    rasa.send(sender, "부산에 살아요")
    assert rasa.tracker(sender)["slots"]["mentioned_region"] == "부산광역시"

    stack.restart()
    rasa = RasaApi(stack)

    assert rasa.tracker(sender)["slots"]["mentioned_region"] == "부산광역시"
    # The action server wrote the chat to the app database; a second greeting reads it.
    chat = ChatService(session_factory(stack.database_url)).get(sender)
    assert chat is not None and chat.channel == "telegram"
    again = rasa.send(sender, "안녕하세요")
    assert "다시 오셨네요" in again[0]["text"]


def test_conversation_is_encrypted_at_rest(stack: RunningStack) -> None:
    rasa = RasaApi(stack)
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    rasa.send(sender, "부산에 살아요")
    stored = stored_events(stack, sender)
    assert stored and not any("부산" in data or data.startswith("{") for data in stored)
    # Rasa itself reads it back: the message and the slot it set.
    tracker = rasa.tracker(sender)
    assert any(e.get("text") == "부산에 살아요" for e in tracker["events"])
    assert tracker["slots"]["mentioned_region"] == "부산광역시"
