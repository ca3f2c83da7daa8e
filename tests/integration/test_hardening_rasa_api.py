"""Rasa's HTTP API opens no conversation without its token (issue 9, defect 9: the Rasa token
"opens every conversation, decrypted, through Rasa's tracker API").

The token itself is kept off every command line (tests/integration/test_action_server_auth.py);
these check that nothing else opens, reads or writes a conversation: no token, a wrong one, or
the REST channel's header in place of the API's token.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from ieomoa.conversation.rasa_client import TOKEN_HEADER
from tests.support.stack import RasaApi, RunningStack

PERSONAL = "제 전화번호는 010-2468-1357이에요"


@pytest.fixture(scope="module")
def talked(stack: RunningStack) -> str:
    """A sender whose conversation holds something personal."""
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    RasaApi(stack).send(sender, PERSONAL)
    return sender


def refusals(stack: RunningStack) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(query, headers) of requests that must not be let in."""
    token = stack.env["RASA_AUTH_TOKEN"]
    return [
        ({}, {}),
        ({"token": "wrong-" + token}, {}),
        ({"token": token[:-1]}, {}),
        ({}, {TOKEN_HEADER: token}),  # the channel's header is not the API's token
        ({}, {"Authorization": f"Bearer {token}"}),
    ]


def test_no_tracker_is_read_without_the_token(stack: RunningStack, talked: str) -> None:
    for params, headers in refusals(stack):
        for path in (f"/conversations/{talked}/tracker", f"/conversations/{talked}/story"):
            response = httpx.get(stack.rasa_url + path, params=params, headers=headers, timeout=30)
            assert response.status_code in (401, 403), (path, params.keys(), headers.keys())
            assert "2468" not in response.text and "events" not in response.text


def test_no_event_is_written_without_the_token(stack: RunningStack, talked: str) -> None:
    rasa = RasaApi(stack)
    before = len(rasa.tracker(talked)["events"])
    for params, headers in refusals(stack):
        for path, body in [
            (f"/conversations/{talked}/tracker/events", {"event": "slot", "name": "applicant_name", "value": "x"}),
            (f"/conversations/{talked}/messages", {"text": "내 정보 지워 주세요", "sender": "user"}),
            (f"/conversations/{talked}/trigger_intent", {"name": "delete_my_data"}),
        ]:
            response = httpx.post(stack.rasa_url + path, params=params, headers=headers, json=body, timeout=30)
            assert response.status_code in (401, 403), (path, params.keys(), headers.keys())
    assert len(rasa.tracker(talked)["events"]) == before


def test_the_token_still_opens_the_conversation_for_the_bot(stack: RunningStack, talked: str) -> None:
    # What the refusals above guard: with the token, the tracker comes back decrypted.
    texts = [e.get("text") for e in RasaApi(stack).tracker(talked)["events"] if e["event"] == "user"]
    assert texts == [PERSONAL]
