"""SQLAlchemy 2 typed models. Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy import Integer as sa_Integer
from sqlalchemy import text as sa_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ieomoa.crypto import OUTBOX, decrypt_text, encrypt_text, is_token
from ieomoa.statuses import OutboxState

# "tg-<chat id>", "kakao-<botUserKey>" (a botUserKey is 60-odd characters; migration 0017)
SENDER_ID_LENGTH = 128


def utcnow() -> datetime:
    """Timezone-aware current time."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Chat(Base):
    """A conversation partner known by its channel sender id (e.g. ``tg-123``)."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(SENDER_ID_LENGTH), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    session_count: Mapped[int] = mapped_column(default=1)
    greeting_count: Mapped[int] = mapped_column(default=0)
    voice_mode: Mapped[bool] = mapped_column(Boolean, default=False)
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    voice_slow: Mapped[bool] = mapped_column(Boolean, default=False)
    # The keyboards of the bot's last reply, newest last: [[{"title", "payload"}, …], …].
    keyboards: Mapped[list[list[dict[str, str]]] | None] = mapped_column(JSON)


class ProcessedUpdate(Base):
    """A Telegram update claimed for handling: answered once, and not lost if its handler dies.

    While it is handled (``done_at`` NULL) the row keeps the update itself, sealed (it holds
    what the user typed), and a lease: a row whose lease ran out was left by a process that
    died, and is handled again. Once done only the id and the times remain.
    """

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=1, server_default="1")
    sealed_update: Mapped[str | None] = mapped_column(Text)  # crypto.seal of the update's JSON


class ButtonToken(Base):
    """Short callback_data token for one button of one chat's keyboard (64-byte limit), used once."""

    __tablename__ = "button_tokens"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(SENDER_ID_LENGTH), index=True)  # the only chat it works in
    payload: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Application(Base):
    """A submitted 구직신청. Disability details live only in the encrypted ``sensitive`` column."""

    __tablename__ = "applications"

    seq: Mapped[int] = mapped_column(primary_key=True)
    # Set right after insert from seq ("IEM-2026-000123"); NULL only inside that transaction.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    submission_key: Mapped[str] = mapped_column(String(200), unique=True)  # "<sender id>:<draft id>"
    sender_id: Mapped[str] = mapped_column(String(SENDER_ID_LENGTH), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    name: Mapped[str] = mapped_column(String(60))
    birth_date: Mapped[date] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(40))
    education: Mapped[str] = mapped_column(String(16))
    special_education_student: Mapped[bool] = mapped_column(Boolean)
    school: Mapped[str | None] = mapped_column(String(100))
    jobs: Mapped[list[str]] = mapped_column(JSON)
    employment_type: Mapped[str] = mapped_column(String(16))
    desired_wage: Mapped[str | None] = mapped_column(String(40))
    contact_preference: Mapped[str] = mapped_column(String(20))
    sensitive: Mapped[str] = mapped_column(Text)  # Fernet token of disability types, severity, support needs
    consents: Mapped[dict[str, Any]] = mapped_column(JSON)
    routed_to: Mapped[list[str]] = mapped_column(JSON)
    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="application", order_by="TimelineEntry.id", cascade="all, delete-orphan"
    )


class TimelineEntry(Base):
    """One status step of an application."""

    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_seq: Mapped[int] = mapped_column(ForeignKey("applications.seq", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    agency: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    application: Mapped[Application] = relationship(back_populates="timeline")


class AgencyToken(Base):
    """A bearer token of one agency (optionally one branch); only its hash is stored."""

    __tablename__ = "agency_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(16))
    branch: Mapped[str | None] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who read or changed what, when (no personal data in the detail)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    agency: Mapped[str] = mapped_column(String(16))
    token_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(16))
    application_number: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)


class EncryptedText(TypeDecorator[str]):
    """Text stored as a Fernet token under one purpose's key (ieomoa.crypto).

    A value that is not a Fernet token was written before the column was encrypted and is
    read as it is (``make rotate-key`` encrypts such rows).
    """

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt_text(value, self.purpose)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return decrypt_text(value, self.purpose) if value is not None and is_token(value) else value


class OutboxMessage(Base):
    """A push waiting to be delivered by the relay (written with the change it announces).

    The text is encrypted until delivery and removed once Telegram accepted it; a delivered
    row keeps only its state, times and attempts. ``application_seq`` names the application
    the push is about, so the applicant's erasure takes every copy, caregivers' included.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(sa_Integer(), "sqlite"), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    # A Telegram chat by its id, or a chat of another messenger by its sender id: one of the two.
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    recipient: Mapped[str | None] = mapped_column(String(SENDER_ID_LENGTH))
    text: Mapped[str | None] = mapped_column(EncryptedText(OUTBOX))
    application_seq: Mapped[int | None] = mapped_column(
        ForeignKey("applications.seq", ondelete="CASCADE"), index=True
    )
    voice: Mapped[bool] = mapped_column(Boolean, default=False)  # also send it as a voice note
    voice_slow: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(200))
    # A relay's claim: the row stays PENDING, and returns to the others when the lease ends.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # The relays' claim reads pending rows only, in id order, and asks whether a chat has an
    # older pending row: two small partial indexes however many delivered rows accumulate
    # (migration 0016; bench/relay_outbox.py shows the plan).
    __table_args__ = (
        Index("ix_outbox_pending_id", "id", postgresql_where=sa_text("state = 'PENDING'"),
              sqlite_where=sa_text("state = 'PENDING'")),
        Index("ix_outbox_pending_chat_id", "chat_id", "id", postgresql_where=sa_text("state = 'PENDING'"),
              sqlite_where=sa_text("state = 'PENDING'")),
        Index("ix_outbox_pending_recipient", "recipient", "id", postgresql_where=sa_text("state = 'PENDING'"),
              sqlite_where=sa_text("state = 'PENDING'")),
    )


class BlockedChat(Base):
    """A Telegram chat that blocked the bot (403): no pushes until it writes to the bot again."""

    __tablename__ = "blocked_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    blocked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(200))  # Telegram's description, no message text


class RelayState(Base):
    """The one row all relays share: the pause Telegram asked for with a 429."""

    __tablename__ = "relay_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    paused_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    # Telegram's overall limit for all relays together: when the next send slot starts, in
    # microseconds since the epoch (UTC). Each send takes the next slot (OutboxService.reserve_send).
    next_send_us: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class _SharedByApplicant:
    """What a caregiver code and the link made with it both keep: whose, how much, since when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_sender_id: Mapped[str] = mapped_column(String(SENDER_ID_LENGTH), index=True)
    share_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaregiverCode(_SharedByApplicant, Base):
    """A single-use code an applicant gives a caregiver (hashed; valid 24 hours)."""

    __tablename__ = "caregiver_codes"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaregiverLink(_SharedByApplicant, Base):
    """A caregiver chat linked, read-only, to an applicant."""

    __tablename__ = "caregiver_links"

    caregiver_sender_id: Mapped[str] = mapped_column(String(SENDER_ID_LENGTH), index=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaregiverAttempt(Base):
    """A wrong code entered by a chat (for the per-chat and overall limits).

    ``sender_key`` is an HMAC of the sender id under the app secret, not the id itself, so the
    rows may outlive the chat's erasure (the limit must not reset) without keeping who it was.
    """

    __tablename__ = "caregiver_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AuthFailure(Base):
    """A failed agency API authentication (for the lockout); the client address is HMAC-keyed."""

    __tablename__ = "auth_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ErasureRequest(Base):
    """A chat whose data was erased; its Rasa conversation is deleted once that turn is saved."""

    __tablename__ = "erasure_requests"

    sender_id: Mapped[str] = mapped_column(String(SENDER_ID_LENGTH), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
