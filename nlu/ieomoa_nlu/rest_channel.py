"""Rasa's REST channel for our own clients only: every message carries Rasa's API token.

Rasa's built-in ``rest`` channel takes a message for any sender from anyone who can reach
the server: a POST naming someone else's sender id would act as them (read their status,
erase their data). This is the same channel, at the same URL (``/webhooks/rest/webhook``,
name ``rest``), answering 401 unless the header ``X-Ieomoa-Rasa-Token`` holds
RASA_AUTH_TOKEN, which the bot and the terminal chat send (ieomoa/conversation/rasa_client.py). Its
``GET /webhooks/rest/`` status check stays open; it reveals nothing. Rasa does not start
without a token. nlu/credentials.yml names this class.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from ieomoa_nlu.secret_files import secret

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "RASA_AUTH_TOKEN"
# Also named in ieomoa/conversation/rasa_client.py (the app has no ieomoa_nlu); tests/unit/test_deployment.py
# checks both say the same.
TOKEN_HEADER = "X-Ieomoa-Rasa-Token"


class TokenRestInput(RestInput):
    """The REST channel behind RASA_AUTH_TOKEN."""

    def __init__(self, token: str) -> None:
        self._token = token.encode("utf-8")

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TokenRestInput:
        """The channel with the token from RASA_AUTH_TOKEN (or RASA_AUTH_TOKEN_FILE)."""
        token = secret(TOKEN_VARIABLE)
        if not token:
            raise RasaException(f"{TOKEN_VARIABLE} is not set: the REST channel would take "
                                "messages for anyone from anyone.")
        return cls(token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes, with every request but the status check refused without the token."""
        routes = super().blueprint(on_new_message)

        @routes.middleware("request")
        async def require_token(request: Request) -> HTTPResponse | None:
            if request.method in ("GET", "HEAD"):
                return None
            given = request.headers.get(TOKEN_HEADER, "").encode("utf-8")
            if hmac.compare_digest(given, self._token):
                return None
            logger.warning("Refused %s %s: %s token", request.method, request.path,
                           "wrong" if given else "no")
            return response.json({"error": "unauthorized"}, status=401)

        return routes
