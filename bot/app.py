"""Build and run the Telegram application (polling)."""

from __future__ import annotations

import asyncio
import logging
import os

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import (
    BotServices,
    drop_duplicate_updates,
    error_handler,
    help_command,
    voice_command,
    relay_button,
    relay_text,
    start,
    unsupported_content,
)
from bot.rasa_client import RasaClient
from bot.update_processor import PerChatUpdateProcessor
from ieomoa.config import VAR_DIR, Settings, load_settings
from ieomoa.db import session_factory
from ieomoa.logging_setup import configure_logging
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.buttons import ButtonRegistry
from ieomoa.services.chats import ChatService
from ieomoa.services.erasure import ErasureService
from ieomoa.services.keyboards import KeyboardService
from ieomoa.services.updates import UpdateLedger
from ieomoa.speech.engines import CachedSpeech, engine_named

logger = logging.getLogger(__name__)


def build_application(settings: Settings) -> Application:
    """The bot application with its handlers and services."""
    if not settings.telegram_bot_token:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set")
    sessions = session_factory(settings.database_url)
    services = BotServices(
        rasa=RasaClient(settings.rasa_url, auth_token=os.environ.get("RASA_AUTH_TOKEN") or None),
        buttons=ButtonRegistry(sessions),
        keyboards=KeyboardService(sessions),
        ledger=UpdateLedger(sessions),
        chats=ChatService(sessions),
        speech=CachedSpeech(engine_named(settings.tts_engine), VAR_DIR / "tts-cache"),
        erasure=ErasureService(sessions),
        tracker_store_url=tracker_store_url(settings.database_url),
    )

    async def close_services(_: Application) -> None:
        await services.rasa.aclose()

    async def forget_old_updates(_: Application) -> None:
        # Telegram redelivers for at most 24 hours; older claims only take space.
        await asyncio.to_thread(services.ledger.forget_older_than, 2)
        await asyncio.to_thread(services.buttons.forget_expired)

    application = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(forget_old_updates)
        .post_shutdown(close_services)
        .build()
    )
    application.bot_data["services"] = services
    application.add_handler(TypeHandler(Update, drop_duplicate_updates), group=-1)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("voice", voice_command))
    application.add_handler(CallbackQueryHandler(relay_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, relay_text))
    application.add_handler(MessageHandler(filters.COMMAND, help_command))
    application.add_handler(MessageHandler(filters.ALL & ~filters.TEXT, unsupported_content))
    application.add_error_handler(error_handler)
    return application


def main() -> None:
    """Run the bot with long polling until interrupted."""
    configure_logging()
    application = build_application(load_settings())
    logger.info("Bot polling started")
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
