"""On KakaoTalk the dialogue never offers or switches on voice notes: they are Telegram's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.greeting import ActionGreetUser
from actions.preferences import ActionSetVoiceMode, ActionSetVoiceSpeed
from ieomoa.services.chats import ChatPreferences
from tests.support.domain import domain_responses

KAKAO = "kakao-" + "ab" * 33


class Chats:
    """A chat service that remembers what was stored."""

    def __init__(self) -> None:
        self.stored: list[tuple[str, Any]] = []

    def set_voice_mode(self, sender: str, channel: str, on: bool) -> None:
        self.stored.append(("voice", on))

    def set_voice_speed(self, sender: str, channel: str, slow: bool) -> None:
        self.stored.append(("slow", slow))

    def record_greeting(self, sender: str, channel: str) -> int:
        return 0

    def preferences(self, sender: str) -> ChatPreferences:
        return ChatPreferences()


@pytest.fixture
def chats(monkeypatch: pytest.MonkeyPatch) -> Chats:
    fake = Chats()
    monkeypatch.setattr(services, "chats", lambda: fake)
    return fake


def tracker(sender: str, intent: str) -> Tracker:
    ranked = {"name": intent, "confidence": 1.0}
    message = {"text": "…", "intent": ranked, "intent_ranking": [ranked], "entities": []}
    return Tracker(sender, {}, message, [], False, None, {}, "action_listen")


def said(action: Any, sender: str, intent: str = "greet") -> list[str | None]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker(sender, intent), {}))
    return [m.get("response") for m in dispatcher.messages]


@pytest.mark.parametrize("intent", ["voice_on", "voice_off"])
def test_voice_mode_on_kakaotalk_is_explained_not_stored(chats: Chats, intent: str) -> None:
    assert said(ActionSetVoiceMode(), KAKAO, intent) == ["utter_voice_telegram_only"]
    assert said(ActionSetVoiceSpeed(), KAKAO, "voice_slow") == ["utter_voice_telegram_only"]
    assert chats.stored == []


def test_voice_mode_on_telegram_is_unchanged(chats: Chats) -> None:
    assert said(ActionSetVoiceMode(), "tg-42", "voice_on") == ["utter_voice_on"]
    assert chats.stored == [("voice", True)]


def test_the_first_greeting_on_kakaotalk_offers_only_easy_read(chats: Chats) -> None:
    assert said(ActionGreetUser(), KAKAO) == ["utter_greet", "utter_offer_easy_read"]
    assert said(ActionGreetUser(), "tg-42") == ["utter_greet", "utter_offer_accessibility"]
    offer = domain_responses()["utter_offer_easy_read"]
    assert all(b["payload"] == "/easy_read_on" for v in offer for b in v["buttons"])
    assert "텔레그램" in domain_responses()["utter_voice_telegram_only"][-1]["text"]
