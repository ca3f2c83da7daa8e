"""How a chat is spoken to: voice notes, their speed and 쉬운 말, remembered in the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.kakao_voice import voice_is_telegram_only
from ieomoa.channels import channel_of
from ieomoa.services.chats import ChatService

Setter = Callable[[ChatService], Callable[[str, str, bool], None]]


async def switch(tracker: Tracker, on_intent: str, setter: Setter) -> bool:
    """Store the choice the latest intent makes (on for ``on_intent``) and return it."""
    on = tracker.get_intent_of_latest_message() == on_intent
    sender = tracker.sender_id
    await asyncio.to_thread(setter(services.chats()), sender, channel_of(sender), on)
    return on


class ActionSetVoiceMode(Action):
    """"음성으로 들려주세요" / "소리 끄기"."""

    def name(self) -> str:
        return "action_set_voice_mode"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if voice_is_telegram_only(tracker, dispatcher):
            return []
        on = await switch(tracker, "voice_on", lambda chats: chats.set_voice_mode)
        dispatcher.utter_message(response="utter_voice_on" if on else "utter_voice_off")
        return []


class ActionSetVoiceSpeed(Action):
    """"천천히 말해 주세요" / "보통 속도로 읽어 주세요"."""

    def name(self) -> str:
        return "action_set_voice_speed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if voice_is_telegram_only(tracker, dispatcher):
            return []
        slow = await switch(tracker, "voice_slow", lambda chats: chats.set_voice_speed)
        dispatcher.utter_message(response="utter_voice_slow" if slow else "utter_voice_normal")
        return []


class ActionSetEasyRead(Action):
    """"쉬운 말로 해 주세요" / "보통 말로 해 주세요": the easy_read slot picks response variations."""

    def name(self) -> str:
        return "action_set_easy_read"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        on = await switch(tracker, "easy_read_on", lambda chats: chats.set_easy_read)
        # Responses are rendered before the SlotSet applies, so each of these two is written
        # in the style it switches to.
        dispatcher.utter_message(response="utter_easy_read_on" if on else "utter_easy_read_off")
        return [SlotSet("easy_read", on)]
