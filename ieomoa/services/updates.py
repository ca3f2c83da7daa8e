"""The ledger of Telegram updates: each one handled at least once, and answered once.

Claim, handle, then finish. A claim keeps the update itself, sealed (it carries what the
user typed), with a lease: the claiming process renews the lease while it works and
finishes the update when its handlers ran, which drops the sealed copy. A claim whose lease
ran out without being finished was left by a process that died; it may be claimed again,
and ``expired`` hands it back for handling. A finished update is never claimed again, so a
redelivery is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.crypto import seal, unseal
from ieomoa.db_results import rows_matched
from ieomoa.models import ProcessedUpdate, utcnow

logger = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class PendingUpdate:
    """A claimed update nobody finished and whose lease ran out."""

    update_id: int
    attempts: int  # claims so far, the first one included
    data: dict[str, Any] | None  # the update as Telegram sent it; None when not kept or unreadable


class UpdateLedger:
    """Claims update ids so that each update is handled once across restarts and replicas."""

    def __init__(
        self, sessions: sessionmaker[Session], *, lease: timedelta = DEFAULT_LEASE, secret: str | None = None
    ) -> None:
        if lease <= timedelta(0):
            raise ValueError("the lease must be positive")
        self._sessions = sessions
        self.lease = lease
        self._secret = secret

    def claim(self, update_id: int, data: dict[str, Any] | None = None) -> bool:
        """True when this caller may handle the update now.

        The first claim stores ``data`` (sealed) with a lease. Later claims succeed only
        when the update is not finished and its lease ran out (the claimer died); the
        stored update is kept. False for a finished update and for one leased by another.
        """
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                session.add(
                    ProcessedUpdate(
                        update_id=update_id, received_at=now, lease_until=now + self.lease, attempts=1,
                        sealed_update=seal(data, self._secret) if data is not None else None,
                    )
                )
            return True
        except IntegrityError:
            pass
        with self._sessions.begin() as session:
            # One statement: of concurrent claimers only one sees the old lease (row lock).
            taken = rows_matched(session.execute(
                update(ProcessedUpdate)
                .where(
                    ProcessedUpdate.update_id == update_id,
                    ProcessedUpdate.done_at.is_(None),
                    ProcessedUpdate.lease_until < now,
                )
                .values(lease_until=now + self.lease, attempts=ProcessedUpdate.attempts + 1)
            ))
        return taken == 1

    def renew(self, update_ids: Iterable[int]) -> int:
        """Extend the lease of updates still being handled; how many were extended."""
        return self._set_unfinished(update_ids, lease_until=utcnow() + self.lease)

    def finish(self, update_ids: Iterable[int]) -> int:
        """Mark updates done (handled, or given up) and erase their stored copy."""
        return self._set_unfinished(
            update_ids, done_at=utcnow(), lease_until=None, sealed_update=None
        )

    def _set_unfinished(self, update_ids: Iterable[int], **values: Any) -> int:
        """Set ``values`` on those of the updates not finished yet; how many they were."""
        ids = list(update_ids)
        if not ids:
            return 0
        with self._sessions.begin() as session:
            return rows_matched(session.execute(
                update(ProcessedUpdate)
                .where(ProcessedUpdate.update_id.in_(ids), ProcessedUpdate.done_at.is_(None))
                .values(**values)
            ))

    def expired(self, limit: int = 100) -> list[PendingUpdate]:
        """Unfinished updates whose lease ran out, oldest update id first."""
        with self._sessions() as session:
            rows = session.execute(
                select(ProcessedUpdate.update_id, ProcessedUpdate.attempts, ProcessedUpdate.sealed_update)
                .where(ProcessedUpdate.done_at.is_(None), ProcessedUpdate.lease_until < utcnow())
                .order_by(ProcessedUpdate.update_id)
                .limit(limit)
            ).all()
        return [PendingUpdate(update_id, attempts, self._unsealed(update_id, sealed)) for update_id, attempts, sealed in rows]

    def _unsealed(self, update_id: int, sealed: str | None) -> dict[str, Any] | None:
        if sealed is None:
            return None
        try:
            return unseal(sealed, self._secret)
        except (InvalidToken, ValueError):
            logger.warning("Stored update %d cannot be decrypted (key changed?)", update_id)
            return None

    def forget_older_than(self, days: int) -> int:
        """Drop claims older than ``days`` (Telegram keeps undelivered updates for 24 hours)."""
        cutoff = utcnow() - timedelta(days=days)
        with self._sessions.begin() as session:
            return rows_matched(session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.received_at < cutoff)
            ))
