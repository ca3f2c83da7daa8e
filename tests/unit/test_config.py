"""Settings (ieomoa/config.py): the environment, then .env, then defaults; secrets as files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ieomoa.config import PROJECT_ROOT, Settings, env_file, load_settings, variable_of


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No setting from the shell running the tests; .env is tmp_path/.env."""
    names = {variable_of(name, field) for name, field in Settings.model_fields.items()}
    for name in list(os.environ):
        if name.removesuffix("_FILE") in names:
            monkeypatch.delenv(name)
    monkeypatch.setenv("IEOMOA_ENV_FILE", str(tmp_path / ".env"))
    return monkeypatch


def write_env_file(tmp_path: Path, text: str) -> None:
    (tmp_path / ".env").write_text(text, encoding="utf-8")


def test_dotenv_is_read_when_present(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert load_settings().telegram_bot_token is None  # no .env yet
    write_env_file(tmp_path, "TELEGRAM_BOT_TOKEN=123:from-dotenv\nIEOMOA_BIND_HOST=0.0.0.0\nAGENCY_API_PORT=8100\n")
    settings = load_settings()
    assert settings.telegram_bot_token == "123:from-dotenv"
    assert settings.bind_host == "0.0.0.0"
    assert settings.agency_api_port == 8100


def test_the_environment_wins_over_dotenv(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_env_file(tmp_path, "RASA_URL=http://from-dotenv:5005\nTTS_ENGINE=gtts\n")
    env.setenv("RASA_URL", "http://from-env:5005/")
    settings = load_settings()
    assert settings.rasa_url == "http://from-env:5005"  # without the trailing slash
    assert settings.tts_engine == "gtts"


def test_empty_values_as_in_a_copied_example_are_unset(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_env_file(tmp_path, (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8"))
    settings = load_settings()
    assert settings == Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None and settings.database_url.startswith("sqlite:///")


def test_a_secret_file_named_in_dotenv(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "key").write_text("from-file\n", encoding="utf-8")
    write_env_file(tmp_path, f"IEOMOA_SECRET_KEY_FILE={tmp_path / 'key'}\n")
    assert load_settings().secret_key == "from-file"
    env.setenv("IEOMOA_SECRET_KEY", "from-env")
    assert load_settings().secret_key == "from-env"


def test_settings_are_read_at_call_time(env: pytest.MonkeyPatch) -> None:
    env.setenv("BOT_MODE", " Webhook ")
    env.setenv("IEOMOA_UPDATE_LEASE_SECONDS", "2.5")
    settings = load_settings()
    assert settings.bot_mode == "webhook"
    assert settings.update_lease_seconds == 2.5
    env.setenv("BOT_MODE", "polling")
    assert load_settings().bot_mode == "polling"


def test_no_dotenv_when_ieomoa_env_file_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IEOMOA_ENV_FILE", "")
    assert env_file() is None
    monkeypatch.delenv("IEOMOA_ENV_FILE")
    assert env_file() == PROJECT_ROOT / ".env"


def test_secrets_stay_out_of_the_repr() -> None:
    settings = Settings(telegram_bot_token="123:token", secret_key="key-value", _env_file=None)  # type: ignore[call-arg]
    assert "123:token" not in repr(settings) and "key-value" not in repr(settings)


def test_env_example_lists_every_setting() -> None:
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8"),
                                flags=re.MULTILINE))
    read = {variable_of(name, field) for name, field in Settings.model_fields.items()} | {"IEOMOA_VAR_DIR"}
    assert not read - documented, f"not in .env.example: {sorted(read - documented)}"
