"""The configuration behind Rasa replicas: the lock store in Rasa's endpoints, and HAProxy's file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench.support.replicas import HAPROXY_CONFIG, haproxy_binary, local_haproxy_config
from ieomoa.config import Settings
from ieomoa.rasa_endpoints import LOCK_STORE_TYPE, endpoints, redis_lock_store_config


def test_the_lock_store_is_ours_in_redis() -> None:
    config = redis_lock_store_config("redis://:s3cret@cache.internal:6380/2", key_prefix="prod")
    assert config == {"type": LOCK_STORE_TYPE, "url": "cache.internal", "port": 6380, "db": 2,
                      "key_prefix": "prod", "password": "s3cret"}
    assert redis_lock_store_config("redis://127.0.0.1")["db"] == 1
    with pytest.raises(ValueError):
        redis_lock_store_config("redis://127.0.0.1", key_prefix="not-alnum")  # Rasa would ignore it
    with pytest.raises(ValueError):
        redis_lock_store_config("http://127.0.0.1:6379")


def test_endpoints_carry_the_lock_store_only_when_asked() -> None:
    settings = Settings(telegram_bot_token=None, telegram_api_base_url="", telegram_api_file_url="",
                        database_url="postgresql+psycopg://u@db/ieomoa", rasa_url="",
                        action_server_url="http://a/webhook", tts_engine="espeak", secret_key="k",
                        agency_api_port=8000, action_server_secret="s")
    assert "lock_store" not in endpoints(settings)
    lock = redis_lock_store_config("redis://127.0.0.1:6379/1")
    assert endpoints(settings, lock)["lock_store"] == lock


def test_compose_lock_store_is_the_same_class() -> None:
    compose_endpoints = (Path(__file__).resolve().parents[2] / "nlu" / "endpoints.yml").read_text(encoding="utf-8")
    assert f"type: {LOCK_STORE_TYPE}" in compose_endpoints


def test_the_local_balancer_runs_deploy_haproxy_cfg_with_local_servers(tmp_path: Path) -> None:
    text = local_haproxy_config(6000, [6001, 6002], tmp_path / "haproxy.sock")
    original = HAPROXY_CONFIG.read_text(encoding="utf-8")
    assert "bind 127.0.0.1:6000" in text and "bind :5005" not in text
    assert "server rasa1 127.0.0.1:6001 check" in text and "server rasa2 127.0.0.1:6002 check" in text
    assert "server-template" in original and "server-template" not in text
    # Everything else is the deployed file's: balancing, health checks, retries, timeouts.
    kept = [line for line in original.splitlines() if "bind" not in line and "server-template" not in line]
    assert all(line in text.splitlines() for line in kept)
    config = tmp_path / "haproxy.cfg"
    config.write_text(text, encoding="utf-8")
    for checked in (config, HAPROXY_CONFIG):
        result = subprocess.run([haproxy_binary(), "-c", "-f", str(checked)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
