"""Client for Rasa's REST channel: one user message in, the bot's replies out."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from ieomoa.config import load_settings

logger = logging.getLogger(__name__)

# Rasa's REST channel refuses messages without RASA_AUTH_TOKEN in this header
# (nlu/ieomoa_nlu/rest_channel.py).
TOKEN_HEADER = "X-Ieomoa-Rasa-Token"

RasaReply = dict[str, Any]


def asks_to_erase(replies: list[RasaReply]) -> bool:
    """True when the action server erased the user's data and the conversation must go too."""
    return any((reply.get("custom") or {}).get("erase_conversation") for reply in replies)


class RasaUnavailable(Exception):
    """Rasa could not be reached or failed to produce a reply."""


class RasaClient:
    """Posts messages to ``/webhooks/rest/webhook`` with retries on connection failures.

    ``auth_token`` is Rasa's API token; unset, it is RASA_AUTH_TOKEN (or RASA_AUTH_TOKEN_FILE).
    Every request carries it in TOKEN_HEADER, which Rasa's channel requires.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth_token: str | None = None,
        timeout: float = 30.0,
        attempts: int = 3,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        auth_token = auth_token or load_settings().rasa_auth_token
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
            headers={TOKEN_HEADER: auth_token} if auth_token else None,
        )
        self._attempts = attempts
        self._backoff = backoff
        self._auth_token = auth_token

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[RasaReply]:
        """Send one message and return Rasa's replies (text, buttons, custom payloads)."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        for attempt in range(1, self._attempts + 1):
            try:
                response = await self._client.post("/webhooks/rest/webhook", json=body)
            except httpx.ConnectError:
                # Nothing reached Rasa, so trying again cannot process the message twice.
                logger.warning("Rasa unreachable (attempt %d/%d)", attempt, self._attempts)
            except httpx.HTTPError as error:
                raise RasaUnavailable(type(error).__name__) from error
            else:
                if response.status_code == 200:
                    replies = response.json()
                    return replies if isinstance(replies, list) else []
                if response.status_code not in (502, 503, 504):
                    raise RasaUnavailable(f"HTTP {response.status_code}")
                logger.warning("Rasa answered %d (attempt %d)", response.status_code, attempt)
            if attempt < self._attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        raise RasaUnavailable("no answer after retries")

    async def listen_again(self, sender: str) -> bool:
        """Append action_listen after a turn that produced nothing.

        When actions fail (say the action server is down), Rasa 3.6 stops after ten
        predictions without recording action_listen, and its circuit breaker then trips on
        every later message of that conversation. One action_listen event ends the
        failed turn, so the user's next message is handled normally.
        """
        if not self._auth_token:
            return False
        try:
            response = await self._client.post(
                f"/conversations/{sender}/tracker/events",
                params={"token": self._auth_token},
                json={"event": "action", "name": "action_listen"},
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
