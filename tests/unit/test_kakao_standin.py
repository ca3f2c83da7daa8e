"""The Kakao stand-in refuses what Kakao would: 4 bubbles, 11 quick replies, answers after 5 s."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from bench.support.kakao_standin import (
    BOT_ID,
    REST_API_KEY,
    SECRET_HEADER,
    KakaoStandIn,
    template_violations,
)


def response(
    outputs: int = 1, quick_replies: int = 0, label: str = "네", text: str = "안녕하세요"
) -> dict[str, Any]:
    template: dict[str, Any] = {"outputs": [{"simpleText": {"text": text}}] * outputs}
    if quick_replies:
        template["quickReplies"] = [
            {"label": label, "action": "message", "messageText": label}
        ] * quick_replies
    return {"version": "2.0", "template": template}


def test_a_valid_response_passes() -> None:
    assert template_violations(response(outputs=3, quick_replies=10)) == []


@pytest.mark.parametrize(
    "body",
    [
        response(outputs=4),
        response(outputs=0),
        response(quick_replies=11),
        response(quick_replies=1, label="열다섯 글자가 넘는 아주 긴 라벨이에요"),
        response(text="가" * 1001),
        response(text=""),
        {"version": "1.0", "template": {"outputs": [{"simpleText": {"text": "x"}}]}},
        {"version": "2.0", "template": {"outputs": [{"basicCard": {}}]}},
    ],
)
def test_what_kakao_refuses_is_a_violation(body: dict[str, Any]) -> None:
    assert template_violations(body)


class CannedSkill:
    """A skill server that answers every request with one body and records what it got."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                canned.requests.append((dict(self.headers), payload))
                data = json.dumps(canned.body).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/kakao/skill"


@pytest.fixture
def skill() -> Iterator[CannedSkill]:
    canned = CannedSkill(response())
    yield canned
    canned.server.shutdown()
    canned.server.server_close()


def test_sends_skill_payloads_with_the_secret(skill: CannedSkill) -> None:
    standin = KakaoStandIn(skill.url, "s3cret").start()
    try:
        reply = standin.send("user-1", "안녕하세요")
        headers, payload = skill.requests[0]
        assert headers[SECRET_HEADER] == "s3cret"
        assert payload["userRequest"]["user"] == {
            "id": "user-1",
            "type": "botUserKey",
            "properties": {"botUserKey": "user-1"},
        }
        assert (
            payload["userRequest"]["utterance"] == "안녕하세요"
            and "callbackUrl" not in payload["userRequest"]
        )
        assert reply.texts == ["안녕하세요"] and standin.violations == []
    finally:
        standin.stop()


def test_an_answer_after_five_seconds_is_a_violation(skill: CannedSkill) -> None:
    ticks = itertools.count(0, 6)  # every reading of the clock is six seconds later
    standin = KakaoStandIn(skill.url, "s3cret", clock=lambda: float(next(ticks))).start()
    try:
        standin.send("user-1", "안녕하세요")
        assert standin.violations == ["answered after 6.00 s"]
    finally:
        standin.stop()


def test_a_callback_is_waited_for_and_single_use(skill: CannedSkill) -> None:
    skill.body = {"version": "2.0", "useCallback": True}
    standin = KakaoStandIn(skill.url, "s3cret").start()
    try:
        answered: list[Any] = []
        thread = threading.Thread(
            target=lambda: answered.append(standin.send("user-1", "신청", callback=True))
        )
        thread.start()
        while not skill.requests:
            thread.join(0.01)
        url = skill.requests[0][1]["userRequest"]["callbackUrl"]
        assert httpx.post(url, json=response(text="늦은 답")).status_code == 200
        thread.join(10)
        assert answered[0].texts == ["늦은 답"] and answered[0].via_callback
        assert httpx.post(url, json=response()).status_code == 400
        assert standin.violations == ["a callback URL used twice"]
    finally:
        standin.stop()


def test_the_event_api_wants_the_rest_key(skill: CannedSkill) -> None:
    standin = KakaoStandIn(skill.url, "s3cret").start()
    try:
        body = {
            "event": {"name": "status", "data": {"text": "접수"}},
            "user": [{"type": "botUserKey", "id": "u1"}],
        }
        url = f"{standin.event_api_url}/v2/bots/{BOT_ID}/talk"
        assert (
            httpx.post(url, json=body, headers={"Authorization": "KakaoAK wrong"}).status_code
            == 401
        )
        ok = httpx.post(url, json=body, headers={"Authorization": f"KakaoAK {REST_API_KEY}"})
        assert ok.json()["status"] == "SUCCESS"
        [event] = standin.wait_for_events(1)
        assert event.user_keys == ["u1"] and event.data == {"text": "접수"}
        assert standin.violations == ["Event API call without the REST API key"]
    finally:
        standin.stop()
