"""Short tokens for button payloads: Telegram allows only 64 bytes of callback_data."""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import ButtonToken

TOKEN_PREFIX = "b:"
CALLBACK_DATA_LIMIT = 64


def token_of(payload: str) -> str:
    """Deterministic short token for a payload, so the same button maps to one row."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()[:12]
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")


class ButtonRegistry:
    """Maps Rasa button payloads to callback_data and back."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def callback_data_for(self, payload: str, title: str) -> str:
        """callback_data for a button: a token stored in the database, valid for any replica."""
        token = token_of(payload)
        try:
            with self._sessions.begin() as session:
                if session.get(ButtonToken, token) is None:
                    session.add(ButtonToken(token=token, payload=payload, title=title))
        except IntegrityError:
            pass  # another replica stored the same payload at the same moment
        return token

    def resolve(self, callback_data: str) -> ButtonToken | None:
        """The stored button for callback_data, or None for an unknown or malformed token."""
        if not callback_data.startswith(TOKEN_PREFIX):
            return None
        with self._sessions() as session:
            return session.get(ButtonToken, callback_data)
