"""Caregivers: single-use codes, read-only links, removal, and the wrong-code limit."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.crypto import CAREGIVER_CODES, keyed_hashes
from ieomoa.db_locks import serialize
from ieomoa.db_results import rows_matched
from ieomoa.models import CaregiverAttempt, CaregiverCode, CaregiverLink, utcnow

CODE_VALIDITY = timedelta(hours=24)
WRONG_CODES_PER_HOUR = 5
# Wrong codes per hour across all chats; past it every chat is told to try later, so many
# chats together cannot brute-force the 10^6 codes (at most ~2,400 guesses a day overall).
GLOBAL_WRONG_CODES_PER_HOUR = 100
ATTEMPT_WINDOW = timedelta(hours=1)
# Attempt rows older than this are pruned when a new one is written.
ATTEMPT_RETENTION = timedelta(days=1)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes; PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def code_hashes(code: str, secret: str | None = None) -> list[str]:
    """What a code is stored as: HMAC-SHA-256 under the caregiver-codes key, newest key first.

    Keyed, because six digits are only 10^6 guesses: an unkeyed hash in a database dump gives
    every live code away at once, this one gives nothing without the key. The first value is
    written; all are looked up, so a code issued before a key rotation still works while
    the old key is listed (codes live 24 hours, so keep it listed that long).
    """
    return keyed_hashes(CAREGIVER_CODES, f"caregiver:{code}", secret)


def sender_keys(sender_id: str, secret: str | None = None) -> list[str]:
    """The keys wrong codes are counted under: HMAC-SHA-256 of the sender id, newest key first.

    Why a keyed hash: erasure must not reset the limit (a chat could erase itself and guess
    again), so attempt rows are NOT deleted on erasure. Keyed this way they still name nobody
    once the chat is erased: without the secret the key cannot be tied back to a chat id, even
    though Telegram ids are guessable. Rows older than ATTEMPT_RETENTION are pruned. Attempts
    are written under the first key and counted under all, so a key rotation resets nothing.
    """
    return keyed_hashes(CAREGIVER_CODES, f"caregiver-attempt:{sender_id}", secret)


def sender_key(sender_id: str, secret: str | None = None) -> str:
    """The key a wrong code of this sender is written under (see ``sender_keys``)."""
    return sender_keys(sender_id, secret)[0]


class Redemption(Enum):
    """Outcome of entering a code. Wrong, expired, used and unknown look the same to the user."""

    LINKED = "linked"
    WRONG = "wrong"
    # This chat made too many wrong tries: it is told so, and to try again in an hour.
    TOO_MANY_TRIES = "too_many_tries"
    # All chats together made too many: nobody is blamed, everyone is asked to come back later.
    PAUSED_FOR_ALL = "paused_for_all"


@dataclass(frozen=True)
class IssuedCode:
    """A code to hand over, and until when it works."""

    code: str
    expires_at: datetime


class CaregiverService:
    """Links caregivers to applicants."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
        per_chat_limit: int = WRONG_CODES_PER_HOUR,
        global_limit: int = GLOBAL_WRONG_CODES_PER_HOUR,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._per_chat_limit = per_chat_limit
        self._global_limit = global_limit

    def issue_code(self, applicant_sender_id: str, share_sensitive: bool) -> IssuedCode:
        """A new 6-digit code, valid 24 hours, usable once."""
        for _ in range(10):
            code = f"{secrets.randbelow(10**6):06d}"
            expires = utcnow() + CODE_VALIDITY
            hashes = code_hashes(code)
            try:
                with self._sessions.begin() as session:
                    if session.scalar(select(CaregiverCode.id).where(CaregiverCode.code_hash.in_(hashes)).limit(1)):
                        continue  # the same digits are out under a key listed before a rotation
                    session.add(CaregiverCode(code_hash=hashes[0], applicant_sender_id=applicant_sender_id,
                                              share_sensitive=share_sensitive, expires_at=expires))
                return IssuedCode(code, expires)
            except IntegrityError:
                continue  # the same digits are already out; draw again
        raise RuntimeError("could not draw a free caregiver code")

    def redeem(self, caregiver_sender_id: str, code: str) -> Redemption:
        """Link the caregiver if the code is live; count a wrong try otherwise.

        Refused (even a right code) while this chat made WRONG_CODES_PER_HOUR wrong tries in
        the last hour (TOO_MANY_TRIES), or all chats together GLOBAL_WRONG_CODES_PER_HOUR
        (PAUSED_FOR_ALL).
        """
        now = self._clock()
        keys = sender_keys(caregiver_sender_id)
        since = now - ATTEMPT_WINDOW
        with self._sessions.begin() as session:
            serialize(session, "caregiver-code-attempts")  # count and add as one step (the limits hold)
            recent = select(func.count()).select_from(CaregiverAttempt).where(CaregiverAttempt.at > since)
            if (session.scalar(recent.where(CaregiverAttempt.sender_key.in_(keys))) or 0) >= self._per_chat_limit:
                return Redemption.TOO_MANY_TRIES
            if (session.scalar(recent) or 0) >= self._global_limit:
                return Redemption.PAUSED_FOR_ALL
            record = session.scalar(
                select(CaregiverCode).where(CaregiverCode.code_hash.in_(code_hashes(code.strip())))
                .with_for_update()
            )
            if (
                record is None
                or record.used_at is not None
                or _aware(record.expires_at) < now
                or record.applicant_sender_id == caregiver_sender_id
            ):
                session.execute(delete(CaregiverAttempt).where(CaregiverAttempt.at < now - ATTEMPT_RETENTION))
                session.add(CaregiverAttempt(sender_key=keys[0], at=now))
                return Redemption.WRONG
            record.used_at = now
            session.add(CaregiverLink(applicant_sender_id=record.applicant_sender_id,
                                      caregiver_sender_id=caregiver_sender_id,
                                      share_sensitive=record.share_sensitive))
            return Redemption.LINKED

    def caregivers_of(self, applicant_sender_id: str) -> list[CaregiverLink]:
        """Live links of an applicant, oldest first."""
        with self._sessions() as session:
            return list(session.scalars(
                select(CaregiverLink).where(CaregiverLink.applicant_sender_id == applicant_sender_id,
                                            CaregiverLink.removed_at.is_(None)).order_by(CaregiverLink.id)
            ))

    def applicant_of(self, caregiver_sender_id: str) -> CaregiverLink | None:
        """The newest live link of a caregiver chat."""
        with self._sessions() as session:
            return session.scalar(
                select(CaregiverLink).where(CaregiverLink.caregiver_sender_id == caregiver_sender_id,
                                            CaregiverLink.removed_at.is_(None))
                .order_by(CaregiverLink.id.desc()).limit(1)
            )

    def remove(self, applicant_sender_id: str, link_id: int) -> CaregiverLink | None:
        """Unlink one caregiver of this applicant; None when it is not theirs or already gone."""
        with self._sessions.begin() as session:
            link = session.scalar(
                select(CaregiverLink).where(CaregiverLink.id == link_id,
                                            CaregiverLink.applicant_sender_id == applicant_sender_id,
                                            CaregiverLink.removed_at.is_(None))
            )
            if link is not None:
                link.removed_at = utcnow()
            return link

    def remove_all(self, applicant_sender_id: str) -> int:
        """Unlink every caregiver of an applicant; pushes stop at once."""
        with self._sessions.begin() as session:
            return rows_matched(session.execute(
                update(CaregiverLink)
                .where(CaregiverLink.applicant_sender_id == applicant_sender_id, CaregiverLink.removed_at.is_(None))
                .values(removed_at=utcnow())
            ))
