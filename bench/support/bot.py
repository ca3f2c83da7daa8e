"""The real bot process (``python -m bot``) against the Bot API stand-in."""

from __future__ import annotations

from pathlib import Path

from bench.support.telegram_standin import TelegramStandIn
from tools.process_groups import ManagedProcess
from tools.stack import bot_process


def start_bot(standin: TelegramStandIn, env: dict[str, str], log_dir: Path) -> ManagedProcess:
    """Start the bot polling the stand-in, and wait until it polls."""
    env = dict(
        env,
        TTS_ENGINE=env.get("TTS_ENGINE", "espeak"),  # no network here: the offline engine speaks
        TELEGRAM_BOT_TOKEN=standin.token,
        TELEGRAM_API_BASE_URL=standin.base_url,
        TELEGRAM_API_FILE_URL=standin.file_url,
    )
    bot = bot_process(env=env, log_dir=log_dir)
    bot.start()
    standin.wait_for_call("getUpdates", bot)
    return bot
