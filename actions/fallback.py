"""Core fallback, served by the action server on purpose.

When the action server itself is down, Rasa's built-in fallback would say "I did not
understand", blaming the user's words. Served from here, the fallback fails too, Rasa
returns nothing, and the bot asks the user to send the message again.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher


class ActionCoreFallback(Action):
    """Says it did not understand and forgets the turn, like Rasa's default fallback."""

    def name(self) -> str:
        return "action_core_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
