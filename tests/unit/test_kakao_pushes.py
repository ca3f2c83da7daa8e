"""Pushes to KakaoTalk chats: queued by sender id, in order per chat, one Event API call each."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.db import make_engine
from ieomoa.models import OutboxMessage, utcnow
from ieomoa.services.outbox import queue_push
from ieomoa.statuses import OutboxState
from relay.senders.kakao import EventApi, KakaoSender
from relay.senders.messengers import MessengerSenders
from relay.worker import OutboxRelay, RelayLimits

ALICE = "kakao-" + "a1" * 33
BOB = "kakao-" + "b2" * 33


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


class Telegram:
    """Telegram's sender, recording."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_text(self, chat_id: int, text: str) -> None:
        self.sent.append((chat_id, text))

    async def send_voice(self, chat_id: int, audio: bytes) -> None:
        pass


@pytest.fixture
def db(sqlite_url: str) -> sessionmaker[Session]:
    return sessionmaker(make_engine(sqlite_url), expire_on_commit=False)


def relay(
    db: sessionmaker[Session], clock: Clock, events: list[dict], telegram: Telegram | None
) -> OutboxRelay:
    def event_api(request: httpx.Request) -> httpx.Response:
        events.append(json.loads(request.content))
        return httpx.Response(200, json={"taskId": str(len(events)), "status": "SUCCESS"})

    kakao = KakaoSender(
        EventApi("bot-1", "rest-key"), httpx.AsyncClient(transport=httpx.MockTransport(event_api))
    )
    limits = RelayLimits(messages_per_second=5000, per_chat_interval=1.0)

    async def no_wait(_: float) -> None:
        pass

    return OutboxRelay(db, MessengerSenders(telegram, kakao), limits, clock=clock, sleep=no_wait)


def test_kakao_pushes_go_once_each_in_order_per_chat_beside_telegrams(
    db: sessionmaker[Session],
) -> None:
    with db.begin() as session:
        queue_push(session, key="a1", recipient=ALICE, text="첫째")
        queue_push(session, key="t1", chat_id=42, text="텔레그램")
        queue_push(session, key="a2", recipient=ALICE, text="둘째")
        queue_push(session, key="b1", recipient=BOB, text="보호자")
    clock, events, telegram = Clock(), [], Telegram()
    worker = relay(db, clock, events, telegram)
    assert asyncio.run(worker.deliver_once()) == 3  # Alice's second waits for her first
    assert [(e["user"][0]["id"], e["event"]["data"]["text"]) for e in events] == [
        (ALICE.removeprefix("kakao-"), "첫째"),
        (BOB.removeprefix("kakao-"), "보호자"),
    ]
    assert telegram.sent == [(42, "텔레그램")]
    assert asyncio.run(worker.deliver_once()) == 0  # one message a second per chat
    clock.now += timedelta(seconds=1)
    assert asyncio.run(worker.deliver_once()) == 1
    assert events[-1]["event"]["data"]["text"] == "둘째" and len(events) == 3
    clock.now += timedelta(seconds=5)
    assert asyncio.run(worker.deliver_once()) == 0  # each once
    with db() as session:
        states = session.execute(select(OutboxMessage.state, OutboxMessage.text)).all()
    assert states == [(OutboxState.SENT, None)] * 4


def test_without_kakao_keys_a_kakao_push_is_refused_with_the_reason(
    db: sessionmaker[Session],
) -> None:
    with db.begin() as session:
        queue_push(session, key="a1", recipient=ALICE, text="첫째")
    worker = OutboxRelay(db, MessengerSenders(Telegram(), None), clock=Clock())
    asyncio.run(worker.deliver_once())
    with db() as session:
        state, error = session.execute(select(OutboxMessage.state, OutboxMessage.last_error)).one()
    assert state == OutboxState.UNDELIVERABLE and "KAKAO_REST_API_KEY" in (error or "")


def test_a_push_names_one_chat() -> None:
    with pytest.raises(ValueError):
        queue_push(None, key="x", text="?", chat_id=1, recipient=ALICE)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        queue_push(None, key="x", text="?")  # type: ignore[arg-type]


def test_a_status_change_queues_kakao_and_telegram_pushes(db: sessionmaker[Session]) -> None:
    from ieomoa.services.applications import ApplicationService
    from ieomoa.services.caregivers import CaregiverService, Redemption
    from ieomoa.services.status import Caller, StatusService
    from tests.support.applications import draft

    number = ApplicationService(db).submit(ALICE, draft(), f"{ALICE}:draft").number
    caregivers = CaregiverService(db)
    for caregiver in (BOB, "tg-77"):
        redeemed = caregivers.redeem(
            caregiver, caregivers.issue_code(ALICE, share_sensitive=False).code
        )
        assert redeemed == Redemption.LINKED
    StatusService(db).change(Caller("KEAD"), number, "ASSIGNED")
    with db() as session:
        rows = session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.recipient).order_by(OutboxMessage.id)
        ).all()
    assert rows == [(None, ALICE), (None, BOB), (77, None)]
