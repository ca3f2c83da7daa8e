"""Rasa's SQL tracker store with every event's data encrypted at rest (Fernet).

Conversations carry 민감정보 (disability answers, typed in the user's own words), so the
``data`` column of Rasa's ``events`` table holds Fernet tokens instead of JSON. The key is
the "rasa-events" purpose key of IEOMOA_SECRET_KEY (ieomoa_nlu/keys.py, derived exactly as
ieomoa/crypto.py does): written under the newest secret, read under any listed one, so
``make rotate-key`` can re-encrypt the rows while Rasa runs. Tokens under the key used before
per-purpose keys, and plain JSON from before encryption, still read. Sender ids, event
types, intent and action names stay readable: Rasa queries by them and erasure deletes by
them.

Endpoints: ``tracker_store: {type: ieomoa_nlu.tracker_store.EncryptedSQLTrackerStore, ...}``
with the same settings as Rasa's ``SQL`` type.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from cryptography.fernet import MultiFernet
from rasa.core.tracker_store import SQLTrackerStore, _create_sequence
from sqlalchemy.ext.declarative import declarative_base

from ieomoa_nlu.keys import events_cipher


def fernet_from_environment() -> MultiFernet:
    """The events cipher for IEOMOA_SECRET_KEY (every listed secret, newest writes)."""
    return events_cipher()


class EncryptedText(sa.types.TypeDecorator):
    """Text encrypted on write and decrypted on read; rows from before encryption still read."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fernet: MultiFernet | None = None

    def _cipher(self) -> MultiFernet:
        if self._fernet is None:
            self._fernet = fernet_from_environment()
        return self._fernet

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return self._cipher().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or value.startswith("{"):
            return value  # plain JSON written before the store was encrypted
        return self._cipher().decrypt(value.encode("ascii")).decode("utf-8")


class EncryptedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore on the same ``events`` table, with ``data`` encrypted."""

    Base = declarative_base()

    class SQLEvent(Base):  # type: ignore[misc, valid-type]
        """One conversation event; the same columns as Rasa's, ``data`` encrypted."""

        __tablename__ = "events"

        id = sa.Column(sa.Integer, _create_sequence(__tablename__), primary_key=True)
        sender_id = sa.Column(sa.String(255), nullable=False, index=True)
        type_name = sa.Column(sa.String(255), nullable=False)
        timestamp = sa.Column(sa.Float)
        intent_name = sa.Column(sa.String(255))
        action_name = sa.Column(sa.String(255))
        data = sa.Column(EncryptedText)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fernet_from_environment()  # fail at start, not on the first message
        super().__init__(*args, **kwargs)
