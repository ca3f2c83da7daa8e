"""One writer at a time for a count-then-insert limit, across threads and processes.

A limit read as "count the recent rows, refuse past N, else add one" lets every request
that counts before the others commit through: 24 concurrent wrong caregiver codes were all
counted against a limit of 12 on PostgreSQL. Taking a transaction-scoped advisory lock first
makes the count and the insert one step for everyone who takes the same lock.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_id(name: str) -> int:
    """A stable signed 64-bit id for ``name`` (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


def serialize(session: Session, name: str) -> None:
    """Hold the lock ``name`` until this session's transaction ends (PostgreSQL).

    SQLite, used for local runs only, takes no lock here: its writers queue on the database
    file, but a count read before another writer's commit can still let one extra through.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(name)})
