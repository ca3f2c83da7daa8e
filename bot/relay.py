"""Outbox relay: delivers queued pushes through the bot, within Telegram's limits.

Rows are leased in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so several relays
can run at once; only the oldest pending row of each chat is claimable, which keeps a
chat's messages in order and lets one chat get at most one message per second. Each
outcome is committed on its own right after Telegram answers, so a relay killed mid-batch
never makes another resend what was already delivered; its leased rows go to the other
relays when the lease ends. Telegram's overall limit is one for all relays together: each
send takes the next slot of a rate shared through ``relay_state``. A 429 stops the batch and
pauses every relay (read with each slot); a 403 blocks the chat until it writes to the bot
again. See
``ieomoa.services.outbox``. Push texts are personal data: they are never logged.
The relay also finishes conversation erasures that a stopped bot left pending, and runs the
retention sweep every hour (ieomoa/services/retention.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from ieomoa.models import utcnow
from ieomoa.services.erasure import ErasureService
from ieomoa.services.outbox import PENDING, SENT, UNDELIVERABLE, Claim, Clock, OutboxStore, Push
from ieomoa.services.retention import RetentionSweep
from ieomoa.speech.cache import TTS_CACHE_DIR
from ieomoa.speech.engines import CachedSpeech, engine_named
from ieomoa.speech.text import speech_text

logger = logging.getLogger(__name__)

__all__ = ["PENDING", "SENT", "UNDELIVERABLE", "OutboxRelay", "RelayLimits", "telegram_bot"]


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


def _seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


class OutboxRelay:
    """Sends due outbox rows and records each outcome as soon as Telegram answers."""

    def __init__(
        self, sessions: sessionmaker[Session], bot: Bot, limits: RelayLimits | None = None,
        speech: CachedSpeech | None = None, clock: Clock = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._speech = speech
        self._limits = limits or RelayLimits()
        self._send_interval = 1.0 / self._limits.messages_per_second
        self._clock = clock
        self._sleep = sleep
        self._store = OutboxStore(sessions, clock)
        self._pause_left = 0.0  # seconds of the shared pause seen last, for run()'s wait

    async def _paused(self) -> bool:
        """True while the pause Telegram asked any relay for (429) lasts."""
        until = await asyncio.to_thread(self._store.paused_until)
        self._pause_left = 0.0 if until is None else max(0.0, (until - self._clock()).total_seconds())
        return until is not None

    async def _take_send_slot(self) -> bool:
        """Wait for this relay's next slot of the shared send rate; False while paused (429)."""
        slot = await asyncio.to_thread(self._store.reserve_send, self._send_interval)
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
        claim = await asyncio.to_thread(self._store.claim, limits.batch_size, timedelta(seconds=limits.lease_seconds))
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
            await asyncio.to_thread(self._store.release, claim, pending)
            raise
        # A kill or cancellation skips this: those rows come back when the lease ends.
        await asyncio.to_thread(self._store.release, claim, pending)
        return tried

    async def _send(self, claim: Claim, push: Push) -> bool:
        """Send one push (its send slot taken) and commit its outcome; False when the batch must stop (429)."""
        try:
            await self._bot.send_message(push.chat_id, push.text)
        except RetryAfter as error:
            seconds = _seconds(error.retry_after)
            logger.warning("Telegram asked to wait %.0f s (429); every relay pauses", seconds)
            await asyncio.to_thread(self._store.pause, seconds)
            await asyncio.to_thread(self._store.retry_later, claim, push, seconds, "429", count_attempt=False)
            return False
        except Forbidden as error:
            given_up = await asyncio.to_thread(self._store.block_chat, push.chat_id, f"403: {error.message[:150]}")
            logger.warning("Push %d: the chat blocked the bot (403); %d pending pushes given up, "
                           "later ones wait until it writes again", push.id, given_up)
            return True
        except BadRequest as error:
            await asyncio.to_thread(self._store.give_up, push, f"400: {error.message[:150]}")
            logger.warning("Push %d refused by Telegram (400)", push.id)
            return True
        except (TimedOut, NetworkError) as error:
            delay = min(self._limits.backoff_cap, self._limits.backoff_base * 2 ** push.attempts)
            await asyncio.to_thread(
                self._store.retry_later, claim, push, delay,
                f"{type(error).__name__}: {str(error)[:120]}", count_attempt=True,
            )
            logger.warning("Push %d failed (%s); retry in %.0f s", push.id, type(error).__name__, delay)
            return True
        # Delivered: committed before anything else happens, so it is never sent again.
        await asyncio.to_thread(self._store.mark_sent, push, self._limits.per_chat_interval)
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
            await self._bot.send_voice(push.chat_id, audio)
        except RetryAfter as error:
            seconds = _seconds(error.retry_after)
            logger.warning("Telegram asked to wait %.0f s (429) on a voice note; every relay pauses", seconds)
            await asyncio.to_thread(self._store.pause, seconds)
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
                except asyncio.TimeoutError:
                    pass


async def finish_erasures(stop: asyncio.Event, erasure: ErasureService, tracker_store_url: str,
                          every: float = 60.0) -> None:
    """Delete conversations whose erasure a stopped bot left unfinished (the relay always runs)."""
    while not stop.is_set():
        try:
            finished = await asyncio.to_thread(erasure.finish_pending, tracker_store_url)
            if finished:
                logger.info("Finished %d pending conversation erasures", finished)
        except Exception:
            logger.exception("Finishing pending erasures failed; retrying later")
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except asyncio.TimeoutError:
            pass


async def sweep_retention(stop: asyncio.Event, sweep: RetentionSweep, every: float = 3600.0) -> None:
    """Delete what outlived its retention period (PRIVACY.md), at start and then every hour."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(sweep.run)
        except Exception:
            logger.exception("Retention sweep failed; retrying later")
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except asyncio.TimeoutError:
            pass


def telegram_bot(token: str, base_url: str, base_file_url: str) -> Bot:
    """A Bot with a connection pool big enough for concurrent pushes."""
    request = HTTPXRequest(connection_pool_size=8, read_timeout=15, write_timeout=15, connect_timeout=5)
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)


async def serve() -> None:
    """Run one relay until SIGTERM/SIGINT."""
    import signal

    from ieomoa.config import load_settings
    from ieomoa.db import session_factory
    from ieomoa.rasa_endpoints import tracker_store_url

    settings = load_settings()
    if not settings.telegram_bot_token:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bot = telegram_bot(settings.telegram_bot_token, settings.telegram_api_base_url, settings.telegram_api_file_url)
    async with bot:
        logger.info("Outbox relay started")
        speech = CachedSpeech(engine_named(settings.tts_engine), TTS_CACHE_DIR)
        sessions = session_factory()
        await asyncio.gather(
            OutboxRelay(sessions, bot, speech=speech).run(stop),
            finish_erasures(stop, ErasureService(sessions), tracker_store_url(settings.database_url)),
            sweep_retention(stop, RetentionSweep(sessions, tracker_store_url(settings.database_url))),
        )


def main() -> None:
    """``python -m bot.relay``."""
    from ieomoa.logging_setup import configure_logging

    configure_logging()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
