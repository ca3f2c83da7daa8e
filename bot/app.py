"""Build and run the Telegram application: long polling, or a webhook (BOT_MODE)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.delivery import DEFAULT_RECOVERY_INTERVAL, LedgeredUpdateProcessor, UpdateDelivery
from bot.handlers import error_handler, handle_update
from bot.rate_limit import TelegramRateLimiter
from bot.webhook import WEBHOOK, bot_mode, run_webhook, webhook_config
from ieomoa.config import Settings, load_settings
from ieomoa.conversation.rasa_client import RasaClient
from ieomoa.conversation.turn import ConversationCore, ConversationServices
from ieomoa.db import session_factory
from ieomoa.logging_setup import configure_logging
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.buttons import ButtonRegistry
from ieomoa.services.chats import ChatService
from ieomoa.services.erasure import ErasureService
from ieomoa.services.keyboards import KeyboardService
from ieomoa.services.updates import DEFAULT_LEASE, UpdateLedger
from ieomoa.speech.cache import TTS_CACHE_DIR
from ieomoa.speech.engines import CachedSpeech, engine_named
from ieomoa.speech.fixed_texts import RasaFixedTexts

logger = logging.getLogger(__name__)


def build_application(settings: Settings) -> Application:
    """The bot application with its handlers and services."""
    if not settings.telegram_bot_token:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set")
    sessions = session_factory(settings.database_url)
    rasa_token = settings.rasa_auth_token
    services = ConversationServices(
        rasa=RasaClient(settings.rasa_url, auth_token=rasa_token),
        buttons=ButtonRegistry(sessions),
        keyboards=KeyboardService(sessions),
        chats=ChatService(sessions),
        erasure=ErasureService(sessions),
        tracker_store_url=tracker_store_url(settings.database_url),
        speech=CachedSpeech(engine_named(settings.tts_engine), TTS_CACHE_DIR),
        fixed_texts=RasaFixedTexts(settings.rasa_url, rasa_token),
    )
    # A claimed update's lease: how long a dead process's update waits before it is
    # handled again (renewed every recovery interval while this process works on it).
    ledger = UpdateLedger(
        sessions,
        lease=timedelta(seconds=settings.update_lease_seconds or DEFAULT_LEASE.total_seconds()),
        secret=settings.secret_key,
    )
    delivery = UpdateDelivery(
        ledger,
        recovery_interval=settings.update_recovery_seconds or DEFAULT_RECOVERY_INTERVAL,
    )

    async def close_services(_: Application) -> None:
        await delivery.stop()
        await services.rasa.aclose()

    async def stop_recovery(_: Application) -> None:
        # After Application.stop(): every update in flight has been handled and finished.
        await delivery.stop()

    async def prepare(application: Application) -> None:
        # Telegram redelivers for at most 24 hours; older claims only take space.
        await asyncio.to_thread(ledger.forget_older_than, 2)
        await asyncio.to_thread(services.buttons.forget_expired)
        # Updates a stopped process claimed but never finished go first, oldest first.
        await delivery.start(application)

    application = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .concurrent_updates(LedgeredUpdateProcessor(delivery))
        # Every reply within Telegram's limits; a 429 waits for retry_after and sends again.
        .rate_limiter(TelegramRateLimiter())
        .post_init(prepare)
        .post_stop(stop_recovery)
        .post_shutdown(close_services)
        .build()
    )
    application.bot_data["core"] = ConversationCore(services, channel="telegram")
    # Each update is claimed on arrival and finished after its handlers by the update
    # processor (bot/delivery.py): a redelivery reaches no handler.
    application.add_handler(CallbackQueryHandler(handle_update))
    application.add_handler(MessageHandler(filters.ALL, handle_update))
    application.add_error_handler(error_handler)
    return application


def main() -> None:
    """Run the bot until interrupted: long polling, or a webhook when BOT_MODE=webhook."""
    configure_logging()
    settings = load_settings()
    # Settings that cannot work stop the bot before it touches Telegram.
    webhook = webhook_config(settings) if bot_mode(settings) == WEBHOOK else None
    application = build_application(settings)
    if webhook is not None:
        run_webhook(application, webhook)
        return
    logger.info("Bot polling started")
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
