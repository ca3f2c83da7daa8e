"""The outbox relay against PostgreSQL and the Bot API stand-in over HTTP."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.relay import OutboxRelay, RelayLimits, telegram_bot
from ieomoa.db import make_engine
from ieomoa.models import OutboxMessage, utcnow
from tests.support.telegram_standin import TelegramStandIn

FAST = RelayLimits(messages_per_second=5000, per_chat_interval=1.0, batch_size=25, backoff_base=30)


@pytest.fixture
def pg_sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgres_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def telegram() -> Iterator[TelegramStandIn]:
    standin = TelegramStandIn().start()
    yield standin
    standin.stop()


def queue(sessions: sessionmaker[Session], count: int, chats: int) -> None:
    with sessions.begin() as session:
        session.add_all(
            OutboxMessage(idempotency_key=f"test:{i}", chat_id=1000 + i % chats, text=f"알림 {i}")
            for i in range(count)
        )


def states(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as session:
        return Counter(session.scalars(select(OutboxMessage.state)))


async def drain(relay: OutboxRelay) -> None:
    while await relay.deliver_once():
        pass


async def test_two_relays_deliver_1000_rows_exactly_once(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    queue(pg_sessions, 1000, chats=1000)
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relays = [OutboxRelay(pg_sessions, bot, FAST), OutboxRelay(pg_sessions, bot, FAST)]
        await asyncio.gather(*(drain(r) for r in relays))
    sent = [m.text for m in telegram.sent if m.method == "sendMessage"]
    assert len(sent) == 1000 and len(set(sent)) == 1000
    assert states(pg_sessions) == Counter({"SENT": 1000})


async def test_one_chat_gets_its_messages_in_order_one_per_second_apart(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    queue(pg_sessions, 3, chats=1)
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay = OutboxRelay(pg_sessions, bot, FAST)
        assert await relay.deliver_once() == 1  # only the oldest row of a chat is claimable
        assert await relay.deliver_once() == 0  # the next one waits for the per-chat interval
        for _ in range(2):  # a second passes each time
            with pg_sessions.begin() as session:
                session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            assert await relay.deliver_once() == 1
    assert [m.text for m in telegram.messages_to(1000)] == ["알림 0", "알림 1", "알림 2"]


async def test_relay_killed_mid_batch_loses_nothing(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    queue(pg_sessions, 60, chats=60)
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        first = OutboxRelay(pg_sessions, bot, FAST)
        task = asyncio.create_task(first.deliver_once())
        while len(telegram.sent) < 5:  # killed after a few sends, before the batch commits
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await drain(OutboxRelay(pg_sessions, bot, FAST))
    delivered = Counter(m.text for m in telegram.sent if m.method == "sendMessage")
    assert set(delivered) == {f"알림 {i}" for i in range(60)}  # nothing lost
    assert sum(delivered.values()) - 60 <= FAST.batch_size  # repeats only within the killed batch
    assert states(pg_sessions) == Counter({"SENT": 60})


async def test_429_waits_retry_after_then_sends(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    queue(pg_sessions, 1, chats=1)
    telegram.fail_next_sends(
        (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
               "parameters": {"retry_after": 1}})
    )
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay = OutboxRelay(pg_sessions, bot, FAST)
        await relay.deliver_once()
        with pg_sessions() as session:
            row = session.scalars(select(OutboxMessage)).one()
            assert row.state == "PENDING" and row.last_error == "429"
            assert (row.next_attempt_at - utcnow()).total_seconds() > 0.5
        with pg_sessions.begin() as session:
            session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        await drain(relay)
    assert states(pg_sessions) == Counter({"SENT": 1})
    assert len(telegram.messages_to(1000)) == 1


async def test_500_is_retried_with_backoff_and_403_stops(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    queue(pg_sessions, 2, chats=2)  # chat 1000 gets a 500 first, chat 1001 has blocked the bot
    telegram.fail_next_sends(
        (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
        (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
    )
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay = OutboxRelay(pg_sessions, bot, FAST)
        await relay.deliver_once()
        with pg_sessions() as session:
            rows = {r.chat_id: r for r in session.scalars(select(OutboxMessage))}
        assert rows[1000].state == "PENDING" and rows[1000].attempts == 1
        assert (rows[1000].next_attempt_at - utcnow()).total_seconds() > 20  # backoff, not a hot loop
        assert rows[1001].state == "UNDELIVERABLE"
        with pg_sessions.begin() as session:
            session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        await drain(relay)
    assert states(pg_sessions) == Counter({"SENT": 1, "UNDELIVERABLE": 1})
    assert telegram.messages_to(1001) == []


async def test_voice_mode_push_is_followed_by_a_voice_note(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn, tmp_path
) -> None:
    import io

    import soundfile

    from ieomoa.speech.engines import CachedSpeech, EspeakEngine

    with pg_sessions.begin() as session:
        session.add(OutboxMessage(idempotency_key="v1", chat_id=77, text="이어모아 알림이에요. IEM-2026-000001", voice=True))
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay = OutboxRelay(pg_sessions, bot, FAST, speech=CachedSpeech(EspeakEngine(), tmp_path))
        await drain(relay)
    [voice] = telegram.messages_to(77, method="sendVoice")
    audio = next(iter(voice.files.values()))
    assert soundfile.info(io.BytesIO(audio)).subtype == "OPUS"
    assert len(telegram.messages_to(77)) == 1
