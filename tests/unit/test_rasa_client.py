"""The Rasa REST client: retries only what cannot have reached Rasa."""

from __future__ import annotations

import json

import httpx
import pytest

from ieomoa.conversation.rasa_client import RasaClient, RasaUnavailable


def client_with(handler) -> RasaClient:  # type: ignore[no-untyped-def]
    return RasaClient("http://rasa.test", backoff=0, transport=httpx.MockTransport(handler))


async def test_sends_sender_message_and_metadata() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["body"] = json.loads(request.read())
        return httpx.Response(200, json=[{"recipient_id": "tg-1", "text": "안녕하세요"}])

    replies = await client_with(handler).send("tg-1", "안녕", {"channel": "telegram"})
    assert replies == [{"recipient_id": "tg-1", "text": "안녕하세요"}]
    assert seen["url"] == "http://rasa.test/webhooks/rest/webhook"
    assert seen["body"] == {"sender": "tg-1", "message": "안녕", "metadata": {"channel": "telegram"}}


async def test_connection_refused_is_retried_then_succeeds() -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json=[{"text": "네"}])

    assert await client_with(handler).send("tg-1", "x") == [{"text": "네"}]
    assert len(attempts) == 3


async def test_gives_up_after_attempts() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(RasaUnavailable):
        await client_with(handler).send("tg-1", "x")


async def test_server_error_is_not_retried() -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        return httpx.Response(500, text="error")

    with pytest.raises(RasaUnavailable):
        await client_with(handler).send("tg-1", "x")
    assert len(attempts) == 1


async def test_read_timeout_is_not_retried() -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ReadTimeout("slow")

    with pytest.raises(RasaUnavailable):
        await client_with(handler).send("tg-1", "x")
    assert len(attempts) == 1


async def test_listen_again_appends_action_listen_with_the_token() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["body"] = json.loads(request.read())
        return httpx.Response(200, json={})

    client = RasaClient("http://rasa.test", auth_token="t0k", transport=httpx.MockTransport(handler))
    assert await client.listen_again("tg-1") is True
    assert seen["url"] == "http://rasa.test/conversations/tg-1/tracker/events?token=t0k"
    assert seen["body"] == {"event": "action", "name": "action_listen"}
    assert await RasaClient("http://rasa.test").listen_again("tg-1") is False  # no token: nothing sent
