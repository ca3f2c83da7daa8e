"""Fresh PostgreSQL databases for tests: created per run, dropped afterwards."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager

import pytest
from sqlalchemy import create_engine

from bench.support.postgres import scratch_database

ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_reachable() -> bool:
    """True when the test PostgreSQL server accepts connections."""
    try:
        engine = create_engine(ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def require_postgres() -> None:
    """Skip without a server, except in CI where PostgreSQL is promised."""
    if postgres_reachable():
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL}, and CI promises it")
    pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL} (set CI=1 to make this an error)")


def fresh_database(prefix: str = "ieomoa_test") -> AbstractContextManager[str]:
    """A new empty database; yields its URL, drops it (and its Rasa sibling) at the end."""
    return scratch_database(prefix, ADMIN_URL)
