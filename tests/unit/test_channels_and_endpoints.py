"""Sender ids and the Rasa endpoints written for local runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ieomoa.channels import channel_of, telegram_chat_id, telegram_sender
from ieomoa.config import ACTION_SECRET_HEADER, PROJECT_ROOT
from ieomoa.rasa_endpoints import (
    TRACKER_STORE_TYPE,
    tracker_store_config,
    tracker_store_url,
    write_endpoints,
)
from tests.support.stack import settings_from


def test_telegram_sender_round_trip() -> None:
    assert telegram_sender(-100123) == "tg--100123"
    assert telegram_chat_id(telegram_sender(42)) == 42
    assert channel_of("tg-42") == "telegram" and channel_of("cli-root") == "terminal"
    assert telegram_chat_id("cli-root") is None and telegram_chat_id("tg-x") is None


def test_sqlite_tracker_store_is_a_sibling_file() -> None:
    config = tracker_store_config("sqlite:////data/app/ieomoa.sqlite")
    assert config == {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": "/data/app/ieomoa_rasa.sqlite"}


def test_postgres_tracker_store_gets_its_own_database() -> None:
    config = tracker_store_config("postgresql+psycopg://bot:s%40cret@db:5433/ieomoa")
    assert config["dialect"] == "postgresql" and config["db"] == "ieomoa_rasa"
    assert config["login_db"] == "ieomoa" and config["url"] == "db" and config["port"] == 5433
    assert config["username"] == "bot" and config["password"] == "s@cret"


def test_erasure_reaches_the_same_tracker_store_rasa_uses() -> None:
    assert tracker_store_url("sqlite:////data/app/ieomoa.sqlite") == "sqlite:////data/app/ieomoa_rasa.sqlite"
    url = tracker_store_url("postgresql+psycopg://bot:s%40cret@db:5433/ieomoa")
    assert url == "postgresql+psycopg://bot:s%40cret@db:5433/ieomoa_rasa"


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError):
        tracker_store_config("mysql://root@localhost/x")


def test_written_endpoints_name_the_action_server_and_its_secret(tmp_path: Path) -> None:
    settings = settings_from({"ACTION_SERVER_URL": "http://127.0.0.1:6055/webhook",
                              "ACTION_SERVER_SECRET": "s3cret-s3cret-s3cret"})
    (tmp_path / "endpoints.yml").write_text("{}")
    (tmp_path / "endpoints.yml").chmod(0o644)  # an older file, readable by all
    path = write_endpoints(tmp_path / "endpoints.yml", settings)
    document = json.loads(path.read_text())
    assert document["action_endpoint"] == {
        "url": "http://127.0.0.1:6055/webhook",
        "headers": {ACTION_SECRET_HEADER: "s3cret-s3cret-s3cret"},
    }
    assert document["tracker_store"]["type"] == TRACKER_STORE_TYPE
    assert path.stat().st_mode & 0o777 == 0o600  # it holds secrets


def test_endpoints_are_not_written_without_the_action_servers_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ACTION_SERVER_SECRET"):
        write_endpoints(tmp_path / "endpoints.yml", settings_from({}))


def test_compose_endpoints_send_the_secret_header() -> None:
    text = (PROJECT_ROOT / "nlu" / "endpoints.yml").read_text()
    # Rasa expands ${VAR} only in plain scalars: a quoted "${VAR}" would be sent literally.
    assert f"{ACTION_SECRET_HEADER}: ${{ACTION_SERVER_SECRET}}" in text
    assert '"${' not in text and "'${" not in text
