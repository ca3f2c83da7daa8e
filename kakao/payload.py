"""What the adapter reads of Kakao's SkillPayload: who wrote, what, where a late answer goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_USER_KEY = 100  # botUserKey is 60-odd characters; sender ids hold 128 (migration 0017)
MAX_UTTERANCE = 4000  # longer words are cut here; the core refuses more than 1000 anyway


class InvalidPayload(ValueError):
    """A body that is not a SkillPayload this adapter can answer."""


@dataclass(frozen=True)
class SkillRequest:
    """One user message as KakaoTalk's bot sends it to the skill."""

    user_key: str  # userRequest.user.id, the bot-scoped botUserKey
    utterance: str  # the typed words, or a quick reply's messageText
    block_id: str  # the block that called the skill ("" when absent)
    callback_url: str | None = None  # userRequest.callbackUrl: single use, valid one minute


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidPayload(f"{what} is not a string")
    return value


def skill_request(body: Any) -> SkillRequest:
    """The request in a SkillPayload, or InvalidPayload (never naming what the user wrote)."""
    user_request = body.get("userRequest") if isinstance(body, dict) else None
    if not isinstance(user_request, dict):
        raise InvalidPayload("userRequest is missing")
    user = user_request.get("user")
    if not isinstance(user, dict):
        raise InvalidPayload("userRequest.user is missing")
    user_key = _text(user.get("id"), "userRequest.user.id").strip()
    if not user_key or len(user_key) > MAX_USER_KEY:
        raise InvalidPayload("userRequest.user.id is empty or too long")
    utterance = _text(user_request.get("utterance", ""), "userRequest.utterance")[:MAX_UTTERANCE]
    block = user_request.get("block")
    block_id = block.get("id") if isinstance(block, dict) else None
    if not isinstance(block_id, str):
        block_id = ""
    callback_url = user_request.get("callbackUrl")
    if callback_url is not None:
        callback_url = _text(callback_url, "userRequest.callbackUrl")
        if not callback_url.startswith(("https://", "http://")):
            raise InvalidPayload("userRequest.callbackUrl is not an HTTP URL")
    return SkillRequest(user_key, utterance, block_id, callback_url or None)
