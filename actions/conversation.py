"""Conversation helpers: repeat the last thing the bot said; say back a region named outside the form."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher


class ActionRepeatLastMessage(Action):
    """"다시 말해 주세요": the bot's last message again, buttons included."""

    def name(self) -> str:
        return "action_repeat_last_message"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        for event in reversed(tracker.events):
            if event.get("event") == "bot" and event.get("text"):
                data = event.get("data") or {}
                dispatcher.utter_message(text=event["text"], buttons=data.get("buttons") or [])
                return []
        dispatcher.utter_message(response="utter_nothing_to_repeat")
        return []


class ActionNoteRegion(Action):
    """A region named outside the form ("부산에 살아요") is said back.

    Only a region in this very message: an ``inform`` without one (the slot may be empty, or
    hold a region from long ago) gets the usual "I did not understand", never "None".
    """

    def name(self) -> str:
        return "action_note_region"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        region = next(tracker.get_latest_entity_values("region"), None)
        if isinstance(region, str) and region.strip():
            dispatcher.utter_message(response="utter_region_noted", region_name=region.strip())
        else:
            dispatcher.utter_message(response="utter_default")
        return []
