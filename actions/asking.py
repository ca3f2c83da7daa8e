"""Asking a form question with its progress ("3/16."); the third time in a row, how to answer and a way out."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fields import FORM_SLOTS, progress, required_fields

QUESTION_ASKS_SLOT = "question_asks"
WAY_OUT_FROM_ASK = 3

# How each question is answered, for the way-out message (utter_way_out_<kind>).
ANSWER_KINDS: dict[str, str] = {
    "consent_collection": "yes_no", "consent_sensitive": "yes_no", "consent_kead": "yes_no",
    "consent_local_center": "yes_no", "consent_edu_office": "yes_no", "special_education": "yes_no",
    "disability_types": "choice", "severity": "choice", "education": "choice",
    "employment_type": "choice", "support_needs": "choice", "contact_preference": "choice",
    "applicant_name": "name", "birth_date": "date", "phone": "phone", "region": "region",
    "school": "school", "jobs": "jobs",
}
ORDINAL_TIMES = {3: "세 번째", 4: "네 번째", 5: "다섯 번째", 6: "여섯 번째", 7: "일곱 번째",
                 8: "여덟 번째", 9: "아홉 번째", 10: "열 번째"}


def asks_so_far(tracker: Tracker, slot: str) -> int:
    """How many times in a row ``slot``'s question has been asked (0 if another one was last)."""
    asks = tracker.get_slot(QUESTION_ASKS_SLOT) or {}
    return int(asks.get("count", 0)) if isinstance(asks, dict) and asks.get("slot") == slot else 0


def times_phrase(count: int) -> str:
    """"세 번째", "열 번째", "12번째"."""
    return ORDINAL_TIMES.get(count, f"{count}번째")


class AskFormQuestion(Action):
    """action_ask_<slot>: the question with its progress, preceded from the third ask on by how to answer it."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        count = asks_so_far(tracker, self.slot) + 1
        if count >= WAY_OUT_FROM_ASK:
            # Each time with its count, so the same pair of messages never simply comes back.
            dispatcher.utter_message(response=f"utter_way_out_{ANSWER_KINDS[self.slot]}", times=times_phrase(count))
        # The questions' texts start with {progress}: counted from the fields that apply now.
        here = progress(self.slot, required_fields(FORM_SLOTS, tracker))
        dispatcher.utter_message(response=f"utter_ask_{self.slot}", progress=here)
        return [SlotSet(QUESTION_ASKS_SLOT, {"slot": self.slot, "count": count})]


# One registered action per question (rasa_sdk registers every Action subclass by name); each
# class is a module attribute so the action server's worker processes can import it by name.
ASK_ACTIONS = {
    slot: type(f"AskQuestion_{slot}", (AskFormQuestion,), {"slot": slot, "__doc__": f"Asks {slot}."})
    for slot in FORM_SLOTS
}
globals().update({action.__name__: action for action in ASK_ACTIONS.values()})
