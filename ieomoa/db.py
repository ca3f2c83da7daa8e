"""Engine and session factory: one session per unit of work."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.config import load_settings

logger = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets its folder, WAL, a busy timeout and secure deletes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Personal data: readable by this user only (SQLite gives its -wal file the same mode).
            Path(parsed.database).touch(mode=0o600, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten with zeros, not left in free space (erasure, retention).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def forget_deleted(connection: Connection) -> None:
    """On SQLite, leave no copy of deleted rows anywhere in the files; call on a fresh connection.

    secure_delete zeroes a deleted row where it lay, but a page rebuilt while rows moved can
    keep an older copy of a row in its unused middle: VACUUM writes every page anew. In WAL
    mode the write-ahead log (``<db>-wal``) then still holds earlier pages, so it is copied
    into the file and emptied. PostgreSQL keeps no such file of ours.
    """
    if connection.dialect.name != "sqlite":
        return
    try:
        connection.exec_driver_sql("VACUUM")
    except OperationalError as error:  # another connection is writing: its next delete retries
        logger.warning("VACUUM after a delete failed: %s", type(error).__name__)
    busy, frames, copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        logger.warning("WAL checkpoint after a delete was busy: %s of %s frames copied", copied, frames)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL per process."""
    return make_engine(url)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """Session factory for the configured (or given) database."""
    return sessionmaker(engine_for(url or load_settings().database_url), expire_on_commit=False)
