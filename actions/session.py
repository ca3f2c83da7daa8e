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
    """Starts a session, carries slots over and records the chat in the database."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        sender_id = tracker.sender_id
        await asyncio.to_thread(services.chats().record_session_start, sender_id, channel_of(sender_id))
        events: list[EventType] = [SessionStarted()]
        # Slots carried over from the last session (domain: carry_over_slots_to_new_session).
        events.extend(
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name != "session_started_metadata"
        )
        events.append(ActionExecuted("action_listen"))
        return events
