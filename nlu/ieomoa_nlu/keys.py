"""The Rasa events key inside Rasa's environment, derived exactly as ieomoa/crypto.py does.

Rasa's environment has no ``ieomoa`` package, so the derivation is repeated here (no Rasa
import either): HKDF-SHA256 of each secret of IEOMOA_SECRET_KEY (comma-separated, newest
first) with the same salt and info, plus the SHA-256 key used before per-purpose keys.
tests/unit/test_crypto.py checks that both derivations agree.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HKDF_SALT = b"ieomoa/key-derivation/v1"  # as ieomoa.crypto.HKDF_SALT
RASA_EVENTS = "rasa-events"


def secret_setting() -> str:
    """IEOMOA_SECRET_KEY of Rasa's process (a ``_FILE`` variant is loaded into it at start)."""
    value = os.environ.get("IEOMOA_SECRET_KEY", "").strip()
    if not value:
        raise RuntimeError("IEOMOA_SECRET_KEY must be set for the encrypted tracker store")
    return value


def derive_key(secret: str, purpose: str) -> bytes:
    """32 bytes for ``purpose`` from one secret (HKDF-SHA256), as ieomoa.crypto.derive_key."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=f"ieomoa:{purpose}".encode())
    return hkdf.derive(secret.encode("utf-8"))


def events_cipher(setting: str | None = None) -> MultiFernet:
    """Writes under the newest secret's events key; reads under every secret's, and legacy keys."""
    listed = [part.strip() for part in (setting or secret_setting()).split(",") if part.strip()]
    if not listed:
        raise RuntimeError("IEOMOA_SECRET_KEY holds no secret")
    keys = [Fernet(base64.urlsafe_b64encode(derive_key(one, RASA_EVENTS))) for one in listed]
    keys += [Fernet(base64.urlsafe_b64encode(hashlib.sha256(one.encode("utf-8")).digest())) for one in listed]
    return MultiFernet(keys)
