"""The relay's loop: claim due pushes, hand each to the channel's sender, record what happened.

Rows are leased in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so several relays
can run at once; only the oldest pending row of each chat is claimable, which keeps a
chat's messages in order and lets one chat get at most one message per second. Each
outcome is committed on its own right after the messenger answers, so a relay killed
mid-batch never makes another resend what was already delivered; its leased rows go to the
other relays when the lease ends. The messenger's overall limit is one for all relays
together: each send takes the next slot of a rate shared through ``relay_state``. A 429
stops the batch and pauses every relay (read with each slot); a 403 blocks the chat until
it writes to the bot again. Every statement is the outbox service's
(``ieomoa.services.outbox``). Push texts are personal data: they are never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import utcnow
from ieomoa.services.outbox import Claim, Clock, OutboxService, Push
from ieomoa.speech.engines import CachedSpeech
from ieomoa.speech.text import speech_text
from relay.senders.base import ChatBlocked, RateLimited, Refused, Sender, TemporaryFailure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayLimits:
    """Telegram's limits: about 30 messages/s per bot (all relays together), 1/s per chat; the lease.

    A relay stops sending from a batch once less than ``lease_margin`` seconds of its lease
    remain (more than one send can take with the HTTP timeouts), so no row is sent after
    another relay may have taken it over.
    """

    messages_per_second: float = 30.0
    per_chat_interval: float = 1.0
    batch_size: int = 20
    backoff_base: float = 1.0
    backoff_cap: float = 600.0
    lease_seconds: float = 120.0
    lease_margin: float = 45.0


class OutboxRelay:
    """Sends due outbox rows through one sender and records each outcome as soon as it is known."""

    def __init__(
        self, sessions: sessionmaker[Session], sender: Sender, limits: RelayLimits | None = None,
        speech: CachedSpeech | None = None, clock: Clock = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._sender = sender
        self._speech = speech
        self._limits = limits or RelayLimits()
        self._send_interval = 1.0 / self._limits.messages_per_second
        self._clock = clock
        self._sleep = sleep
        self._outbox = OutboxService(sessions, clock)
        self._pause_left = 0.0  # seconds of the shared pause seen last, for run()'s wait

    async def _paused(self) -> bool:
        """True while the pause the messenger asked any relay for (429) lasts."""
        until = await asyncio.to_thread(self._outbox.paused_until)
        self._pause_left = 0.0 if until is None else max(0.0, (until - self._clock()).total_seconds())
        return until is not None

    async def _take_send_slot(self) -> bool:
        """Wait for this relay's next slot of the shared send rate; False while paused (429)."""
        slot = await asyncio.to_thread(self._outbox.reserve_send, self._send_interval)
        if slot is None:
            return False
        wait = (slot - self._clock()).total_seconds()
        if wait > 0:
            await self._sleep(wait)
        return True

    async def deliver_once(self) -> int:
        """Claim one batch and send it; returns how many rows were tried (0 while paused)."""
        if await self._paused():
            return 0
        limits = self._limits
        lease = timedelta(seconds=limits.lease_seconds)
        claim = await asyncio.to_thread(self._outbox.claim, limits.batch_size, lease)
        pending = list(claim.pushes)
        tried = 0
        try:
            while pending:
                if (claim.lease_until - self._clock()).total_seconds() < limits.lease_margin:
                    logger.warning("Lease nearly over; %d pushes left for the next batch", len(pending))
                    break
                if not await self._take_send_slot():  # another relay may have got a 429 meanwhile
                    break
                push = pending.pop(0)
                go_on = await self._send(claim, push)
                tried += 1
                if not go_on:
                    break
        except Exception:
            # The push in flight keeps its lease (it may have been delivered); the rest go back.
            await asyncio.to_thread(self._outbox.release, claim, pending)
            raise
        # A kill or cancellation skips this: those rows come back when the lease ends.
        await asyncio.to_thread(self._outbox.release, claim, pending)
        return tried

    async def _send(self, claim: Claim, push: Push) -> bool:
        """Send one push (its send slot taken) and commit its outcome; False when the batch must stop (429)."""
        outbox = self._outbox
        try:
            await self._sender.send_text(push.address, push.text)
        except RateLimited as error:
            logger.warning("The messenger asked to wait %.0f s (429); every relay pauses", error.seconds)
            await asyncio.to_thread(outbox.pause, error.seconds)
            await asyncio.to_thread(outbox.retry_later, claim, push, error.seconds, error.reason, count_attempt=False)
            return False
        except ChatBlocked as error:
            if push.chat_id is None:  # only Telegram's chats can be blocked (a 403)
                await asyncio.to_thread(outbox.give_up, push, error.reason)
                return True
            given_up = await asyncio.to_thread(outbox.block_chat, push.chat_id, error.reason)
            logger.warning("Push %d: the chat blocked the bot (403); %d pending pushes given up, "
                           "later ones wait until it writes again", push.id, given_up)
            return True
        except Refused as error:
            await asyncio.to_thread(outbox.give_up, push, error.reason)
            logger.warning("Push %d refused by the messenger (400)", push.id)
            return True
        except TemporaryFailure as error:
            delay = min(self._limits.backoff_cap, self._limits.backoff_base * 2 ** push.attempts)
            await asyncio.to_thread(outbox.retry_later, claim, push, delay, error.reason, count_attempt=True)
            logger.warning("Push %d failed (%s); retry in %.0f s", push.id, error.kind, delay)
            return True
        # Delivered: committed before anything else happens, so it is never sent again.
        await asyncio.to_thread(outbox.mark_sent, push, self._limits.per_chat_interval)
        if push.voice and self._speech is not None:
            await self._send_voice(push)
        return True

    async def _send_voice(self, push: Push) -> None:
        """The push read aloud for a voice-mode chat; the text is already delivered either way.

        A push names the application and its dates (and maybe a staff note): spoken offline,
        in memory, never cached.
        """
        assert self._speech is not None
        try:
            audio = await asyncio.to_thread(self._speech.say, speech_text(push.text), push.voice_slow, personal=True)
            if not await self._take_send_slot():
                logger.warning("Voice note for push %d not sent: every relay pauses (429); its text was sent", push.id)
                return
            await self._sender.send_voice(push.address, audio)
        except RateLimited as error:
            logger.warning("The messenger asked to wait %.0f s (429) on a voice note; every relay pauses",
                           error.seconds)
            await asyncio.to_thread(self._outbox.pause, error.seconds)
        except Exception:
            logger.exception("Voice note for push %d failed; its text was sent", push.id)

    async def run(self, stop: asyncio.Event, idle_wait: float = 1.0) -> None:
        """Deliver until ``stop`` is set, waiting ``idle_wait`` (or the pause) when nothing is due."""
        while not stop.is_set():
            try:
                handled = await self.deliver_once()
            except Exception:
                logger.exception("Relay batch failed; retrying")
                handled = 0
            if handled == 0:
                wait = max(idle_wait, min(self._pause_left, self._limits.backoff_cap))
                try:
                    await asyncio.wait_for(stop.wait(), timeout=wait)
                except TimeoutError:
                    pass
