"""Erasure on request: "내 정보 지워 주세요" asks once, then deletes everything."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services

CONFIRMATION = "utter_confirm_delete_my_data"
CONFIRMED = "확인"
# Tells the bot to delete the conversation from Rasa's tracker store once the turn is saved.
ERASE_CONVERSATION = {"erase_conversation": True}


def last_bot_response(tracker: Tracker) -> str | None:
    """The response name of the bot's message before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            return (event.get("metadata") or {}).get("utter_action")
    return None


def confirmed(tracker: Tracker) -> bool:
    """The confirmation button, or a yes / a second request right after the question."""
    if any(e.get("entity") == "answer" and e.get("value") == CONFIRMED for e in tracker.latest_message.get("entities", [])):
        return True
    return (
        tracker.get_intent_of_latest_message() in ("affirm", "delete_my_data")
        and last_bot_response(tracker) == CONFIRMATION
    )


class ActionDeleteMyData(Action):
    """Asks for confirmation; once confirmed, erases the chat's data and conversation."""

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not confirmed(tracker):
            if tracker.get_intent_of_latest_message() == "affirm":
                dispatcher.utter_message(response="utter_anything_else")
                return []
            dispatcher.utter_message(response=CONFIRMATION)
            # A pending summary must not take the coming "네" as "submit".
            pause = [ActiveLoop(None)] if tracker.active_loop_name else []
            return pause + [SlotSet("awaiting_confirmation", False)]
        report = await asyncio.to_thread(services.erasure().erase, tracker.sender_id)
        if report.applications:
            dispatcher.utter_message(response="utter_data_deleted", count=len(report.applications))
        else:
            dispatcher.utter_message(response="utter_data_deleted_no_application")
        dispatcher.utter_message(json_message=ERASE_CONVERSATION)
        return [ActiveLoop(None), AllSlotsReset()]
