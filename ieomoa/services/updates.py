"""Deduplication of Telegram updates (Telegram redelivers until it sees a 2xx)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import ProcessedUpdate, utcnow


class UpdateLedger:
    """Claims update ids so that each update is handled once across restarts and replicas."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def claim(self, update_id: int) -> bool:
        """True the first time an update id is claimed, False for every redelivery."""
        try:
            with self._sessions.begin() as session:
                session.add(ProcessedUpdate(update_id=update_id))
            return True
        except IntegrityError:
            return False

    def forget_older_than(self, days: int) -> int:
        """Drop claims older than ``days`` (Telegram keeps undelivered updates for 24 hours)."""
        cutoff = utcnow() - timedelta(days=days)
        with self._sessions.begin() as session:
            result = session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.received_at < cutoff))
            return result.rowcount or 0
