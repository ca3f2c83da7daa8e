"""The lockout after failed authentications, counted in the database and audited.

Failed authentications (missing or wrong token) within FAILURE_WINDOW: past the first limit
one client address, past the second every client, gets 429 until the window slides on.
Counted in the database (table auth_failures), so the lockout survives restarts and holds
across processes. Behind a reverse proxy every caller shares the proxy's address.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.crypto import current_secret
from ieomoa.db_locks import serialize
from ieomoa.models import AuditEntry, AuthFailure
from ieomoa.services.status import Caller

FAILURES_PER_CLIENT = 10
FAILURES_OVERALL = 100
FAILURE_WINDOW = timedelta(minutes=15)


def client_key(address: str) -> str:
    """HMAC of a client address under the app secret: counted and audited without the address."""
    return hmac.new(current_secret().encode("utf-8"), f"agency-client:{address}".encode(),
                    hashlib.sha256).hexdigest()


class AuthFailureLimiter:
    """Counts failed authentications in the database and says when a client is locked out."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        per_client: int = FAILURES_PER_CLIENT,
        overall: int = FAILURES_OVERALL,
        window: timedelta = FAILURE_WINDOW,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._per_client = per_client
        self._overall = overall
        self._window = window

    @property
    def retry_after(self) -> int:
        return int(self._window.total_seconds())

    def _locked_out(self, session: Session, key: str, since: datetime) -> bool:
        recent = select(func.count()).select_from(AuthFailure).where(AuthFailure.at > since)
        if (session.scalar(recent.where(AuthFailure.client_key == key)) or 0) >= self._per_client:
            return True
        return (session.scalar(recent) or 0) >= self._overall

    def locked_out(self, key: str) -> bool:
        """True while this client, or all clients together, failed too often in the window."""
        with self._sessions() as session:
            return self._locked_out(session, key, self._clock() - self._window)

    def admit(self, key: str, failure: str | None) -> bool:
        """False while the client is locked out; otherwise True, counting ``failure`` if there is one.

        A failure is counted and audited under a lock, in the transaction that checked the
        counts: concurrent wrong tokens cannot all pass the check before any of them is added.
        """
        if failure is None:
            return not self.locked_out(key)
        now = self._clock()
        with self._sessions.begin() as session:
            serialize(session, "agency-auth-failures")
            if self._locked_out(session, key, now - self._window):
                return False
            self._record(session, key, failure, now)
        return True

    def _record(self, session: Session, key: str, reason: str, now: datetime) -> None:
        """Count one failure and audit it (no token, no body, no address: only its keyed hash)."""
        session.execute(delete(AuthFailure).where(AuthFailure.at < now - self._window))
        session.add(AuthFailure(client_key=key, at=now))
        session.add(AuditEntry(at=now, agency="-", action="auth_failed", detail=f"{reason}; client {key[:16]}"))

    def audit_denied(self, caller: Caller, number: str | None, reason: str) -> None:
        """An authenticated request refused for an application (not found or not routed)."""
        with self._sessions.begin() as session:
            session.add(AuditEntry(at=self._clock(), agency=caller.agency, token_id=caller.token_id,
                                   action="denied", application_number=(number or "")[:20] or None,
                                   detail=reason))
