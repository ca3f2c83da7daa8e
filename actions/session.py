"""Session start: remember that this chat has started a conversation."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from ieomoa.channels import channel_of


class ActionSessionStart(Action):
    """Starts a session, carries slots over, records the chat and restores its easy-read choice."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        sender_id = tracker.sender_id
        chats = services.chats()
        await asyncio.to_thread(chats.record_session_start, sender_id, channel_of(sender_id))
        preferences = await asyncio.to_thread(chats.preferences, sender_id)
        events: list[EventType] = [SessionStarted()]
        # Slots carried over from the last session (domain: carry_over_slots_to_new_session).
        events.extend(
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name not in ("session_started_metadata", "easy_read")
        )
        # The database is where the bot and the relay read the choice too, so it wins.
        events.append(SlotSet("easy_read", preferences.easy_read))
        events.append(ActionExecuted("action_listen"))
        return events
