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


def default_database_url() -> str:
    """SQLite file under var/: the zero-set-up default."""
    return f"sqlite:///{VAR_DIR / 'ieomoa.sqlite'}"


def load_settings() -> Settings:
    """Read settings from the environment, with the documented defaults."""
    env = os.environ.get
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
    )
