"""The bot's update processor with the ledger: claim on arrival, finish after, recover the rest.

A process that dies is played by cancelling its tasks and forgetting its UpdateDelivery; the
lease running out is written into the row, as the clock would have. Nothing waits on time.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from telegram import Chat, Message, Update, User

from bot.delivery import LedgeredUpdateProcessor, UpdateDelivery
from ieomoa.models import ProcessedUpdate, utcnow
from ieomoa.services.updates import UpdateLedger

SECRET = "delivery-test-secret"
TEXT = "제 전화번호는 010-9876-5432예요"


def text_update(update_id: int, chat_id: int = 42, text: str = TEXT) -> Update:
    chat = Chat(chat_id, "private")
    user = User(chat_id, "신청자", False)
    return Update(update_id, message=Message(update_id, utcnow().replace(microsecond=0), chat, from_user=user, text=text))


def fake_application(*, running: bool = True) -> Any:
    """What recovery uses of an Application: its bot, whether it runs, its update queue."""
    return SimpleNamespace(bot=None, running=running, update_queue=asyncio.Queue())


def expire(sessions: sessionmaker[Session], *update_ids: int) -> None:
    with sessions.begin() as session:
        session.execute(
            update(ProcessedUpdate).where(ProcessedUpdate.update_id.in_(update_ids))
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )


def row(sessions: sessionmaker[Session], update_id: int) -> ProcessedUpdate | None:
    with sessions() as session:
        return session.scalar(select(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id))


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for a condition (not for a length of time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


@pytest.fixture
def ledger(sessions: sessionmaker[Session]) -> UpdateLedger:
    return UpdateLedger(sessions, secret=SECRET)


def bot_side(ledger: UpdateLedger, **options: Any) -> tuple[UpdateDelivery, LedgeredUpdateProcessor]:
    """One bot process's memory: a fresh one after each simulated death."""
    delivery = UpdateDelivery(ledger, **options)
    return delivery, LedgeredUpdateProcessor(delivery)


async def test_an_update_is_handled_then_finished(ledger: UpdateLedger, sessions: sessionmaker[Session]) -> None:
    _, processor = bot_side(ledger)
    handled: list[int] = []

    async def handlers() -> None:
        stored = row(sessions, 1)
        assert stored is not None and stored.done_at is None and stored.sealed_update  # kept while handled
        handled.append(1)

    await processor.process_update(text_update(1), handlers())
    stored = row(sessions, 1)
    assert handled == [1]
    assert stored is not None and stored.done_at is not None and stored.sealed_update is None


async def test_a_redelivery_reaches_no_handler_while_handled_or_after(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    delivery, processor = bot_side(ledger)
    may_finish = asyncio.Event()
    runs: list[str] = []

    async def first() -> None:
        runs.append("first")
        await may_finish.wait()

    async def again() -> None:
        runs.append("again")

    task = asyncio.create_task(processor.process_update(text_update(2), first()))
    await until(lambda: runs == ["first"])
    during = again()
    await processor.process_update(text_update(2, chat_id=43), during)  # another chat: not held by the lock
    assert inspect.getcoroutinestate(during) == inspect.CORO_CLOSED  # closed, never run
    may_finish.set()
    await task
    after = again()
    await processor.process_update(text_update(2), after)
    assert inspect.getcoroutinestate(after) == inspect.CORO_CLOSED
    assert runs == ["first"]
    assert delivery._held == set()


async def test_an_update_whose_handling_died_is_handled_again_once(
    ledger: UpdateLedger, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    dead, processor = bot_side(ledger)
    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.Event().wait()  # waiting for Rasa when the process is killed

    task = asyncio.create_task(processor.process_update(text_update(3), stuck()))
    await started.wait()
    task.cancel()  # the process dies mid-way
    with pytest.raises(asyncio.CancelledError):
        await task
    stored = row(sessions, 3)
    assert stored is not None and stored.done_at is None  # not finished: it will be handled again

    delivery, processor = bot_side(ledger)  # the next process
    application = fake_application()
    assert await delivery.recover(application, starting=True) == 0  # its lease still runs
    expire(sessions, 3)
    assert await delivery.recover(application, starting=True) == 1
    recovered = application.update_queue.get_nowait()
    assert recovered.update_id == 3 and recovered.message.text == TEXT and recovered.message.chat.id == 42
    seen: list[str] = []

    async def answer() -> None:
        seen.append(recovered.message.text)

    await processor.process_update(recovered, answer())
    assert seen == [TEXT]
    stored = row(sessions, 3)
    assert stored is not None and stored.done_at is not None and stored.sealed_update is None and stored.attempts == 2
    expire(sessions, 3)
    assert await delivery.recover(application, starting=True) == 0 and application.update_queue.empty()
    assert "010-9876-5432" not in caplog.text and "전화번호" not in caplog.text


async def test_updates_waiting_for_their_chat_are_kept_too(
    ledger: UpdateLedger, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    dead, processor = bot_side(ledger)
    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.Event().wait()

    async def never() -> None:
        raise AssertionError("the process died before this update's turn")

    first = asyncio.create_task(processor.process_update(text_update(11, text="첫째"), stuck()))
    second = asyncio.create_task(processor.process_update(text_update(12, text="둘째"), never()))
    await started.wait()
    await until(lambda: 12 in dead._held)  # claimed on arrival, while it waits for the chat
    stored = row(sessions, 12)
    assert stored is not None and stored.sealed_update and stored.done_at is None
    for task in (first, second):
        task.cancel()
    await asyncio.gather(first, second, return_exceptions=True)

    delivery, _ = bot_side(ledger)
    application = fake_application()
    expire(sessions, 11, 12)
    assert await delivery.recover(application, starting=True) == 2
    queued = [application.update_queue.get_nowait() for _ in range(2)]
    assert [(u.update_id, u.message.text) for u in queued] == [(11, "첫째"), (12, "둘째")]
    assert "첫째" not in caplog.text and "둘째" not in caplog.text


async def test_recovery_renews_what_this_process_holds_instead_of_requeueing_it(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    delivery, processor = bot_side(ledger)
    may_finish = asyncio.Event()

    async def slow() -> None:
        await may_finish.wait()

    task = asyncio.create_task(processor.process_update(text_update(21), slow()))
    await until(lambda: 21 in delivery._held)
    expire(sessions, 21)  # a long answer outlived the lease
    application = fake_application()
    assert await delivery.recover(application) == 0
    assert ledger.expired() == []  # renewed: no other process takes it over
    may_finish.set()
    await task
    stored = row(sessions, 21)
    assert stored is not None and stored.done_at is not None


async def test_an_error_outside_the_handlers_still_finishes_the_update(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    _, processor = bot_side(ledger)

    async def broken() -> None:
        raise RuntimeError("boom")

    await processor.process_update(text_update(22), broken())
    stored = row(sessions, 22)
    assert stored is not None and stored.done_at is not None


async def test_updates_that_keep_killing_the_bot_or_cannot_be_read_are_given_up(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    ledger.claim(31, {"update_id": 31})
    ledger.claim(32)  # claimed without a copy (before this scheme)
    ledger.claim(33, {"update_id": 33})
    with sessions.begin() as session:
        session.execute(update(ProcessedUpdate).where(ProcessedUpdate.update_id == 31).values(attempts=3))
    expire(sessions, 31, 32, 33)
    delivery, _ = bot_side(ledger)
    application = fake_application()
    assert await delivery.recover(application) == 1
    assert application.update_queue.get_nowait().update_id == 33
    for given_up in (31, 32):
        stored = row(sessions, given_up)
        assert stored is not None and stored.done_at is not None and stored.sealed_update is None


async def test_nothing_is_queued_once_the_application_stops(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    ledger.claim(41, text_update(41).to_dict())
    expire(sessions, 41)
    delivery, _ = bot_side(ledger)
    application = fake_application(running=False)
    assert await delivery.recover(application) == 0 and application.update_queue.empty()
    assert [p.update_id for p in ledger.expired()] == [41]  # left for the next start


async def test_the_background_task_requeues_updates_whose_lease_runs_out(
    sessions: sessionmaker[Session],
) -> None:
    ledger = UpdateLedger(sessions, lease=timedelta(seconds=30), secret=SECRET)
    delivery = UpdateDelivery(ledger, recovery_interval=0.05)
    application = fake_application()
    await delivery.start(application)
    try:
        ledger.claim(51, text_update(51).to_dict())
        expire(sessions, 51)
        recovered = await asyncio.wait_for(application.update_queue.get(), timeout=10)
        assert recovered.update_id == 51 and recovered.message.text == TEXT
    finally:
        await delivery.stop()
    assert delivery._task is None


def test_the_recovery_interval_must_be_shorter_than_the_lease(ledger: UpdateLedger) -> None:
    with pytest.raises(ValueError):
        UpdateDelivery(ledger, recovery_interval=ledger.lease.total_seconds())
    with pytest.raises(ValueError):
        UpdateDelivery(ledger, recovery_interval=0)
