"""KakaoTalk's sender: a push is an Event API call that makes the channel's bot speak first.

``POST {api}/v2/bots/{bot id}/talk`` with ``Authorization: KakaoAK {REST API key}`` names an
event (bound in 카카오 i 오픈빌더 to a block whose bubble shows ``{{#event.data.text}}``) and
the user by their botUserKey. Kakao bills every message (15원 at the time of writing), so
the relay calls it once per push, for users who asked for pushes. Kakao answers
``{"taskId", "status"}``; its errors become the relay's outcomes. Voice notes do not exist
there. Nothing here logs a text or a user key.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ieomoa.config import Settings
from relay.senders.base import RateLimited, Refused, TemporaryFailure

DEFAULT_EVENT_API_URL = "https://bot-api.kakao.com"
DEFAULT_EVENT_NAME = "ieomoa_push"
RATE_LIMIT_PAUSE = 60.0  # Kakao sends no Retry-After: every relay waits a minute


@dataclass(frozen=True)
class EventApi:
    """Where and as whom the relay calls Kakao's Event API."""

    bot_id: str
    rest_api_key: str
    event_name: str = DEFAULT_EVENT_NAME
    base_url: str = DEFAULT_EVENT_API_URL


def event_api_configured(settings: Settings) -> EventApi | None:
    """The Event API of KAKAO_BOT_ID and KAKAO_REST_API_KEY, if both are set."""
    if not (settings.kakao_bot_id and settings.kakao_rest_api_key):
        return None
    return EventApi(settings.kakao_bot_id, settings.kakao_rest_api_key, settings.kakao_event_name,
                    settings.kakao_event_api_url)


def event_body(event_name: str, user_key: str, text: str) -> dict[str, object]:
    """One push to one user: the event, its text as event data, the user by botUserKey."""
    return {
        "event": {"name": event_name, "data": {"text": text}},
        "user": [{"type": "botUserKey", "id": user_key}],
    }


class KakaoSender:
    """Delivers pushes to KakaoTalk users through the Event API."""

    def __init__(self, api: EventApi, http: httpx.AsyncClient | None = None) -> None:
        self._api = api
        self._url = f"{api.base_url.rstrip('/')}/v2/bots/{api.bot_id}/talk"
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))

    async def send_text(self, user_key: str, text: str) -> None:
        """One Event API call; raises the relay's DeliveryError when Kakao did not take it."""
        try:
            response = await self._http.post(
                self._url,
                json=event_body(self._api.event_name, user_key, text),
                headers={"Authorization": f"KakaoAK {self._api.rest_api_key}"},
            )
        except httpx.HTTPError as error:
            kind = type(error).__name__
            raise TemporaryFailure(f"Event API {kind}", kind) from error
        status = response.status_code
        if status == 429:
            raise RateLimited("Event API 429", RATE_LIMIT_PAUSE)
        if status >= 500:
            raise TemporaryFailure(f"Event API {status}", f"HTTP {status}")
        outcome = _json(response)
        if status >= 300 or outcome.get("status") not in ("SUCCESS", None):
            # Kakao's message names the problem (a wrong key, an unknown event), never the text.
            raise Refused(
                f"Event API {status}: {str(outcome.get('message') or outcome.get('status'))[:150]}"
            )

    async def send_voice(self, user_key: str, audio: bytes) -> None:
        """KakaoTalk pushes carry no audio: a KakaoTalk chat never has voice mode on."""

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
