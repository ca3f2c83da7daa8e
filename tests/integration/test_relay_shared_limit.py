"""Two relays share one overall send rate (Telegram's limit is per bot) and keep each chat's order.

Each relay has its own database connections, as two relay processes would. Time is a clock
handed to the relays (their waits move it), so the assertions are on the slots the shared
limiter granted, never on how long anything took.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bench.support.telegram_standin import TelegramStandIn
from ieomoa.db import make_engine
from ieomoa.models import OutboxMessage, utcnow
from ieomoa.services.outbox import OutboxService
from relay.senders.telegram import TelegramSender, telegram_bot
from relay.worker import OutboxRelay, RelayLimits

RATE = 30.0
INTERVAL = timedelta(seconds=1 / RATE)


class Clock:
    """A clock that moves only when told (thread-safe: the stores read it in worker threads)."""

    def __init__(self) -> None:
        self._now = utcnow()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        """A relay waiting for its slot: time passes, nothing really waits."""
        self.advance(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def two_relays_sessions(database_url: str) -> Iterator[list[sessionmaker[Session]]]:
    """Two connection pools on one database: one per relay."""
    engines = [make_engine(database_url) for _ in range(2)]
    yield [sessionmaker(engine, expire_on_commit=False) for engine in engines]
    for engine in engines:
        engine.dispose()


def test_slots_granted_to_two_relays_at_once_are_one_interval_apart(
    two_relays_sessions: list[sessionmaker[Session]],
) -> None:
    clock = Clock()
    stores = [OutboxService(sessions, clock) for sessions in two_relays_sessions]
    granted: list[datetime] = []

    def take(store: OutboxService) -> None:
        for _ in range(40):
            slot = store.reserve_send(INTERVAL.total_seconds())
            assert slot is not None
            granted.append(slot)

    threads = [threading.Thread(target=take, args=(store,)) for store in stores for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 160 sends reserved at the same moment: the first now, each next one interval later.
    start = clock()
    assert sorted(granted) == [start + k * INTERVAL for k in range(160)]


def test_no_burst_after_a_quiet_while_and_no_slot_during_a_pause(
    two_relays_sessions: list[sessionmaker[Session]],
) -> None:
    clock = Clock()
    first, second = (OutboxService(sessions, clock) for sessions in two_relays_sessions)
    assert first.reserve_send(1 / RATE) == clock()
    clock.advance(60)  # a quiet minute earns no credit
    assert first.reserve_send(1 / RATE) == clock()
    assert second.reserve_send(1 / RATE) == clock() + INTERVAL
    second.pause(30)
    assert first.reserve_send(1 / RATE) is None and second.reserve_send(1 / RATE) is None
    clock.advance(30)
    assert first.reserve_send(1 / RATE) == clock()


async def test_two_relays_deliver_every_chats_pushes_in_order_within_one_shared_rate(
    two_relays_sessions: list[sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    chats, per_chat = 20, 3
    with two_relays_sessions[0].begin() as session:  # the rows of all chats interleaved
        session.add_all(
            OutboxMessage(idempotency_key=f"order:{n}:{chat}", chat_id=5000 + chat, text=f"{chat}번 채팅 {n}번째 알림",
                          next_attempt_at=clock())
            for n in range(per_chat) for chat in range(chats)
        )
    granted: list[datetime] = []
    reserve = OutboxService.reserve_send

    def recording(store: OutboxService, interval: float) -> datetime | None:
        slot = reserve(store, interval)
        if slot is not None:
            granted.append(slot)
        return slot

    monkeypatch.setattr(OutboxService, "reserve_send", recording)
    limits = RelayLimits(messages_per_second=RATE, per_chat_interval=1.0, batch_size=7)
    telegram = TelegramStandIn().start()
    try:
        async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
            relays = [OutboxRelay(sessions, TelegramSender(bot), limits, clock=clock, sleep=clock.sleep)
                      for sessions in two_relays_sessions]

            async def drain(relay: OutboxRelay) -> None:
                while await relay.deliver_once():
                    pass

            for _ in range(per_chat * 3):
                await asyncio.gather(*(drain(relay) for relay in relays))
                clock.advance(1.0)  # each chat's next push is due a second after its last
    finally:
        telegram.stop()

    for chat in range(chats):
        assert [m.text for m in telegram.messages_to(5000 + chat)] == [f"{chat}번 채팅 {n}번째 알림" for n in range(per_chat)]
    with two_relays_sessions[0]() as session:
        assert set(session.scalars(select(OutboxMessage.state))) == {"SENT"}
    # Every send took its own slot of the one rate, whichever relay made it.
    assert len(granted) == chats * per_chat
    ordered = sorted(granted)
    assert all(later - earlier >= INTERVAL for earlier, later in zip(ordered, ordered[1:]))
