"""Secrets as files: ``<NAME>_FILE`` names a file holding the value (docker-compose secrets)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from ieomoa.config import PROJECT_ROOT, SecretFileError, env_value, load_settings

# Every secret a process of ours reads, as docker-compose.yml hands them out.
APP_SECRETS = {
    "TELEGRAM_BOT_TOKEN": "telegram_bot_token",
    "DATABASE_URL": "database_url",
    "IEOMOA_SECRET_KEY": "secret_key",
    "ACTION_SERVER_SECRET": "action_server_secret",
    "TELEGRAM_WEBHOOK_SECRET": "telegram_webhook_secret",
}


def load_nlu_module(name: str) -> ModuleType:
    """A module of nlu/ieomoa_nlu (Rasa's environment) that imports nothing of Rasa."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "nlu" / "ieomoa_nlu" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


secret_files = load_nlu_module("secret_files")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No secret, and no ``_FILE`` for one, from the shell running the tests."""
    for name in list(os.environ):
        if name.removesuffix("_FILE") in {*APP_SECRETS, "RASA_AUTH_TOKEN", "TELEGRAM_WEBHOOK_SECRET"}:
            monkeypatch.delenv(name)
    return monkeypatch


def secret_file(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_every_app_secret_is_read_from_its_file(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    for variable in APP_SECRETS:
        clean_env.setenv(f"{variable}_FILE", str(secret_file(tmp_path, variable.lower(), f"{variable}-value\n")))
    settings = load_settings()
    for variable, field in APP_SECRETS.items():
        # The trailing newline an editor or `echo` leaves is not part of the secret.
        assert getattr(settings, field) == f"{variable}-value"


def test_a_value_set_directly_wins_over_the_file(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("IEOMOA_SECRET_KEY_FILE", str(secret_file(tmp_path, "key", "from-file")))
    clean_env.setenv("IEOMOA_SECRET_KEY", "from-env")
    assert load_settings().secret_key == "from-env"
    clean_env.setenv("IEOMOA_SECRET_KEY", "")  # empty, as in a copied .env.example
    assert load_settings().secret_key == "from-file"


def test_neither_set_means_unset(clean_env: pytest.MonkeyPatch) -> None:
    assert env_value("TELEGRAM_BOT_TOKEN") is None
    assert load_settings().telegram_bot_token is None


def test_an_empty_file_means_unset(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TELEGRAM_BOT_TOKEN_FILE", str(secret_file(tmp_path, "token", "\n")))
    assert load_settings().telegram_bot_token is None


def test_an_unreadable_file_stops_with_the_variable_and_path(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ACTION_SERVER_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(SecretFileError, match=r"ACTION_SERVER_SECRET_FILE: cannot read .*missing"):
        load_settings()


def test_rasa_side_reads_the_same_files(tmp_path: Path) -> None:
    environ = {
        "RASA_AUTH_TOKEN_FILE": str(secret_file(tmp_path, "rasa", "rasa-token\n")),
        "ACTION_SERVER_SECRET_FILE": str(secret_file(tmp_path, "action", "action-secret")),
        "TRACKER_DB_PASSWORD_FILE": str(secret_file(tmp_path, "db", "db-password\n")),
        "IEOMOA_SECRET_KEY": "given-directly",
        "IEOMOA_SECRET_KEY_FILE": str(secret_file(tmp_path, "key", "from-file")),
        "LOG_FILE": str(secret_file(tmp_path, "log", "not a secret")),
    }
    secret_files.load_secret_files(environ)
    # nlu/endpoints.yml expands ${ACTION_SERVER_SECRET} and ${TRACKER_DB_PASSWORD} from these.
    assert environ["RASA_AUTH_TOKEN"] == "rasa-token"
    assert environ["ACTION_SERVER_SECRET"] == "action-secret"
    assert environ["TRACKER_DB_PASSWORD"] == "db-password"
    assert environ["IEOMOA_SECRET_KEY"] == "given-directly"
    assert "LOG" not in environ  # only the secrets it knows, not every *_FILE


def test_rasa_side_stops_on_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN_FILE"):
        secret_files.load_secret_files({"RASA_AUTH_TOKEN_FILE": str(tmp_path / "missing")})
