"""The skill server: its secret, its body limit, the deadline, callbacks, repeats and resends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ieomoa.conversation import messages
from ieomoa.conversation.incoming import Incoming
from ieomoa.conversation.outgoing import OutgoingButton, OutgoingMessage
from ieomoa.conversation.turn import Outlet
from kakao.app import SECRET_HEADER, SKILL_PATH, create_app
from kakao.turns import SkillTurns

SECRET = "skill-secret-for-tests"


class FakeCore:
    """Answers "질문: <text>" with one choice; waits for ``release`` when it is set up."""

    def __init__(self) -> None:
        self.turns: list[tuple[str, str]] = []
        self.release: asyncio.Event | None = None
        self.fail = False

    async def handle(self, sender: str, incoming: Incoming, outlet: Outlet) -> None:
        self.turns.append((sender, incoming.value))
        if self.release is not None:
            await self.release.wait()
        if self.fail:
            raise RuntimeError("boom")
        await outlet.send(
            [OutgoingMessage(f"답: {incoming.value}", (OutgoingButton("1번 네", "t1"),))]
        )

    async def apologise(self, sender: str, outlet: Outlet) -> None:
        await outlet.send([OutgoingMessage(messages.RASA_DOWN, personal=False)])

    async def say(self, sender: str, message: str, outlet: Outlet, **_: Any) -> None:
        await outlet.send([OutgoingMessage(message, personal=False)])


def payload(
    utterance: str, user: str = "user-key-1", callback: str | None = None
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "timezone": "Asia/Seoul",
        "utterance": utterance,
        "lang": "ko",
        "block": {"id": "block-1", "name": "폴백 블록"},
        "user": {"id": user, "type": "botUserKey", "properties": {}},
        "params": {"surface": "Kakaotalk.plusfriend"},
    }
    if callback:
        request["callbackUrl"] = callback
    return {
        "bot": {"id": "bot-1", "name": "이어모아"},
        "intent": {"id": "block-1", "name": "폴백 블록"},
        "action": {"name": "ieomoa", "params": {}, "clientExtra": {}},
        "userRequest": request,
    }


class Skill:
    """The app in this test's event loop, with callbacks caught by a mock transport."""

    def __init__(self, core: FakeCore, deadline: float = 4.5) -> None:
        self.callbacks: list[tuple[str, dict[str, Any]]] = []
        self.callback_posted = asyncio.Event()

        def catch(request: httpx.Request) -> httpx.Response:
            self.callbacks.append((str(request.url), json.loads(request.content)))
            self.callback_posted.set()
            return httpx.Response(200, json={"taskId": "t", "status": "SUCCESS"})

        self.turns = SkillTurns(
            core, deadline=deadline, http=httpx.AsyncClient(transport=httpx.MockTransport(catch))
        )
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(create_app(self.turns, SECRET)), base_url="http://skill"
        )

    async def post(self, body: Any, secret: str | None = SECRET, **kwargs: Any) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return await self.client.post(SKILL_PATH, json=body, headers=headers, **kwargs)


def run(test: Callable[[], Any]) -> None:
    asyncio.run(test())


def test_a_turn_within_the_deadline_is_answered_directly() -> None:
    async def test() -> None:
        core = FakeCore()
        response = await Skill(core).post(payload("안녕하세요"))
        assert response.status_code == 200
        template = response.json()["template"]
        assert template["outputs"] == [{"simpleText": {"text": "답: 안녕하세요"}}]
        assert template["quickReplies"][0]["messageText"] == "네"
        assert core.turns == [("kakao-user-key-1", "안녕하세요")]

    run(test)


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
def test_without_the_secret_nothing_is_read(secret: str | None) -> None:
    async def test() -> None:
        core = FakeCore()
        response = await Skill(core).post(payload("안녕하세요"), secret=secret)
        assert response.status_code == 401 and core.turns == []

    run(test)


def test_a_huge_body_is_refused_and_a_foreign_one_named() -> None:
    async def test() -> None:
        skill = Skill(FakeCore())
        huge = await skill.client.post(
            SKILL_PATH, content=b"{" + b" " * 70_000 + b"}", headers={SECRET_HEADER: SECRET}
        )
        assert huge.status_code == 413
        foreign = await skill.post({"userRequest": {"utterance": "비밀 내용"}})
        assert foreign.status_code == 400 and "비밀" not in foreign.text

    run(test)


def test_a_slow_turn_goes_to_the_callback() -> None:
    async def test() -> None:
        core = FakeCore()
        skill = Skill(core, deadline=0)
        response = await skill.post(
            payload("구직 신청", callback="https://bot-api.kakao.com/callback/1")
        )
        assert response.json() == {"version": "2.0", "useCallback": True}
        await asyncio.wait_for(skill.callback_posted.wait(), 5)
        [(url, body)] = skill.callbacks
        assert url == "https://bot-api.kakao.com/callback/1"
        assert body["template"]["outputs"][0]["simpleText"]["text"] == "답: 구직 신청"

    run(test)


def test_without_a_callback_the_late_answer_waits_for_the_same_words() -> None:
    async def test() -> None:
        core = FakeCore()
        core.release = asyncio.Event()
        skill = Skill(core, deadline=0)
        first = await skill.post(payload("김하나"))
        assert (
            first.json()["template"]["outputs"][0]["simpleText"]["text"] == messages.STILL_WORKING
        )
        core.release.set()
        await asyncio.sleep(0)  # the turn completes
        while skill.turns._running:
            await asyncio.sleep(0.01)
        again = await skill.post(payload("김하나"))
        assert again.json()["template"]["outputs"][0]["simpleText"]["text"] == "답: 김하나"
        assert core.turns == [("kakao-user-key-1", "김하나")]  # answered once

    run(test)


def test_a_repeat_while_the_turn_runs_joins_it() -> None:
    async def test() -> None:
        core = FakeCore()
        core.release = asyncio.Event()
        skill = Skill(core)
        first = asyncio.create_task(skill.post(payload("네")))
        while not core.turns:
            await asyncio.sleep(0.01)
        retry = asyncio.create_task(skill.post(payload("네")))
        await asyncio.sleep(0.05)
        core.release.set()
        answers = [r.json() for r in await asyncio.gather(first, retry)]
        assert answers[0] == answers[1] and core.turns == [("kakao-user-key-1", "네")]

    run(test)


def test_one_users_turns_run_in_order_and_other_users_alongside() -> None:
    async def test() -> None:
        core = FakeCore()
        core.release = asyncio.Event()
        skill = Skill(core)
        first = asyncio.create_task(skill.post(payload("하나")))
        second = asyncio.create_task(skill.post(payload("둘")))
        other = asyncio.create_task(skill.post(payload("셋", user="user-key-2")))
        while len(core.turns) < 2:
            await asyncio.sleep(0.01)
        assert ("kakao-user-key-1", "둘") not in core.turns  # waits for the first
        core.release.set()
        await asyncio.gather(first, second, other)
        assert [t for t in core.turns if t[0] == "kakao-user-key-1"] == [
            ("kakao-user-key-1", "하나"),
            ("kakao-user-key-1", "둘"),
        ]

    run(test)


def test_a_failed_turn_apologises() -> None:
    async def test() -> None:
        core = FakeCore()
        core.fail = True
        response = await Skill(core).post(payload("안녕하세요"))
        assert response.json()["template"]["outputs"][0]["simpleText"]["text"] == messages.RASA_DOWN

    run(test)
