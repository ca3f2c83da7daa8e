"""KakaoTalk has no voice notes: asked for them there, the bot says plainly they are Telegram's."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from ieomoa.channels import channel_of

VOICE_INTENTS = {"voice_on", "voice_off", "voice_slow", "voice_normal"}


def voice_is_telegram_only(tracker: Tracker, dispatcher: CollectingDispatcher) -> bool:
    """True (and said) when a voice choice comes from KakaoTalk, where nothing is stored."""
    if (
        channel_of(tracker.sender_id) != "kakao"
        or tracker.get_intent_of_latest_message() not in VOICE_INTENTS
    ):
        return False
    dispatcher.utter_message(response="utter_voice_telegram_only")
    return True
