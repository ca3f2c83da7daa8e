"""``python -m relay``: one relay process, delivering to Telegram and KakaoTalk until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack

from ieomoa.config import load_settings
from ieomoa.db import session_factory
from ieomoa.logging_setup import configure_logging
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.erasure import ErasureService
from ieomoa.services.retention import RetentionSweep
from ieomoa.speech.cache import TTS_CACHE_DIR
from ieomoa.speech.engines import CachedSpeech, engine_named
from relay.senders.kakao import KakaoSender, event_api_configured
from relay.senders.messengers import MessengerSenders
from relay.senders.telegram import TelegramSender, telegram_bot
from relay.upkeep import finish_erasures, sweep_retention
from relay.worker import OutboxRelay

logger = logging.getLogger("relay")


async def serve() -> None:
    """Deliver, finish pending erasures and sweep, until a signal sets ``stop``."""
    settings = load_settings()
    kakao_api = event_api_configured(settings)
    if not settings.telegram_bot_token and kakao_api is None:
        raise SystemExit("Neither TELEGRAM_BOT_TOKEN nor KakaoTalk's KAKAO_BOT_ID and KAKAO_REST_API_KEY are set")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as open_clients:
        senders = MessengerSenders()
        if settings.telegram_bot_token:
            bot = telegram_bot(settings.telegram_bot_token, settings.telegram_api_base_url,
                               settings.telegram_api_file_url)
            await open_clients.enter_async_context(bot)
            senders.telegram = TelegramSender(bot)
        if kakao_api is not None:
            senders.kakao = KakaoSender(kakao_api)
            open_clients.push_async_callback(senders.kakao.aclose)
        logger.info("Outbox relay started")
        speech = CachedSpeech(engine_named(settings.tts_engine), TTS_CACHE_DIR)
        sessions = session_factory()
        tracker_store = tracker_store_url(settings.database_url)
        await asyncio.gather(
            OutboxRelay(sessions, senders, speech=speech).run(stop),
            finish_erasures(stop, ErasureService(sessions), tracker_store),
            sweep_retention(stop, RetentionSweep(sessions, tracker_store)),
        )


def main() -> None:
    """Logging as every service configures it, then the relay."""
    configure_logging()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
