"""``make rotate-key``: re-encrypt everything stored encrypted under the newest secret.

Run it after every process has been restarted with the new secret first in
IEOMOA_SECRET_KEY ("new,old"). It rewrites, in small batches, each in its own short
transaction, the application fields, the sealed Telegram updates, the outbox texts not yet
delivered and the events of Rasa's tracker store (its own database, see
ieomoa/rasa_endpoints.py), so the service keeps running meanwhile. A row is rewritten only
if it is not under the newest key yet and has not changed since it was read (a push the
relay sent meanwhile keeps its removed text); rows written before encryption (outbox texts,
Rasa events in plain JSON) are encrypted. Running it again rewrites nothing, and a run that
stopped half-way is simply run again. Once it reports no unreadable row, the old secret
can be dropped from the list (keep it 24 hours more for caregiver codes already handed out).
Only counts are printed, never a value.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from sqlalchemy.engine import Engine, make_url

from ieomoa.config import load_settings
from ieomoa.crypto import APPLICATIONS, OUTBOX, RASA_EVENTS, encrypt_text, is_token, reencrypt
from ieomoa.db import make_engine
from ieomoa.rasa_endpoints import tracker_store_url

DEFAULT_BATCH = 200


@dataclass(frozen=True)
class Target:
    """One encrypted column: its table, primary key and purpose, and how clear text looks."""

    table: str
    key: str
    column: str
    purpose: str
    in_clear: Callable[[str], bool] = lambda value: False  # written before encryption

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


APP_TARGETS = (
    Target("applications", "seq", "sensitive", APPLICATIONS),
    Target("processed_updates", "update_id", "sealed_update", APPLICATIONS),
    Target("outbox", "id", "text", OUTBOX, in_clear=lambda value: not is_token(value)),
)
# Rasa's SQLTrackerStore table; rows from before the encrypted store are plain JSON.
RASA_TARGET = Target("events", "id", "data", RASA_EVENTS, in_clear=lambda value: value.startswith("{"))


@dataclass
class Counts:
    """What one pass over a column did (numbers only)."""

    rewritten: int = 0
    current: int = 0  # already under the newest key
    changed_meanwhile: int = 0  # written or removed by the service between read and rewrite
    unreadable: int = 0  # opened by no listed secret

    def __str__(self) -> str:
        return (f"{self.rewritten} re-encrypted, {self.current} already current, "
                f"{self.changed_meanwhile} changed meanwhile, {self.unreadable} unreadable")


def _new_value(target: Target, value: str, secret: str | None) -> str | None:
    """The value under the newest key; None when it already is. Raises InvalidToken."""
    if target.in_clear(value):
        return encrypt_text(value, target.purpose, secret)
    return reencrypt(value, target.purpose, secret)


def rotate_column(engine: Engine, target: Target, *, batch_size: int = DEFAULT_BATCH,
                  secret: str | None = None) -> Counts:
    """Re-encrypt one column in batches of ``batch_size`` rows, one transaction per batch."""
    table = sa.table(target.table, sa.column(target.key), sa.column(target.column))
    key, column = table.c[target.key], table.c[target.column]
    counts = Counts()
    last = None
    while True:
        query = sa.select(key, column).where(column.is_not(None)).order_by(key).limit(batch_size)
        if last is not None:
            query = query.where(key > last)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return counts
        last = rows[-1][0]
        changes = []
        for row_key, value in rows:
            try:
                new = _new_value(target, value, secret)
            except (InvalidToken, ValueError):
                counts.unreadable += 1
                continue
            if new is None:
                counts.current += 1
            else:
                changes.append((row_key, value, new))
        if changes:
            with engine.begin() as connection:
                for row_key, old, new in changes:
                    done = connection.execute(
                        sa.update(table).where(key == row_key, column == old).values({target.column: new})
                    ).rowcount
                    counts.rewritten += done
                    counts.changed_meanwhile += 1 - done


def _has_table(engine: Engine, name: str) -> bool:
    return sa.inspect(engine).has_table(name)


def tracker_engine(database_url: str) -> Engine | None:
    """An engine on Rasa's tracker store, or None when it was never created."""
    url = tracker_store_url(database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return None
    engine = make_engine(url)  # on SQLite: WAL and a busy timeout, as Rasa writes meanwhile
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError:
        engine.dispose()  # PostgreSQL: Rasa creates <db>_rasa on its first start
        return None
    return engine


def rotate_all(database_url: str, *, batch_size: int = DEFAULT_BATCH,
               secret: str | None = None) -> dict[str, Counts]:
    """Re-encrypt every encrypted column of the app database and of Rasa's tracker store."""
    results: dict[str, Counts] = {}
    engine = make_engine(database_url)
    try:
        for target in APP_TARGETS:
            results[target.name] = rotate_column(engine, target, batch_size=batch_size, secret=secret)
    finally:
        engine.dispose()
    rasa = tracker_engine(database_url)
    if rasa is not None:
        try:
            if _has_table(rasa, RASA_TARGET.table):
                results[f"rasa {RASA_TARGET.name}"] = rotate_column(rasa, RASA_TARGET, batch_size=batch_size,
                                                                    secret=secret)
        finally:
            rasa.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    """``python -m ieomoa.rotate_key [--batch-size N] | --generate``."""
    parser = argparse.ArgumentParser(prog="python -m ieomoa.rotate_key", description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="rows per transaction")
    parser.add_argument("--generate", action="store_true", help="print a new random secret and exit")
    args = parser.parse_args(argv)
    if args.generate:
        print(secrets.token_urlsafe(32))
        return 0
    results = rotate_all(load_settings().database_url, batch_size=args.batch_size)
    for name, counts in results.items():
        print(f"{name}: {counts}")
    if any(counts.unreadable for counts in results.values()):
        print("Some rows open under no listed secret: keep the old secrets listed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
