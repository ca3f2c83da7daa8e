"""Status by message: where the applicant's application is now."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from ieomoa.answers.dates import spoken_day
from ieomoa.services.applications import ApplicationService
from ieomoa.status_messages import EASY_READ_NEXT_STEP
from ieomoa.statuses import STATUS_LABELS, agencies_text

LAST_STEPS = 3


class ActionCheckStatus(Action):
    """Current status, agencies involved and the last steps with dates (쉬운 말: what happens next)."""

    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        application = await asyncio.to_thread(services.applications().latest_for, tracker.sender_id)
        link = None
        if application is None:
            link = await asyncio.to_thread(services.caregivers().applicant_of, tracker.sender_id)
            if link is not None:
                application = await asyncio.to_thread(services.applications().latest_for, link.applicant_sender_id)
        if application is None:
            dispatcher.utter_message(response="utter_no_application")
            return []
        steps = " ".join(
            f"{spoken_day(entry.at)} {STATUS_LABELS.get(entry.status, entry.status)}."
            for entry in application.timeline[-LAST_STEPS:]
        )
        # A caregiver sees the same status, and the sensitive fields only if the applicant shared them.
        shared = ""
        if link is not None and link.share_sensitive:
            types = ApplicationService.sensitive_of(application)["disability_types"]
            shared = f" 신청하신 분이 함께 보여 주기로 한 정보: 장애 유형 {', '.join(types)}."
        dispatcher.utter_message(
            response="utter_status" if link is None else "utter_status_caregiver",
            number=application.number,
            status=STATUS_LABELS.get(application.status, application.status),
            agencies=agencies_text(list(application.routed_to)),
            steps=f"지금까지의 진행: {steps}{shared}",
            next_step=EASY_READ_NEXT_STEP.get(application.status, ""),
        )
        return []
