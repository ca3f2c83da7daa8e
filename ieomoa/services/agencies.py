"""Agency bearer tokens: created by a CLI command, stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import AgencyToken
from ieomoa.statuses import Agency

AGENCIES = tuple(Agency)


def hash_token(token: str) -> str:
    """SHA-256 of a token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AgencyTokenService:
    """Issues and checks agency tokens."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, agency: str, branch: str | None = None) -> str:
        """A new token for ``agency``; the plain token is returned once and never stored."""
        if agency not in AGENCIES:
            raise ValueError(f"agency must be one of {', '.join(AGENCIES)}")
        token = f"iem_{agency.lower()}_{secrets.token_urlsafe(32)}"
        with self._sessions.begin() as session:
            session.add(AgencyToken(agency=agency, branch=branch, token_hash=hash_token(token)))
        return token

    def authenticate(self, token: str) -> AgencyToken | None:
        """The live token record for a presented token, or None."""
        with self._sessions() as session:
            record = session.scalar(select(AgencyToken).where(AgencyToken.token_hash == hash_token(token)))
            return record if record is not None and record.revoked_at is None else None
