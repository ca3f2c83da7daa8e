"""At-least-once handling of Telegram updates: claim on arrival, handle, then finish.

PTB confirms fetched updates to Telegram with its next getUpdates offset right away, so
after a crash Telegram does not send them again: the bot keeps each update itself. The
update processor claims an update in the ledger (``ieomoa/services/updates.py``) the
moment it arrives, before it waits for its chat's earlier updates, so one queued behind a
slow answer is kept too; the claim stores the sealed update with a lease. Once the
handlers ran (an answer, or the error handler's apology) the update is finished and its
copy dropped. While it is handled, a background task renews its lease; an update whose
lease ran out was left by a process that died, and the same task (and every start) puts
it back into the application's update queue, oldest first, to go through the normal
handlers. A redelivery of a finished or leased update is skipped without running any
handler. Nothing here logs what a user wrote: only update ids.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.update_processor import PerChatUpdateProcessor
from ieomoa.services.updates import UpdateLedger

logger = logging.getLogger(__name__)

DEFAULT_RECOVERY_INTERVAL = 30.0  # seconds; must stay well under the ledger's lease
MAX_ATTEMPTS = 3  # an update whose handling killed the process this often is given up


class UpdateDelivery:
    """The bot's side of the ledger: what this process holds, lease renewal and recovery."""

    def __init__(
        self, ledger: UpdateLedger, *, recovery_interval: float = DEFAULT_RECOVERY_INTERVAL,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        if not 0 < recovery_interval < ledger.lease.total_seconds():
            raise ValueError("the recovery interval must be positive and shorter than the lease")
        self.ledger = ledger
        self.recovery_interval = recovery_interval
        self.max_attempts = max_attempts
        self._held: set[int] = set()  # claimed here and not finished: their leases are renewed
        self._unfinished: set[int] = set()  # handled, but marking them done failed: retried
        self._task: asyncio.Task[None] | None = None

    # -- one update ------------------------------------------------------------
    def guard(self, update: Update, coroutine: Awaitable[Any]) -> Coroutine[Any, Any, None]:
        """``coroutine`` (the update's handlers) run only if the claim, started now, succeeds."""
        data = json.loads(update.to_json())
        claim = asyncio.ensure_future(self._claim(update.update_id, data))
        return self._handle(update.update_id, claim, coroutine)

    async def _claim(self, update_id: int, data: dict[str, Any]) -> bool:
        claimed = await asyncio.to_thread(self.ledger.claim, update_id, data)
        if claimed:
            # Held from now on, even while it waits for its chat: its lease is renewed.
            self._held.add(update_id)
        return claimed

    async def _handle(self, update_id: int, claim: Awaitable[bool], coroutine: Awaitable[Any]) -> None:
        try:
            claimed = await claim
        except Exception:
            # The database failed: handle the update anyway (its handlers will meet the same
            # failure and apologise), it just is not protected against a crash.
            logger.exception("Could not claim update %d; handling it unprotected", update_id)
            await coroutine
            return
        if not claimed:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            logger.info("Update %d is already handled or being handled; skipping", update_id)
            return
        try:
            # Application.process_update sends handler errors to the error handler and
            # returns: reaching the end means the user got an answer or an apology.
            await coroutine
        except Exception:
            logger.exception("Update %d failed outside its handlers", update_id)
        except BaseException:
            # Cancelled or interrupted mid-way: not finished, so handled again later.
            self._held.discard(update_id)
            raise
        self._held.discard(update_id)
        await self._finish([update_id])

    async def _finish(self, update_ids: list[int]) -> None:
        try:
            await asyncio.to_thread(self.ledger.finish, update_ids)
            self._unfinished.difference_update(update_ids)
        except Exception:
            # Keep renewing the leases until the mark is written, or the update would be
            # handled twice.
            logger.exception("Could not mark updates %s done; will retry", update_ids)
            self._unfinished.update(update_ids)

    # -- leases and recovery -----------------------------------------------------
    async def recover(self, application: Application, *, starting: bool = False) -> int:
        """Renew this process's leases and requeue updates whose lease ran out; how many."""
        if self._unfinished:
            await self._finish(sorted(self._unfinished))
        held = self._held | self._unfinished
        if held:
            await asyncio.to_thread(self.ledger.renew, held)
        pending = await asyncio.to_thread(self.ledger.expired)
        given_up: list[int] = []
        queued = 0
        for item in pending:
            if item.update_id in held:
                continue
            if item.attempts >= self.max_attempts or item.data is None:
                logger.warning(
                    "Giving up update %d after %d attempts%s", item.update_id, item.attempts,
                    "" if item.data is not None else " (its copy is missing)",
                )
                given_up.append(item.update_id)
                continue
            try:
                update = Update.de_json(item.data, application.bot)
            except Exception:  # noqa: BLE001 - a copy PTB cannot read is given up, not retried forever
                logger.warning("Stored update %d cannot be read; giving it up", item.update_id)
                given_up.append(item.update_id)
                continue
            # Application.stop() drains the queue once: nothing may be put after it began.
            if not (starting or application.running):
                break
            application.update_queue.put_nowait(update)
            queued += 1
        if given_up:
            await self._finish(given_up)
        if queued:
            logger.info("Requeued %d update(s) left unfinished by a stopped process", queued)
        return queued

    async def _keep_recovering(self, application: Application) -> None:
        while True:
            await asyncio.sleep(self.recovery_interval)
            try:
                await self.recover(application)
            except Exception:
                logger.exception("Update recovery failed; trying again in %.0f s", self.recovery_interval)

    async def start(self, application: Application) -> None:
        """Requeue what a stopped process left (before polling starts), then keep watch."""
        try:
            await self.recover(application, starting=True)
        except Exception:
            logger.exception("Update recovery at start failed; the background task will retry")
        self._task = asyncio.create_task(self._keep_recovering(application), name="ieomoa:update-recovery")

    async def stop(self) -> None:
        """Stop the background task (after the application finished its updates)."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._unfinished:
            await self._finish(sorted(self._unfinished))


class LedgeredUpdateProcessor(PerChatUpdateProcessor):
    """Per-chat ordering, with each update claimed on arrival and finished after its handlers."""

    def __init__(self, delivery: UpdateDelivery, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.delivery = delivery

    # PTB marks process_update final (it only takes the semaphore), but the claim must start
    # before that wait, and process_update is the only hook that runs before it.
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        """Claim before waiting for the semaphore or the chat, so a waiting update is kept too."""
        handlers = coroutine
        if isinstance(update, Update):
            coroutine = self.delivery.guard(update, handlers)
        try:
            await super().process_update(update, coroutine)
        finally:
            # Cancelled before its turn (the process is stopping): drop what never started.
            for unstarted in (coroutine, handlers):
                if inspect.iscoroutine(unstarted) and inspect.getcoroutinestate(unstarted) == inspect.CORO_CREATED:
                    unstarted.close()
