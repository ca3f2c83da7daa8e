"""A scratch PostgreSQL database for one benchmark run, dropped afterwards (with Rasa's sibling)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", os.environ.get("TEST_POSTGRES_ADMIN_URL", DEFAULT_ADMIN_URL))


def _autocommit(admin_url: str, sql: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


@contextmanager
def scratch_database(prefix: str = "ieomoa_bench", admin_url: str = ADMIN_URL) -> Iterator[str]:
    """A new empty database on the server ``admin_url`` names; yields its URL.

    Dropped afterwards, with the sibling ``<name>_rasa`` Rasa's tracker store may have created.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _autocommit(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        for database in (name, f"{name}_rasa"):
            _autocommit(admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
