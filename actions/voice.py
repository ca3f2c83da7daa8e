"""Voice mode on and off, remembered per chat in the database (the bot reads it)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from ieomoa.channels import channel_of


class ActionSetVoiceMode(Action):
    """"음성으로 들려주세요" / "소리 끄기"."""

    def name(self) -> str:
        return "action_set_voice_mode"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        on = tracker.get_intent_of_latest_message() == "voice_on"
        sender = tracker.sender_id
        await asyncio.to_thread(services.chats().set_voice_mode, sender, channel_of(sender), on)
        dispatcher.utter_message(response="utter_voice_on" if on else "utter_voice_off")
        return []
