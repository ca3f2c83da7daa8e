"""Outbox relay: delivers queued pushes through the bot, within Telegram's limits.

Rows are claimed with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL), so several relays
can run at once; only the oldest pending row of each chat is claimable, which keeps a
chat's messages in order and lets one chat get at most one message per second.
The relay also finishes conversation erasures that a stopped bot left pending.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from ieomoa.models import OutboxMessage, utcnow
from ieomoa.services.erasure import ErasureService
from ieomoa.speech.engines import CachedSpeech, engine_named
from ieomoa.speech.text import speech_text

logger = logging.getLogger(__name__)

PENDING, SENT, UNDELIVERABLE = "PENDING", "SENT", "UNDELIVERABLE"


@dataclass(frozen=True)
class RelayLimits:
    """Telegram's limits: about 30 messages/s per bot, 1/s per chat."""

    messages_per_second: float = 30.0
    per_chat_interval: float = 1.0
    batch_size: int = 20
    backoff_base: float = 1.0
    backoff_cap: float = 600.0


class RateLimiter:
    """Token bucket for the overall send rate."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when the next send is allowed."""
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
            self._next = max(self._next, now) + self._interval


class OutboxRelay:
    """Sends due outbox rows and records each outcome."""

    def __init__(
        self, sessions: sessionmaker[Session], bot: Bot, limits: RelayLimits | None = None,
        speech: CachedSpeech | None = None,
    ) -> None:
        self._sessions = sessions
        self._bot = bot
        self._speech = speech
        self._limits = limits or RelayLimits()
        self._rate = RateLimiter(self._limits.messages_per_second)
        self._paused_until = 0.0

    def _claimable(self):  # type: ignore[no-untyped-def]
        """Due rows that are the oldest pending row of their chat."""
        older = aliased(OutboxMessage)
        older_pending = exists().where(
            and_(older.chat_id == OutboxMessage.chat_id, older.state == PENDING, older.id < OutboxMessage.id)
        )
        return (
            select(OutboxMessage)
            .where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= utcnow(), ~older_pending)
            .order_by(OutboxMessage.id)
            .limit(self._limits.batch_size)
            .with_for_update(skip_locked=True, of=OutboxMessage)
        )

    async def deliver_once(self) -> int:
        """Claim one batch, send it, record the outcomes; returns how many rows were tried."""
        if time.monotonic() < self._paused_until:
            await asyncio.sleep(self._paused_until - time.monotonic())
        session = self._sessions()
        try:
            rows = await asyncio.to_thread(lambda: list(session.scalars(self._claimable())))
            for row in rows:
                await self._send(session, row)
            await asyncio.to_thread(session.commit)
            return len(rows)
        except BaseException:
            await asyncio.to_thread(session.rollback)
            raise
        finally:
            await asyncio.to_thread(session.close)

    async def _send(self, session: Session, row: OutboxMessage) -> None:
        await self._rate.wait()
        now = utcnow()
        try:
            await self._bot.send_message(row.chat_id, row.text)
        except RetryAfter as error:
            seconds = error.retry_after.total_seconds() if isinstance(error.retry_after, timedelta) else float(error.retry_after)
            logger.warning("Telegram asked to wait %.0f s (429)", seconds)
            self._paused_until = time.monotonic() + seconds
            row.next_attempt_at = now + timedelta(seconds=seconds)
            row.last_error = "429"
            return
        except Forbidden:
            row.state, row.last_error = UNDELIVERABLE, "403: the user blocked the bot"
            return
        except BadRequest as error:
            row.state, row.last_error = UNDELIVERABLE, f"400: {error.message[:150]}"
            return
        except (TimedOut, NetworkError) as error:
            row.attempts += 1
            delay = min(self._limits.backoff_cap, self._limits.backoff_base * 2 ** (row.attempts - 1))
            row.next_attempt_at = now + timedelta(seconds=delay)
            row.last_error = f"{type(error).__name__}: {str(error)[:120]}"
            logger.warning("Push %d failed (%s); retry in %.0f s", row.id, type(error).__name__, delay)
            return
        row.state, row.sent_at, row.attempts = SENT, now, row.attempts + 1
        if row.voice and self._speech is not None:
            await self._send_voice(row)
        # The chat's next message waits at least per_chat_interval (Telegram: ~1 message/s per chat).
        await asyncio.to_thread(
            session.execute,
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == row.chat_id, OutboxMessage.state == PENDING)
            .where(OutboxMessage.next_attempt_at < now + timedelta(seconds=self._limits.per_chat_interval))
            .values(next_attempt_at=now + timedelta(seconds=self._limits.per_chat_interval)),
        )

    async def _send_voice(self, row: OutboxMessage) -> None:
        """The push read aloud for a voice-mode chat; the text is already delivered either way."""
        assert self._speech is not None
        try:
            audio = await asyncio.to_thread(self._speech.say, speech_text(row.text), row.voice_slow)
            await self._rate.wait()
            await self._bot.send_voice(row.chat_id, audio)
        except Exception:
            logger.exception("Voice note for push %d failed; its text was sent", row.id)

    async def run(self, stop: asyncio.Event, idle_wait: float = 1.0) -> None:
        """Deliver until ``stop`` is set, waiting ``idle_wait`` when nothing is due."""
        while not stop.is_set():
            try:
                handled = await self.deliver_once()
            except Exception:
                logger.exception("Relay batch failed; retrying")
                handled = 0
            if handled == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=idle_wait)
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


def telegram_bot(token: str, base_url: str, base_file_url: str) -> Bot:
    """A Bot with a connection pool big enough for concurrent pushes."""
    request = HTTPXRequest(connection_pool_size=8, read_timeout=15, write_timeout=15, connect_timeout=5)
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)


async def serve() -> None:
    """Run one relay until SIGTERM/SIGINT."""
    import signal

    from ieomoa.config import VAR_DIR, load_settings
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
        speech = CachedSpeech(engine_named(settings.tts_engine), VAR_DIR / "tts-cache")
        sessions = session_factory()
        await asyncio.gather(
            OutboxRelay(sessions, bot, speech=speech).run(stop),
            finish_erasures(stop, ErasureService(sessions), tracker_store_url(settings.database_url)),
        )


def main() -> None:
    """``python -m bot.relay``."""
    from ieomoa.logging_setup import configure_logging

    configure_logging()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
