"""Settings of every app process, in one place: the environment, then ``.env``, then defaults.

Each setting is an environment variable (``Settings`` names them; .env.example documents
them). A secret may instead be a file that ``<NAME>_FILE`` names (docker-compose hands each
container its secrets as /run/secrets/<name>); a value set directly wins over the file, and an
empty value counts as unset. ``load_settings()`` reads everything at call time, so a test's
``monkeypatch.setenv`` takes effect.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import Field, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The header in which Rasa sends the action server its shared secret (ACTION_SERVER_SECRET):
# written into Rasa's endpoints (ieomoa/rasa_endpoints.py, nlu/endpoints.yml), checked by
# actions/server.py.
ACTION_SECRET_HEADER = "X-Ieomoa-Action-Secret"
# Where our servers listen unless IEOMOA_BIND_HOST says otherwise (containers set 0.0.0.0).
DEFAULT_BIND_HOST = "127.0.0.1"


class SecretFileError(RuntimeError):
    """A ``<NAME>_FILE`` variable names a file that cannot be read."""


def env_file() -> Path | None:
    """The ``.env`` file settings are read from: IEOMOA_ENV_FILE if set (empty: none)."""
    chosen = os.environ.get("IEOMOA_ENV_FILE")
    if chosen is None:
        return PROJECT_ROOT / ".env"
    return Path(chosen) if chosen else None


def read_secret_file(name: str, path: str) -> str | None:
    """The contents of the file ``<name>_FILE`` names, without surrounding whitespace."""
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except OSError as error:
        # The path and the reason only: never the contents.
        raise SecretFileError(f"{name}_FILE: cannot read {path} ({error.strerror})") from None


# Variables that settings only read as they are, at import: folders under which other
# modules keep constant paths.
class _Folders(BaseSettings):
    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore")

    ieomoa_var_dir: Path = PROJECT_ROOT / "var"


# Local state (SQLite database, models, logs, caches, the development key): IEOMOA_VAR_DIR.
VAR_DIR: Path = _Folders(_env_file=env_file()).ieomoa_var_dir  # type: ignore[call-arg]


def default_database_url() -> str:
    """SQLite file under var/: the zero-set-up default."""
    return f"sqlite:///{VAR_DIR / 'ieomoa.sqlite'}"


class Settings(BaseSettings):
    """Runtime configuration of every app process (one variable per field, in capitals).

    Secrets stay out of its repr, so a logged Settings shows none.
    """

    model_config = SettingsConfigDict(
        env_ignore_empty=True, extra="ignore", frozen=True, populate_by_name=True
    )

    telegram_bot_token: str | None = Field(default=None, repr=False)
    # Bot API base (the token is appended) and file download base; tests point them at a stand-in.
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = Field(default_factory=default_database_url, repr=False)  # holds a password
    rasa_url: str = "http://127.0.0.1:5005"
    # Rasa's HTTP API token, which its REST channel requires too.
    rasa_auth_token: str | None = Field(default=None, repr=False)
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    tts_engine: str = "auto"
    secret_key: str | None = Field(default=None, validation_alias="IEOMOA_SECRET_KEY", repr=False)
    agency_api_port: int = 8000
    # Shared secret Rasa sends the action server; the action server refuses to start without it.
    action_server_secret: str | None = Field(default=None, repr=False)
    # Interface every server of ours listens on: loopback unless a container says otherwise.
    bind_host: str = Field(default=DEFAULT_BIND_HOST, validation_alias="IEOMOA_BIND_HOST")
    # How the bot receives updates: "polling" (one bot per token) or "webhook" (Telegram POSTs
    # them to telegram_webhook_url, carrying telegram_webhook_secret; see bot/webhook.py).
    bot_mode: str = "polling"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = Field(default=None, repr=False)
    # Port of the bot's webhook server (on bind_host), behind the HTTPS proxy Telegram calls.
    telegram_webhook_port: int = 8081
    # The KakaoTalk skill server (kakao/): the secret Kakao's calls carry, and its port.
    kakao_skill_secret: str | None = Field(default=None, repr=False)
    kakao_skill_port: int = 8001
    # Kakao's direct-answer deadline; unset, kakao/'s default (tests shorten it).
    kakao_deadline_seconds: float | None = Field(
        default=None, validation_alias="IEOMOA_KAKAO_DEADLINE_SECONDS"
    )
    # KakaoTalk's Event API, which the relay calls for pushes (relay/senders/kakao.py): the bot,
    # the Kakao Developers app's REST API key, the event bound to the push block, and the API.
    kakao_bot_id: str | None = None
    kakao_rest_api_key: str | None = Field(default=None, repr=False)
    kakao_event_name: str = "ieomoa_push"
    kakao_event_api_url: str = "https://bot-api.kakao.com"
    log_level: str = "INFO"
    # The bot's update lease and recovery interval; unset, the bot's defaults (tests shorten them).
    update_lease_seconds: float | None = Field(
        default=None, validation_alias="IEOMOA_UPDATE_LEASE_SECONDS"
    )
    update_recovery_seconds: float | None = Field(
        default=None, validation_alias="IEOMOA_UPDATE_RECOVERY_SECONDS"
    )

    @field_validator("rasa_url")
    @classmethod
    def _without_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("bot_mode")
    @classmethod
    def _normalised_mode(cls, value: str) -> str:
        return value.strip().lower()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment before .env; within each, a value before its ``<NAME>_FILE``."""
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        chosen = dotenv_settings.env_file
        dotenv = dotenv_variables(chosen if isinstance(chosen, Path) else None)
        return (
            init_settings,
            env_settings,
            SecretFiles(settings_cls, os.environ),
            dotenv_settings,
            SecretFiles(settings_cls, dotenv),
        )


def variable_of(field_name: str, field: FieldInfo) -> str:
    """The environment variable a setting is read from."""
    alias = field.validation_alias
    return alias if isinstance(alias, str) else field_name.upper()


def dotenv_variables(path: Path | None) -> Mapping[str, str | None]:
    """The variables a ``.env`` file sets (none when there is no file)."""
    return dotenv_values(path) if path is not None and path.is_file() else {}


def value_or_file(variables: Mapping[str, str | None], name: str) -> str | None:
    """``name`` from ``variables``, else the contents of the file ``<name>_FILE`` names."""
    value = variables.get(name)
    if value:
        return value
    path = variables.get(f"{name}_FILE")
    return read_secret_file(name, path) if path else None


class SecretFiles(PydanticBaseSettingsSource):
    """Every setting's ``<NAME>_FILE`` in one set of variables, unless ``NAME`` is set there."""

    def __init__(
        self, settings_cls: type[BaseSettings], variables: Mapping[str, str | None]
    ) -> None:
        super().__init__(settings_cls)
        self._variables = variables

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: ``__call__`` reads every field at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {}
        for field_name, field in self.settings_cls.model_fields.items():
            name = variable_of(field_name, field)
            if not self._variables.get(name):
                value = value_or_file(self._variables, name)
                if value is not None:
                    found[field_name] = value
        return found


def load_settings() -> Settings:
    """Read settings now: the environment, then ``.env`` (see ``env_file``), then defaults."""
    return Settings(_env_file=env_file())  # type: ignore[call-arg]


def env_value(name: str) -> str | None:
    """One variable as ``Settings`` reads its own: the environment, then ``.env``; in each,
    ``name`` before the file ``<name>_FILE`` names.
    """
    for variables in (os.environ, dotenv_variables(env_file())):
        value = value_or_file(variables, name)
        if value is not None:
            return value
    return None
