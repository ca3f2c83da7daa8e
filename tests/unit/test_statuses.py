"""The StrEnums of statuses, agencies and outbox states: the stored strings, and a word for each."""

from __future__ import annotations

import json

from ieomoa.services.status import allowed_next
from ieomoa.status_messages import EASY_READ_NEXT_STEP, NEXT_STEP
from ieomoa.statuses import AGENCY_LABELS, STATUS_LABELS, Agency, OutboxState, Status


def test_members_are_the_strings_the_database_stores() -> None:
    assert [s.value for s in Status] == [
        "RECEIVED", "ASSIGNED", "COUNSELING", "PLAN", "SERVICES", "PLACEMENT", "EMPLOYED",
        "FOLLOW_UP", "CLOSED", "NEEDS_INFO", "ON_HOLD",
    ]
    assert [a.value for a in Agency] == ["KEAD", "LOCAL_CENTER", "EDU_OFFICE"]
    assert [s.value for s in OutboxState] == ["PENDING", "SENT", "UNDELIVERABLE"]
    # A member is its string wherever it goes: compared, formatted, written as JSON.
    assert Status.CLOSED == "CLOSED" and f"{Agency.KEAD}" == "KEAD"
    assert json.dumps([Agency.KEAD, OutboxState.SENT]) == '["KEAD", "SENT"]'


def test_every_status_and_agency_has_its_korean_words() -> None:
    assert set(STATUS_LABELS) == set(Status) and set(AGENCY_LABELS) == set(Agency)
    assert set(EASY_READ_NEXT_STEP) == set(Status)
    assert set(NEXT_STEP) == set(Status) - {Status.RECEIVED}  # the receipt says its own next step
    assert STATUS_LABELS["RECEIVED"] == "접수"  # looked up by the stored string too


def test_transitions_answer_in_stored_strings() -> None:
    assert allowed_next("PLAN", None) == {"SERVICES", "PLACEMENT", "CLOSED", "NEEDS_INFO", "ON_HOLD"}
    assert allowed_next("ON_HOLD", "COUNSELING") == {"COUNSELING", "CLOSED"}
    assert allowed_next("CLOSED", None) == set()
