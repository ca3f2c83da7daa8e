"""Slot helpers shared by the application actions."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

from actions.fields import FORM_SLOTS


def reset_application_slots() -> list[EventType]:
    """Forget the whole draft (after submission, cancel or a refused consent)."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [
        SlotSet("draft_id", None),
        SlotSet("question_asks", None),
        SlotSet("field_to_correct", None),
        SlotSet("awaiting_confirmation", False),
        SlotSet("requested_slot", None),
    ]
