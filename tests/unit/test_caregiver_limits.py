"""The two caregiver-code limits answer differently: one chat's own tries, or everyone's at once.

A chat that made too many wrong tries is told so; when all chats together made too many, a
chat that may have made none is not told it did: it is asked kindly to come back later.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import caregivers as caregiver_actions
from actions.caregivers import ActionAfterCaregiverForm, ValidateCaregiverCodeForm
from ieomoa.db import session_factory
from ieomoa.services.caregivers import CaregiverService, Redemption

DOMAIN = Path(__file__).resolve().parents[2] / "nlu" / "domain" / "status_and_caregivers.yml"
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


@pytest.fixture
def service(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> CaregiverService:
    """Caregiver codes on a fresh database: 3 wrong tries per chat an hour, 4 for all chats."""
    monkeypatch.setenv("IEOMOA_SECRET_KEY", "unit-test-secret-0123456789abcdef")
    return CaregiverService(session_factory(sqlite_url), clock=lambda: NOW, per_chat_limit=3, global_limit=4)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def code_entry(sender: str, text: str) -> Tracker:
    """A caregiver in the code form sends ``text``."""
    return Tracker(sender, {"requested_slot": "caregiver_code"}, {"text": text, "intent": {"name": "inform"}},
                   [], False, None, {"name": "caregiver_code_form"}, "action_listen")


def responses(domain_name: str) -> list[dict[str, Any]]:
    return yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"][domain_name]


def test_one_chats_limit_and_the_overall_limit_are_told_apart(service: CaregiverService) -> None:
    code = service.issue_code("tg-1", share_sensitive=False).code
    for _ in range(3):
        assert service.redeem("tg-9", wrong(code)) is Redemption.WRONG
    assert service.redeem("tg-9", code) is Redemption.TOO_MANY_TRIES  # this chat's own limit
    assert service.redeem("tg-10", wrong(code)) is Redemption.WRONG  # the fourth wrong try overall
    assert service.redeem("tg-11", code) is Redemption.PAUSED_FOR_ALL  # a fresh chat: everyone waits
    assert service.redeem("tg-9", code) is Redemption.TOO_MANY_TRIES  # still its own limit first


def test_the_code_form_ends_with_its_own_kind_reply_when_codes_are_paused(
    service: CaregiverService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caregiver_actions.services, "caregivers", lambda: service)
    code = service.issue_code("tg-1", share_sensitive=False).code
    for sender in ("tg-20", "tg-21", "tg-22", "tg-23"):  # one wrong try each: nobody's own limit
        assert service.redeem(sender, wrong(code)) is Redemption.WRONG

    dispatcher = CollectingDispatcher()
    slots = asyncio.run(ValidateCaregiverCodeForm().validate_caregiver_code(
        code, dispatcher, code_entry("tg-30", code), {}))
    assert slots == {"caregiver_code": caregiver_actions.PAUSED}
    assert dispatcher.messages == []

    said = CollectingDispatcher()
    ended = code_entry("tg-30", code)
    ended.slots["caregiver_code"] = caregiver_actions.PAUSED
    asyncio.run(ActionAfterCaregiverForm().run(said, ended, {}))
    assert [m["response"] for m in said.messages] == ["utter_caregiver_codes_paused"]

    blocked = CollectingDispatcher()
    ended.slots["caregiver_code"] = caregiver_actions.BLOCKED
    asyncio.run(ActionAfterCaregiverForm().run(blocked, ended, {}))
    assert [m["response"] for m in blocked.messages] == ["utter_caregiver_too_many_tries"]


def test_the_paused_reply_blames_nobody_and_says_when_to_come_back() -> None:
    paused, per_chat = responses("utter_caregiver_codes_paused"), responses("utter_caregiver_too_many_tries")
    assert {r["text"] for r in paused}.isdisjoint({r["text"] for r in per_chat})
    assert [("condition" in r) for r in paused] == [True, False]  # 쉬운 말 first, then the usual text
    for variant in paused:
        text = variant["text"]
        assert "한 시간" in text and "보호자예요" in text and text.endswith("주세요.")
        assert not any(word in text for word in ("잘못", "틀렸", "여러 번"))
