"""Per-chat ordering: one chat in order, other chats not held up."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.update_processor import PerChatUpdateProcessor


def update_for(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, "private")
    return Update(update_id, message=Message(update_id, None, chat, text="x"))  # type: ignore[arg-type]


async def test_same_chat_waits_for_earlier_update_and_other_chat_does_not() -> None:
    processor = PerChatUpdateProcessor()
    first_may_finish = asyncio.Event()
    order: list[str] = []

    async def first() -> None:
        order.append("chat1-first-start")
        await first_may_finish.wait()
        order.append("chat1-first-end")

    async def second() -> None:
        order.append("chat1-second")

    other_done = asyncio.Event()

    async def other() -> None:
        order.append("chat2")
        other_done.set()

    tasks = [
        asyncio.create_task(processor.process_update(update_for(1, 1), first())),
        asyncio.create_task(processor.process_update(update_for(1, 2), second())),
        asyncio.create_task(processor.process_update(update_for(2, 3), other())),
    ]
    await other_done.wait()  # chat 2 ran while chat 1's first update is still busy
    assert "chat1-second" not in order
    first_may_finish.set()
    await asyncio.gather(*tasks)
    assert order.index("chat1-first-end") < order.index("chat1-second")
    assert processor._locks == {}  # locks are dropped once idle


async def test_many_updates_of_one_chat_keep_arrival_order() -> None:
    processor = PerChatUpdateProcessor()
    seen: list[int] = []

    async def record(n: int) -> None:
        await asyncio.sleep(0)  # yield so that a wrong order would show
        seen.append(n)

    await asyncio.gather(
        *(processor.process_update(update_for(5, n), record(n)) for n in range(1, 30))
    )
    assert seen == list(range(1, 30))
