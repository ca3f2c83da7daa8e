"""Only the bot can talk to Rasa for someone: the REST channel requires RASA_AUTH_TOKEN.

With Rasa's built-in ``rest`` channel, anyone who reached the server could POST a message
under someone else's sender id and get their application number back, or erase their data.
The channel (nlu/ieomoa_nlu/rest_channel.py) now answers 401 unless the header
``X-Ieomoa-Rasa-Token`` holds the token, which ieomoa/conversation/rasa_client.py sends.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from ieomoa.conversation.rasa_client import TOKEN_HEADER, RasaClient, RasaUnavailable
from ieomoa.db import session_factory
from ieomoa.services.applications import ApplicationService
from tests.support.applications import draft
from tests.support.stack import RasaApi, RunningStack, free_port
from tools.stack import NLU_DIR, RASA_PYTHON, current_model

WEBHOOK = "/webhooks/rest/webhook"


@pytest.fixture
def victim(stack: RunningStack) -> tuple[str, str]:
    """A sender with a submitted application: (sender id, application number)."""
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    submission = ApplicationService(session_factory(stack.database_url)).submit(
        sender, draft(), submission_key=str(uuid.uuid4())
    )
    return sender, submission.number


def user_texts(stack: RunningStack, sender: str) -> list[str]:
    """What Rasa recorded as said by ``sender``."""
    return [event.get("text") for event in RasaApi(stack).tracker(sender)["events"] if event["event"] == "user"]


@pytest.mark.parametrize("headers", [{}, {TOKEN_HEADER: "wrong-token"}, {"Authorization": "Bearer x"}],
                         ids=["no token", "wrong token", "other header"])
def test_a_message_without_the_token_is_refused_and_never_reaches_the_conversation(
    stack: RunningStack, victim: tuple[str, str], headers: dict[str, str],
) -> None:
    sender, number = victim
    response = httpx.post(f"{stack.rasa_url}{WEBHOOK}", headers=headers, timeout=60,
                          json={"sender": sender, "message": "신청 상태 알려 주세요"})
    assert response.status_code == 401
    assert number not in response.text
    assert user_texts(stack, sender) == []


def test_the_api_token_as_a_query_parameter_does_not_open_the_channel(
    stack: RunningStack, victim: tuple[str, str],
) -> None:
    sender, _ = victim
    response = httpx.post(f"{stack.rasa_url}{WEBHOOK}", params={"token": stack.env["RASA_AUTH_TOKEN"]},
                          json={"sender": sender, "message": "내 정보 지워 주세요"}, timeout=60)
    assert response.status_code == 401
    assert user_texts(stack, sender) == []


async def test_the_bots_client_gets_answers_with_the_token(stack: RunningStack, victim: tuple[str, str]) -> None:
    sender, number = victim
    client = RasaClient(stack.rasa_url, auth_token=stack.env["RASA_AUTH_TOKEN"])
    try:
        replies = await client.send(sender, "신청 상태 알려 주세요", {"channel": "telegram"})
    finally:
        await client.aclose()
    assert number in " ".join(reply.get("text", "") for reply in replies)
    assert user_texts(stack, sender) == ["신청 상태 알려 주세요"]


async def test_a_client_without_the_token_is_told_rasa_is_unavailable(
    stack: RunningStack, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("RASA_AUTH_TOKEN_FILE", raising=False)
    client = RasaClient(stack.rasa_url, backoff=0)
    try:
        with pytest.raises(RasaUnavailable, match="HTTP 401"):
            await client.send(f"tg-{uuid.uuid4().int % 10**9}", "안녕하세요")
    finally:
        await client.aclose()


def test_the_channels_status_check_stays_open(stack: RunningStack) -> None:
    response = httpx.get(f"{stack.rasa_url}/webhooks/rest/", timeout=10)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_rasa_does_not_start_the_channel_without_a_token(stack: RunningStack, tmp_path: Path) -> None:
    env = {key: value for key, value in stack.env.items() if not key.startswith("RASA_AUTH_TOKEN")}
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:1/webhook\n", encoding="utf-8")
    # No --enable-api (rasa_cli refuses that without a token by itself): the channel must refuse.
    result = subprocess.run(
        [str(RASA_PYTHON), "-m", "ieomoa_nlu.rasa_cli", "run", "--model", str(current_model()),
         "--endpoints", str(endpoints), "--credentials", str(NLU_DIR / "credentials.yml"),
         "--port", str(free_port())],
        cwd=NLU_DIR, env=dict(env, PYTHONPATH=str(NLU_DIR)), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0
    assert "RASA_AUTH_TOKEN is not set" in result.stdout + result.stderr
