"""The outbox relay against PostgreSQL (and SQLite) and the Bot API stand-in over HTTP.

Time is a controllable clock handed to the relays: leases, the shared 429 pause and
retries are checked by moving it, never by sleeping.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot

from ieomoa.db import make_engine
from ieomoa.models import BlockedChat, OutboxMessage, RelayState, utcnow
from ieomoa.services.chats import ChatService
from ieomoa.services.outbox import BLOCKED, aware
from relay.senders.telegram import TelegramSender, telegram_bot
from relay.worker import OutboxRelay, RelayLimits
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


class Clock:
    """The relays' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Killed(BaseException):
    """The relay process dies here: like SIGKILL, no ``except Exception`` cleanup runs."""


Hook = Callable[[int], Awaitable[None]]


class ScriptedBot:
    """The real Bot (over HTTP to the stand-in) with hooks before/after the n-th sendMessage (under a TelegramSender)."""

    def __init__(self, bot: Bot, before: Hook | None = None, after: Hook | None = None) -> None:
        self._bot, self._before, self._after = bot, before, after
        self.count = 0

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        self.count += 1
        if self._before:
            await self._before(self.count)
        result = await self._bot.send_message(chat_id, text, **kwargs)
        if self._after:
            await self._after(self.count)
        return result

    async def send_voice(self, chat_id: int, voice: Any, **kwargs: Any) -> Any:
        return await self._bot.send_voice(chat_id, voice, **kwargs)


def queue(sessions: sessionmaker[Session], count: int, chats: int, *, due: datetime | None = None,
          start: int = 0, first_chat: int = 1000, prefix: str = "알림") -> None:
    with sessions.begin() as session:
        session.add_all(
            OutboxMessage(idempotency_key=f"test:{prefix}:{i}", chat_id=first_chat + i % chats, text=f"{prefix} {i}",
                          next_attempt_at=due or utcnow())
            for i in range(start, start + count)
        )


def states(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as session:
        return Counter(session.scalars(select(OutboxMessage.state)))


def delivered(telegram: TelegramStandIn) -> Counter[str]:
    return Counter(m.text for m in telegram.sent if m.method == "sendMessage")


def send_calls(telegram: TelegramStandIn) -> int:
    """sendMessage calls Telegram received, refused ones included."""
    return telegram.calls.count("sendMessage")


def too_many_requests(seconds: int) -> tuple[int, dict[str, Any]]:
    return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {seconds}",
                 "parameters": {"retry_after": seconds}}


FORBIDDEN = (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})


async def drain(relay: OutboxRelay) -> None:
    while await relay.deliver_once():
        pass


async def test_two_relays_deliver_1000_rows_exactly_once(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    queue(sessions, 1000, chats=1000)
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relays = [OutboxRelay(sessions, TelegramSender(bot), FAST) for _ in range(2)]
        await asyncio.gather(*(drain(r) for r in relays))
    sent = [m.text for m in telegram.sent if m.method == "sendMessage"]
    assert len(sent) == 1000 and len(set(sent)) == 1000
    assert states(sessions) == Counter({"SENT": 1000})


async def test_one_chat_gets_its_messages_in_order_one_per_second_apart(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    queue(pg_sessions, 3, chats=1)
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay = OutboxRelay(pg_sessions, TelegramSender(bot), FAST)
        assert await relay.deliver_once() == 1  # only the oldest row of a chat is claimable
        assert await relay.deliver_once() == 0  # the next one waits for the per-chat interval
        for _ in range(2):  # a second passes each time
            with pg_sessions.begin() as session:
                session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            assert await relay.deliver_once() == 1
    assert [m.text for m in telegram.messages_to(1000)] == ["알림 0", "알림 1", "알림 2"]


async def test_relay_killed_mid_batch_leaves_its_rows_to_another_relay_and_nothing_is_sent_twice(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    clock = Clock()
    queue(sessions, 10, chats=10, due=clock())

    async def die_before_the_fourth(n: int) -> None:
        if n == 4:
            raise Killed

    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        scripted = TelegramSender(ScriptedBot(bot, before=die_before_the_fourth))
        first = OutboxRelay(sessions, scripted, FAST, clock=clock)
        with pytest.raises(Killed):
            await first.deliver_once()
        assert list(delivered(telegram)) == ["알림 0", "알림 1", "알림 2"]
        # Each push was marked SENT on its own, as soon as Telegram accepted it.
        assert states(sessions) == Counter({"SENT": 3, "PENDING": 7})
        second = OutboxRelay(sessions, TelegramSender(bot), FAST, clock=clock)
        assert await second.deliver_once() == 0  # the dead relay's lease still covers its rows
        assert send_calls(telegram) == 3
        clock.advance(FAST.lease_seconds)
        await drain(second)
    assert delivered(telegram) == Counter({f"알림 {i}": 1 for i in range(10)})  # none lost, none twice
    assert states(sessions) == Counter({"SENT": 10})


async def test_a_kill_between_telegram_and_the_commit_repeats_only_that_one_push(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    """The one window no relay can close: Telegram accepted, the relay died before recording it."""
    clock = Clock()
    queue(sessions, 6, chats=6, due=clock())

    async def die_after_the_third(n: int) -> None:
        if n == 3:
            raise Killed

    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        scripted = TelegramSender(ScriptedBot(bot, after=die_after_the_third))
        first = OutboxRelay(sessions, scripted, FAST, clock=clock)
        with pytest.raises(Killed):
            await first.deliver_once()
        clock.advance(FAST.lease_seconds)
        await drain(OutboxRelay(sessions, TelegramSender(bot), FAST, clock=clock))
    assert delivered(telegram) == Counter({**{f"알림 {i}": 1 for i in range(6)}, "알림 2": 2})
    assert states(sessions) == Counter({"SENT": 6})


async def test_relay_cancelled_mid_batch_resends_at_most_the_push_in_flight(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    clock = Clock()
    queue(pg_sessions, 60, chats=60, due=clock())
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        first = OutboxRelay(pg_sessions, TelegramSender(bot), FAST, clock=clock)
        task = asyncio.create_task(first.deliver_once())
        while len(telegram.sent) < 5:  # cancelled after a few sends, wherever it is
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        clock.advance(FAST.lease_seconds)
        await drain(OutboxRelay(pg_sessions, TelegramSender(bot), FAST, clock=clock))
    counts = delivered(telegram)
    assert set(counts) == {f"알림 {i}": 1 for i in range(60)}.keys()  # nothing lost
    assert sum(counts.values()) - 60 <= 1  # only a push Telegram had taken when the task died
    assert states(pg_sessions) == Counter({"SENT": 60})


async def test_429_stops_the_batch_and_no_relay_sends_before_retry_after_ends(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    clock = Clock()
    queue(sessions, 6, chats=6, due=clock())
    telegram.fail_next_sends(too_many_requests(30))
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay, other = (OutboxRelay(sessions, TelegramSender(bot), FAST, clock=clock) for _ in range(2))
        assert await relay.deliver_once() == 1  # the 429 ended the batch at once
        assert send_calls(telegram) == 1
        with sessions() as session:
            row = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
            assert row is not None and row.state == "PENDING" and row.last_error == "429"
            assert aware(row.next_attempt_at) == clock() + timedelta(seconds=30)
            paused_until = session.scalar(select(RelayState.paused_until))
            assert paused_until is not None and aware(paused_until) == clock() + timedelta(seconds=30)
        for seconds in (0, 15, 14.9):  # up to 29.9 s later
            clock.advance(seconds)
            assert await relay.deliver_once() == 0
            assert await other.deliver_once() == 0
            assert send_calls(telegram) == 1
        clock.advance(0.1)
        await asyncio.gather(drain(relay), drain(other))
    assert send_calls(telegram) == 7
    assert delivered(telegram) == Counter({f"알림 {i}": 1 for i in range(6)})
    assert states(sessions) == Counter({"SENT": 6})


async def test_a_429_of_one_relay_stops_another_relay_mid_batch(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    clock = Clock()
    limits = replace(FAST, batch_size=3)
    queue(sessions, 6, chats=6, due=clock())
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        first = OutboxRelay(sessions, TelegramSender(bot), limits, clock=clock)

        async def first_relay_hits_a_429(n: int) -> None:
            if n == 1:  # while the second relay is in the middle of its batch
                telegram.fail_next_sends(too_many_requests(30))
                assert await first.deliver_once() == 1

        scripted = TelegramSender(ScriptedBot(bot, after=first_relay_hits_a_429))
        second = OutboxRelay(sessions, scripted, limits, clock=clock)
        assert await second.deliver_once() == 1  # its next two rows waited for the pause
        assert send_calls(telegram) == 2  # second's first push, then first's 429
        assert list(delivered(telegram)) == ["알림 0"]
        clock.advance(29)
        assert await second.deliver_once() == 0 and await first.deliver_once() == 0
        assert send_calls(telegram) == 2
        clock.advance(1)
        await asyncio.gather(drain(first), drain(second))
    assert delivered(telegram) == Counter({f"알림 {i}": 1 for i in range(6)})
    assert states(sessions) == Counter({"SENT": 6})


async def test_403_blocks_the_chat_until_it_writes_again(
    sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    clock = Clock()
    queue(sessions, 3, chats=1, due=clock(), first_chat=1000, prefix="차단")
    queue(sessions, 1, chats=1, due=clock(), first_chat=1001, prefix="다른")
    telegram.fail_next_sends(FORBIDDEN)
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay = OutboxRelay(sessions, TelegramSender(bot), FAST, clock=clock)
        await drain(relay)
        assert send_calls(telegram) == 2  # chat 1000's first push (403) and chat 1001's
        with sessions() as session:
            blocked = session.get(BlockedChat, 1000)
            assert blocked is not None and blocked.reason == "403: Forbidden: bot was blocked by the user"
            rows = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 1000)).all()
        assert [(r.state, r.last_error) for r in rows] == [("UNDELIVERABLE", BLOCKED)] * 3
        assert "blocked the bot" in BLOCKED

        # Later pushes: none is attempted for the blocked chat; other chats go on.
        clock.advance(1)
        queue(sessions, 1, chats=1, due=clock(), start=3, first_chat=1000, prefix="차단")
        queue(sessions, 1, chats=1, due=clock(), start=1, first_chat=1001, prefix="다른")
        await drain(relay)
        assert send_calls(telegram) == 3
        assert telegram.messages_to(1000) == []
        assert [m.text for m in telegram.messages_to(1001)] == ["다른 0", "다른 1"]

        # The chat writes to the bot again: its next pushes go out.
        chats = ChatService(sessions)
        assert chats.resume_pushes("tg-1000") is True
        assert chats.resume_pushes("tg-1000") is False
        clock.advance(1)
        queue(sessions, 1, chats=1, due=clock(), start=4, first_chat=1000, prefix="차단")
        await drain(relay)
    assert [m.text for m in telegram.messages_to(1000)] == ["차단 4"]
    with sessions() as session:
        by_key = dict(session.execute(select(OutboxMessage.idempotency_key, OutboxMessage.state)).tuples().all())
    assert {key.removeprefix("test:"): state for key, state in by_key.items()} == {
        "차단:0": "UNDELIVERABLE", "차단:1": "UNDELIVERABLE", "차단:2": "UNDELIVERABLE",
        "차단:3": "UNDELIVERABLE", "차단:4": "SENT", "다른:0": "SENT", "다른:1": "SENT"}


async def test_500_is_retried_with_backoff_and_403_stops(
    pg_sessions: sessionmaker[Session], telegram: TelegramStandIn
) -> None:
    queue(pg_sessions, 2, chats=2)  # chat 1000 gets a 500 first, chat 1001 has blocked the bot
    telegram.fail_next_sends(
        (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
        (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
    )
    async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
        relay = OutboxRelay(pg_sessions, TelegramSender(bot), FAST)
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
        relay = OutboxRelay(pg_sessions, TelegramSender(bot), FAST, speech=CachedSpeech(EspeakEngine(), tmp_path))
        await drain(relay)
    [voice] = telegram.messages_to(77, method="sendVoice")
    audio = next(iter(voice.files.values()))
    assert soundfile.info(io.BytesIO(audio)).subtype == "OPUS"
    assert len(telegram.messages_to(77)) == 1
