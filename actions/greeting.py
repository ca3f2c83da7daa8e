"""Greeting: a full introduction the first time, a short welcome back afterwards.

Until a chat has chosen voice notes or 쉬운 말, each greeting offers both.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from ieomoa.channels import channel_of


class ActionGreetUser(Action):
    """Greets by what the database knows of this chat."""

    def name(self) -> str:
        return "action_greet_user"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        sender_id = tracker.sender_id
        chats = services.chats()
        previous = await asyncio.to_thread(chats.record_greeting, sender_id, channel_of(sender_id))
        dispatcher.utter_message(response="utter_greet" if previous == 0 else "utter_greet_back")
        preferences = await asyncio.to_thread(chats.preferences, sender_id)
        if not (preferences.voice or preferences.easy_read):
            # KakaoTalk cannot play voice notes: only 쉬운 말 is offered there.
            kakao = channel_of(sender_id) == "kakao"
            dispatcher.utter_message(response="utter_offer_easy_read" if kakao else "utter_offer_accessibility")
        return []
