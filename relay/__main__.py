"""``python -m relay``: one relay process, delivering to Telegram until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal

from ieomoa.config import load_settings
from ieomoa.db import session_factory
from ieomoa.logging_setup import configure_logging
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.erasure import ErasureService
from ieomoa.services.retention import RetentionSweep
from ieomoa.speech.cache import TTS_CACHE_DIR
from ieomoa.speech.engines import CachedSpeech, engine_named
from relay.senders.telegram import TelegramSender, telegram_bot
from relay.upkeep import finish_erasures, sweep_retention
from relay.worker import OutboxRelay

logger = logging.getLogger("relay")


async def serve() -> None:
    """Deliver, finish pending erasures and sweep, until a signal sets ``stop``."""
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
        tracker_store = tracker_store_url(settings.database_url)
        await asyncio.gather(
            OutboxRelay(sessions, TelegramSender(bot), speech=speech).run(stop),
            finish_erasures(stop, ErasureService(sessions), tracker_store),
            sweep_retention(stop, RetentionSweep(sessions, tracker_store)),
        )


def main() -> None:
    """Logging as every service configures it, then the relay."""
    configure_logging()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
