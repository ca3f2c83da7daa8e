"""The relay's KakaoTalk sender: one Event API call per push, Kakao's answers as outcomes."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from relay.senders.base import RateLimited, Refused, TemporaryFailure
from relay.senders.kakao import EventApi, KakaoSender

API = EventApi(
    bot_id="bot-1", rest_api_key="rest-key", event_name="ieomoa_push", base_url="https://kakao.test"
)


def sender(answer: httpx.Response | Exception, calls: list[httpx.Request]) -> KakaoSender:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return KakaoSender(API, httpx.AsyncClient(transport=httpx.MockTransport(handle)))


def test_a_push_is_one_event_api_call_naming_the_user() -> None:
    calls: list[httpx.Request] = []
    ok = httpx.Response(200, json={"taskId": "t-1", "status": "SUCCESS"})
    asyncio.run(sender(ok, calls).send_text("user-key", "신청 상태가 바뀌었어요."))
    [call] = calls
    assert str(call.url) == "https://kakao.test/v2/bots/bot-1/talk"
    assert call.headers["Authorization"] == "KakaoAK rest-key"
    assert json.loads(call.content) == {
        "event": {"name": "ieomoa_push", "data": {"text": "신청 상태가 바뀌었어요."}},
        "user": [{"type": "botUserKey", "id": "user-key"}],
    }


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (httpx.Response(429, json={}), RateLimited),
        (httpx.Response(503, text="busy"), TemporaryFailure),
        (httpx.Response(401, json={"status": "FAIL", "message": "invalid key"}), Refused),
        (
            httpx.Response(200, json={"taskId": "t", "status": "FAIL", "message": "unknown event"}),
            Refused,
        ),
        (httpx.ConnectTimeout("slow"), TemporaryFailure),
    ],
)
def test_kakaos_answers_become_the_relays_outcomes(
    answer: httpx.Response | Exception, outcome: type
) -> None:
    with pytest.raises(outcome) as raised:
        asyncio.run(sender(answer, []).send_text("user-key", "비밀 내용"))
    assert "비밀" not in str(raised.value) and "user-key" not in str(raised.value)
