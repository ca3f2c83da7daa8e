"""Caregivers: the applicant hands out codes and removes links; a caregiver enters a code."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from ieomoa.answers.dates import spoken_moment
from ieomoa.models import CaregiverLink
from ieomoa.services.caregivers import Redemption

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
# How code entry ended (the caregiver_code slot): linked, this chat blocked for an hour, or
# every chat paused because all of them together made too many wrong tries.
LINKED, BLOCKED, PAUSED = "linked", "blocked", "paused"
# Menu choices (the `answer` entity of the link_caregiver buttons).
REMOVE, REMOVE_ALL, REMOVE_ONE = "끊기", "끊기:모두", "끊기:"


def removal_buttons(links: list[CaregiverLink]) -> list[dict[str, str]]:
    """One button per linked caregiver, known by when they were linked, then "all"."""
    buttons = [
        {
            "title": f"{number}번 {spoken_moment(link.created_at)}에 연결한 보호자"
                     + (", 장애 정보도 봄" if link.share_sensitive else ""),
            "payload": f'/link_caregiver{{"answer": "{REMOVE_ONE}{link.id}"}}',
        }
        for number, link in enumerate(links, start=1)
    ]
    if len(links) > 1:
        buttons.append({"title": f"{len(links) + 1}번 모두 끊기", "payload": f'/link_caregiver{{"answer": "{REMOVE_ALL}"}}'})
    return buttons


def _spoken_digits(code: str) -> str:
    """"483921" → "4 8 3 9 2 1", so screen readers and voice read it digit by digit."""
    return " ".join(code)


class ActionCaregiverMenu(Action):
    """One entry for "보호자": codes and removal for applicants, code entry for caregivers."""

    def name(self) -> str:
        return "action_caregiver_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        sender = tracker.sender_id
        choice = next(tracker.get_latest_entity_values("answer"), None)
        has_application = await asyncio.to_thread(services.applications().count_for, sender) > 0
        if has_application:
            return await self._applicant(dispatcher, sender, choice)
        code = CODE.search(tracker.latest_message.get("text", ""))
        events: list[EventType] = [SlotSet("caregiver_code", code.group(1))] if code else []
        return events + [FollowupAction("caregiver_code_form")]

    async def _applicant(self, dispatcher: CollectingDispatcher, sender: str, choice: str | None) -> list[EventType]:
        service = services.caregivers()
        if choice in ("상태만", "장애 정보도"):
            issued = await asyncio.to_thread(service.issue_code, sender, choice == "장애 정보도")
            dispatcher.utter_message(
                response="utter_caregiver_code_issued",
                code=issued.code,
                code_digits=_spoken_digits(issued.code),
                shared="신청 상태와 장애 정보" if choice == "장애 정보도" else "신청 상태만",
            )
        elif choice == REMOVE_ALL:
            removed = await asyncio.to_thread(service.remove_all, sender)
            dispatcher.utter_message(response="utter_caregivers_removed", count=removed)
        elif choice and choice.startswith(REMOVE_ONE):
            link_id = choice.removeprefix(REMOVE_ONE)
            link = await asyncio.to_thread(service.remove, sender, int(link_id)) if link_id.isdigit() else None
            if link is None:
                dispatcher.utter_message(response="utter_caregiver_already_removed")
            else:
                dispatcher.utter_message(response="utter_caregiver_removed", linked_at=spoken_moment(link.created_at))
        elif choice == REMOVE:
            links = await asyncio.to_thread(service.caregivers_of, sender)
            if not links:
                dispatcher.utter_message(response="utter_caregiver_none")
            else:
                dispatcher.utter_message(response="utter_choose_caregiver_to_remove", buttons=removal_buttons(links))
        else:
            links = await asyncio.to_thread(service.caregivers_of, sender)
            dispatcher.utter_message(response="utter_caregiver_menu", count=len(links))
        return []


class ValidateCaregiverCodeForm(FormValidationAction):
    """Checks the code a caregiver sends; wrong codes are limited to 5 an hour."""

    def name(self) -> str:
        return "validate_caregiver_code_form"

    async def validate_caregiver_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Link on a live code; otherwise one kind sentence that reveals nothing."""
        if value in (LINKED, BLOCKED, PAUSED):
            return {"caregiver_code": value}
        code = CODE.search(str(value))
        if code is None:
            # Not a guess at a code, so it does not count toward the hourly limit.
            dispatcher.utter_message(response="utter_caregiver_code_format")
            return {"caregiver_code": None}
        result = await asyncio.to_thread(services.caregivers().redeem, tracker.sender_id, code.group(1))
        if result is Redemption.LINKED:
            return {"caregiver_code": LINKED}
        if result is Redemption.TOO_MANY_TRIES:
            return {"caregiver_code": BLOCKED}
        if result is Redemption.PAUSED_FOR_ALL:
            return {"caregiver_code": PAUSED}
        dispatcher.utter_message(response="utter_caregiver_code_wrong")
        return {"caregiver_code": None}


class ActionAfterCaregiverForm(Action):
    """Says how the code entry ended and forgets the code."""

    def name(self) -> str:
        return "action_after_caregiver_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        outcome = tracker.get_slot("caregiver_code")
        dispatcher.utter_message(
            response="utter_caregiver_linked" if outcome == LINKED
            else "utter_caregiver_codes_paused" if outcome == PAUSED
            else "utter_caregiver_too_many_tries"
        )
        return [SlotSet("caregiver_code", None)]
