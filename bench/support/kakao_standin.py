"""A local stand-in for KakaoTalk's chatbot platform (카카오 i 오픈빌더), over real HTTP on 127.0.0.1.

It plays Kakao's side of a skill: it POSTs SkillPayloads to the skill server with the skill's
header secret, and checks every answer against Kakao's response format and limits (version
"2.0"; 1 to 3 outputs; simpleText of 1 to 1000 characters; at most 10 quick replies, labels
of at most 14 characters, ``action: message`` with a messageText; an answer within 5 s,
measured with a monotonic clock). It serves the single-use callback URLs it hands out (an
answer within one minute, once) and Kakao's Event API (``POST /v2/bots/{bot id}/talk`` with
``Authorization: KakaoAK {REST API key}``), and records everything. Every broken rule is
added to ``violations``; tests assert the list stays empty.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

SECRET_HEADER = "X-Ieomoa-Skill-Secret"
SKILL_TIMEOUT = 5.0  # Kakao gives up on a skill after five seconds
CALLBACK_VALIDITY = 60.0  # a callback URL is valid for one minute, once
MAX_OUTPUTS = 3
TEXT_LIMIT = 1000
MAX_QUICK_REPLIES = 10
LABEL_LIMIT = 14
MAX_EVENT_USERS = 100
BOT_ID = "ieomoa-test-bot"
REST_API_KEY = "test-rest-api-key"


def template_violations(body: Any) -> list[str]:
    """What in a skill response (or callback body) breaks Kakao's format or limits."""
    if not isinstance(body, dict) or body.get("version") != "2.0":
        return ["version is not 2.0"]
    template = body.get("template")
    if not isinstance(template, dict):
        return ["no template"]
    problems: list[str] = []
    outputs = template.get("outputs")
    if not isinstance(outputs, list) or not 1 <= len(outputs) <= MAX_OUTPUTS:
        problems.append(
            f"outputs: {len(outputs) if isinstance(outputs, list) else 'none'}, not 1 to 3"
        )
        outputs = outputs if isinstance(outputs, list) else []
    for output in outputs:
        # The adapter sends simpleText only; anything else is a mistake here.
        if (
            not isinstance(output, dict)
            or set(output) != {"simpleText"}
            or not isinstance(output["simpleText"], dict)
        ):
            problems.append(f"an output that is not a simpleText: {output!r}"[:200])
            continue
        text = output["simpleText"].get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            problems.append(
                f"simpleText of {len(text) if isinstance(text, str) else 'no'} characters"
            )
    replies = template.get("quickReplies", [])
    if not isinstance(replies, list) or len(replies) > MAX_QUICK_REPLIES:
        problems.append(f"quickReplies: {len(replies) if isinstance(replies, list) else replies}")
        replies = replies if isinstance(replies, list) else []
    for reply in replies:
        label = reply.get("label") if isinstance(reply, dict) else None
        if not isinstance(label, str) or not 1 <= len(label) <= LABEL_LIMIT:
            problems.append(f"quick reply label {label!r} not 1 to {LABEL_LIMIT} characters")
        if (
            not isinstance(reply, dict)
            or reply.get("action") != "message"
            or not reply.get("messageText")
        ):
            problems.append(f"quick reply {reply!r} is not a message action with a messageText")
    return problems


@dataclass
class KakaoReply:
    """What one user message got back, directly or through its callback."""

    texts: list[str]
    quick_replies: list[dict[str, str]]
    via_callback: bool
    seconds: float  # from the request to the direct answer

    @property
    def text(self) -> str:
        """Every bubble, in order."""
        return "\n".join(self.texts)

    def quick_reply(self, words: str) -> dict[str, str]:
        """The quick reply whose label or messageText is ``words``, else the first having them."""
        for reply in self.quick_replies:
            if words in (reply["label"], reply["messageText"]):
                return reply
        for reply in self.quick_replies:
            if words in reply["label"] or words in reply["messageText"]:
                return reply
        raise AssertionError(
            f"no quick reply {words!r} in {[r['label'] for r in self.quick_replies]}"
        )


@dataclass
class Callback:
    """A single-use callback URL handed out with one request."""

    issued_at: float
    answered: threading.Event = field(default_factory=threading.Event)
    body: dict[str, Any] | None = None


@dataclass
class EventCall:
    """One Event API call: the event, its users, and whether the key was right."""

    bot_id: str
    body: dict[str, Any]
    authorized: bool

    @property
    def user_keys(self) -> list[str]:
        return [u.get("id", "") for u in self.body.get("user", []) if isinstance(u, dict)]

    @property
    def data(self) -> dict[str, Any]:
        return (self.body.get("event") or {}).get("data") or {}


class KakaoStandIn:
    """Kakao's chatbot platform as the skill server and the relay see it."""

    def __init__(
        self, skill_url: str, secret: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.skill_url = skill_url
        self.secret = secret
        self.clock = clock
        self.violations: list[str] = []
        self.replies: list[KakaoReply] = []
        self.events: list[EventCall] = []
        self._callbacks: dict[str, Callback] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._events_arrived = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._http = httpx.Client(timeout=30, trust_env=False)

    # -- lifecycle -------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """Where the callbacks and the Event API are served."""
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def event_api_url(self) -> str:
        """Value for KAKAO_EVENT_API_URL (Kakao's is https://bot-api.kakao.com)."""
        return self.base_url

    def start(self) -> KakaoStandIn:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._http.close()

    # -- Kakao's side of a skill -------------------------------------------------
    def payload(
        self, user_key: str, utterance: str, callback_url: str | None = None
    ) -> dict[str, Any]:
        """A SkillPayload as Kakao sends it for a fallback block that calls the skill."""
        request: dict[str, Any] = {
            "timezone": "Asia/Seoul",
            "lang": "ko",
            "utterance": utterance,
            "params": {"surface": "Kakaotalk.plusfriend"},
            "block": {"id": "ieomoa-fallback-block", "name": "폴백 블록"},
            "user": {"id": user_key, "type": "botUserKey", "properties": {"botUserKey": user_key}},
        }
        if callback_url:
            request["callbackUrl"] = callback_url
        return {
            "intent": {"id": "ieomoa-fallback-block", "name": "폴백 블록"},
            "userRequest": request,
            "bot": {"id": BOT_ID, "name": "이어모아"},
            "action": {
                "id": "skill-1",
                "name": "이어모아 스킬",
                "params": {},
                "detailParams": {},
                "clientExtra": {},
            },
        }

    def send(
        self, user_key: str, utterance: str, *, callback: bool = False, secret: str | None = None
    ) -> KakaoReply:
        """One user message; waits for the answer (through the callback when the skill uses it)."""
        callback_id = f"cb-{next(self._ids)}" if callback else None
        if callback_id:
            with self._lock:
                self._callbacks[callback_id] = Callback(self.clock())
        callback_url = f"{self.base_url}/callback/{callback_id}" if callback_id else None
        started = self.clock()
        response = self._http.post(
            self.skill_url,
            json=self.payload(user_key, utterance, callback_url),
            headers={SECRET_HEADER: self.secret if secret is None else secret},
        )
        seconds = self.clock() - started
        if response.status_code != 200:
            raise AssertionError(f"the skill answered HTTP {response.status_code}")
        body = response.json()
        problems = [] if seconds <= SKILL_TIMEOUT else [f"answered after {seconds:.2f} s"]
        if body.get("useCallback") is True:
            if callback_id is None:
                problems.append("useCallback without a callback URL")
                self._note(problems)
                raise AssertionError("useCallback on a request without callbackUrl")
            self._note(problems + ([] if body.get("version") == "2.0" else ["version is not 2.0"]))
            reply_body = self._wait_for_callback(callback_id)
            reply = self._reply(reply_body, via_callback=True, seconds=seconds)
        else:
            self._note(problems + template_violations(body))
            reply = self._reply(body, via_callback=False, seconds=seconds)
        with self._lock:
            self.replies.append(reply)
        return reply

    def _wait_for_callback(self, callback_id: str) -> dict[str, Any]:
        callback = self._callbacks[callback_id]
        if not callback.answered.wait(CALLBACK_VALIDITY):
            self._note([f"no callback within {CALLBACK_VALIDITY:.0f} s"])
            raise AssertionError("the callback never came")
        assert callback.body is not None
        return callback.body

    @staticmethod
    def _reply(body: dict[str, Any], *, via_callback: bool, seconds: float) -> KakaoReply:
        template = body.get("template") or {}
        texts = [o["simpleText"]["text"] for o in template.get("outputs", []) if "simpleText" in o]
        return KakaoReply(texts, list(template.get("quickReplies", [])), via_callback, seconds)

    def _note(self, problems: list[str]) -> None:
        if problems:
            with self._lock:
                self.violations.extend(problems)

    # -- what the relay sends -----------------------------------------------------
    def wait_for_events(self, count: int, timeout: float = 30.0) -> list[EventCall]:
        """Block until ``count`` Event API calls arrived; all of them."""
        deadline = time.monotonic() + timeout
        with self._events_arrived:
            while len(self.events) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.events)} Event API calls, expected {count}")
                self._events_arrived.wait(left)
            return list(self.events)

    def events_to(self, user_key: str) -> list[EventCall]:
        """Event API calls that named this user."""
        with self._lock:
            return [e for e in self.events if user_key in e.user_keys]

    # -- HTTP ------------------------------------------------------------------------
    def _receive_callback(self, callback_id: str, body: Any) -> int:
        with self._lock:
            callback = self._callbacks.get(callback_id)
            if callback is None:
                self.violations.append("a callback to a URL never handed out")
                return 404
            if callback.answered.is_set():
                self.violations.append("a callback URL used twice")
                return 400
            if self.clock() - callback.issued_at > CALLBACK_VALIDITY:
                self.violations.append("a callback after its minute")
            self.violations.extend(f"callback: {p}" for p in template_violations(body))
            callback.body = body if isinstance(body, dict) else {}
            callback.answered.set()
        return 200

    def _receive_event(
        self, bot_id: str, authorization: str, body: Any
    ) -> tuple[int, dict[str, Any]]:
        authorized = authorization == f"KakaoAK {REST_API_KEY}"
        problems: list[str] = [] if authorized else ["Event API call without the REST API key"]
        event = body.get("event") if isinstance(body, dict) else None
        users = body.get("user") if isinstance(body, dict) else None
        if bot_id != BOT_ID:
            problems.append(f"Event API call for bot {bot_id!r}")
        if not isinstance(event, dict) or not event.get("name"):
            problems.append("Event API call without an event name")
        if not isinstance(users, list) or not 1 <= len(users) <= MAX_EVENT_USERS:
            problems.append("Event API call without 1 to 100 users")
        elif any(
            not isinstance(u, dict) or u.get("type") != "botUserKey" or not u.get("id")
            for u in users
        ):
            problems.append("Event API user that is not a botUserKey")
        with self._events_arrived:
            self.violations.extend(problems)
            if authorized:
                self.events.append(
                    EventCall(bot_id, body if isinstance(body, dict) else {}, authorized)
                )
                self._events_arrived.notify_all()
        if not authorized:
            return 401, {"status": "FAIL", "message": "invalid rest api key"}
        return 200, {"taskId": f"task-{next(self._ids)}", "status": "SUCCESS"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    body = None
                parts = self.path.strip("/").split("/")
                if parts[:1] == ["callback"] and len(parts) == 2:
                    self._answer(
                        standin._receive_callback(parts[1], body),
                        {"taskId": parts[1], "status": "SUCCESS"},
                    )
                elif parts[:2] == ["v2", "bots"] and len(parts) == 4 and parts[3] == "talk":
                    status, answer = standin._receive_event(
                        parts[2], self.headers.get("Authorization", ""), body
                    )
                    self._answer(status, answer)
                else:
                    self._answer(404, {"message": "not found"})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


class KakaoUser:
    """One KakaoTalk user typing and tapping quick replies, turn by turn."""

    def __init__(self, standin: KakaoStandIn, user_key: str, *, callback: bool = False) -> None:
        self.standin = standin
        self.user_key = user_key
        self.callback = callback
        self.last: KakaoReply | None = None

    def say(self, words: str, until: str) -> KakaoReply:
        """Type ``words``; the answer must contain ``until``."""
        reply = self.standin.send(self.user_key, words, callback=self.callback)
        if until not in reply.text:
            raise AssertionError(
                f"expected {until!r} in the answer to {words!r}, got {reply.text!r}"
            )
        self.last = reply
        return reply

    def tap(self, words: str, until: str) -> KakaoReply:
        """Tap the last answer's quick reply whose label has ``words``: it sends its messageText."""
        assert self.last is not None, "nothing answered yet"
        return self.say(self.last.quick_reply(words)["messageText"], until)
