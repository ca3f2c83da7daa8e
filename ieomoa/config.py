"""Settings read from the environment (names fixed in DESIGN.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("IEOMOA_VAR_DIR", PROJECT_ROOT / "var"))

# The header in which Rasa sends the action server its shared secret (ACTION_SERVER_SECRET):
# written into Rasa's endpoints (ieomoa/rasa_endpoints.py, nlu/endpoints.yml), checked by
# actions/server.py.
ACTION_SECRET_HEADER = "X-Ieomoa-Action-Secret"
# Where our servers listen unless IEOMOA_BIND_HOST says otherwise (containers set 0.0.0.0).
DEFAULT_BIND_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of every app process."""

    telegram_bot_token: str | None
    telegram_api_base_url: str
    telegram_api_file_url: str
    database_url: str
    rasa_url: str
    action_server_url: str
    tts_engine: str
    secret_key: str | None
    agency_api_port: int
    # Shared secret Rasa sends the action server; the action server refuses to start without it.
    action_server_secret: str | None = None
    # Interface every server of ours listens on: loopback unless a container says otherwise.
    bind_host: str = DEFAULT_BIND_HOST
    # How the bot receives updates: "polling" (one bot per token) or "webhook" (Telegram POSTs
    # them to telegram_webhook_url, carrying telegram_webhook_secret; see bot/webhook.py).
    bot_mode: str = "polling"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    # Port of the bot's webhook server (on bind_host), behind the HTTPS proxy Telegram calls.
    telegram_webhook_port: int = 8081


class SecretFileError(RuntimeError):
    """A ``<NAME>_FILE`` variable names a file that cannot be read."""


def env_value(name: str) -> str | None:
    """``name`` from the environment, else the contents of the file ``<name>_FILE`` names.

    docker-compose hands each container its secrets as files (/run/secrets/...) and sets
    e.g. ``IEOMOA_SECRET_KEY_FILE``; a value set directly wins. Surrounding whitespace (the
    file's trailing newline) is dropped.
    """
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except OSError as error:
        # The path and the reason only: never the contents.
        raise SecretFileError(f"{name}_FILE: cannot read {path} ({error.strerror})") from None


def default_database_url() -> str:
    """SQLite file under var/: the zero-set-up default."""
    return f"sqlite:///{VAR_DIR / 'ieomoa.sqlite'}"


def load_settings() -> Settings:
    """Read settings from the environment, with the documented defaults."""
    env = env_value
    return Settings(
        telegram_bot_token=env("TELEGRAM_BOT_TOKEN") or None,
        telegram_api_base_url=env("TELEGRAM_API_BASE_URL") or "https://api.telegram.org/bot",
        telegram_api_file_url=env("TELEGRAM_API_FILE_URL")
        or "https://api.telegram.org/file/bot",
        database_url=env("DATABASE_URL") or default_database_url(),
        rasa_url=(env("RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
        action_server_url=env("ACTION_SERVER_URL") or "http://127.0.0.1:5055/webhook",
        tts_engine=env("TTS_ENGINE") or "auto",
        secret_key=env("IEOMOA_SECRET_KEY") or None,
        agency_api_port=int(env("AGENCY_API_PORT") or 8000),
        action_server_secret=env("ACTION_SERVER_SECRET") or None,
        bind_host=env("IEOMOA_BIND_HOST") or DEFAULT_BIND_HOST,
        bot_mode=(env("BOT_MODE") or "polling").strip().lower(),
        telegram_webhook_url=env("TELEGRAM_WEBHOOK_URL") or None,
        telegram_webhook_secret=env("TELEGRAM_WEBHOOK_SECRET") or None,
        telegram_webhook_port=int(env("TELEGRAM_WEBHOOK_PORT") or 8081),
    )
