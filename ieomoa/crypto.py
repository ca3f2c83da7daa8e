"""Encryption and keyed hashes of personal data at rest, one key per purpose.

IEOMOA_SECRET_KEY holds one secret or several, comma-separated, newest first. Each purpose
(application fields, Rasa events, caregiver codes, the TTS cache, the outbox, …) gets its own
key, derived from a secret with HKDF-SHA256, so a key leaked from one use opens nothing
else. Data is written under the newest secret's key and read under any listed secret's
(MultiFernet), which is what lets ``make rotate-key`` (ieomoa/rotate_key.py) move data to a
new secret while the service keeps running. Tokens written before per-purpose keys (Fernet
key = SHA-256 of the secret) still decrypt for the purposes that had them.

nlu/ieomoa_nlu/keys.py derives the Rasa events key the same way inside Rasa's environment
(which has no ``ieomoa``); tests/unit/test_crypto.py checks that both agree.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ieomoa.config import VAR_DIR, load_settings

logger = logging.getLogger(__name__)
DEV_KEY_FILE = VAR_DIR / "secret.key"

APPLICATIONS = "applications"  # the sealed fields of applications (and sealed Telegram updates)
RASA_EVENTS = "rasa-events"  # events.data of Rasa's tracker store
CAREGIVER_CODES = "caregiver-codes"  # HMAC of caregiver codes and of the senders who try them
TTS_CACHE = "tts-cache"
OUTBOX = "outbox"  # texts of pushes not delivered yet
PURPOSES = (APPLICATIONS, RASA_EVENTS, CAREGIVER_CODES, TTS_CACHE, OUTBOX)
# Purposes whose data was encrypted before per-purpose keys existed, under SHA-256(secret).
LEGACY_PURPOSES = frozenset({APPLICATIONS, RASA_EVENTS})

# Fixed salt: the secrets are high-entropy already; HKDF's "info" separates the purposes.
HKDF_SALT = b"ieomoa/key-derivation/v1"


def _development_secret() -> str:
    """A per-machine key under var/ so that `make run` works without configuration."""
    if not DEV_KEY_FILE.exists():
        DEV_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        DEV_KEY_FILE.write_text(secrets.token_urlsafe(32))
        DEV_KEY_FILE.chmod(0o600)
        logger.warning("IEOMOA_SECRET_KEY is not set; using a development key in var/secret.key")
    return DEV_KEY_FILE.read_text().strip()


def current_secret() -> str:
    """IEOMOA_SECRET_KEY as configured (all its secrets), or the development key."""
    return load_settings().secret_key or _development_secret()


def secret_list(secret: str | None = None) -> list[str]:
    """The secrets of a key setting, newest first (``secret`` defaults to the configured one)."""
    secrets_ = [part.strip() for part in (secret or current_secret()).split(",") if part.strip()]
    if not secrets_:
        raise ValueError("IEOMOA_SECRET_KEY holds no secret")
    return secrets_


@lru_cache(maxsize=64)
def derive_key(one_secret: str, purpose: str) -> bytes:
    """32 bytes for ``purpose`` from one secret (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=f"ieomoa:{purpose}".encode())
    return hkdf.derive(one_secret.encode("utf-8"))


def purpose_key(purpose: str, secret: str | None = None) -> bytes:
    """The key for ``purpose`` under the newest secret: the one to write (and HMAC) with."""
    return derive_key(secret_list(secret)[0], purpose)


def purpose_keys(purpose: str, secret: str | None = None) -> list[bytes]:
    """The keys for ``purpose`` under every configured secret, newest first (for lookups)."""
    return [derive_key(one, purpose) for one in secret_list(secret)]


def keyed_hash(purpose: str, message: str, secret: str | None = None) -> str:
    """HMAC-SHA-256 of ``message`` under the newest ``purpose`` key, as hex."""
    return hmac.new(purpose_key(purpose, secret), message.encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_hashes(purpose: str, message: str, secret: str | None = None) -> list[str]:
    """``keyed_hash`` under every configured secret, newest first (a value written before a rotation)."""
    return [hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()
            for key in purpose_keys(purpose, secret)]


def _fernet_key(raw: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(raw))


@lru_cache(maxsize=64)
def _ciphers(secret: str, purpose: str) -> tuple[Fernet, MultiFernet]:
    """The writing key and the reading keys of ``purpose`` for one key setting."""
    listed = secret_list(secret)
    keys = [_fernet_key(derive_key(one, purpose)) for one in listed]
    if purpose in LEGACY_PURPOSES:
        keys += [_fernet_key(hashlib.sha256(one.encode("utf-8")).digest()) for one in listed]
    return keys[0], MultiFernet(keys)


def cipher(secret: str | None = None, purpose: str = APPLICATIONS) -> MultiFernet:
    """Encrypts under the newest secret's ``purpose`` key, decrypts under any listed one."""
    return _ciphers(secret or current_secret(), purpose)[1]


def encrypt_text(value: str, purpose: str, secret: str | None = None) -> str:
    """A Fernet token of ``value`` under the newest ``purpose`` key."""
    return cipher(secret, purpose).encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str, purpose: str, secret: str | None = None) -> str:
    """The text of a token written by ``encrypt_text`` under any listed secret."""
    return cipher(secret, purpose).decrypt(token.encode("ascii")).decode("utf-8")


def is_token(value: str) -> bool:
    """True for a Fernet token (version byte 0x80, then a timestamp); not for text written in clear."""
    return value.startswith("gAAAAA")


def reencrypt(token: str, purpose: str, secret: str | None = None) -> str | None:
    """``token`` under the newest key, or None when it already is (nothing to rewrite).

    Raises InvalidToken when no listed secret opens it.
    """
    primary, readers = _ciphers(secret or current_secret(), purpose)
    data = token.encode("ascii")
    try:
        primary.decrypt(data)
        return None
    except InvalidToken:
        pass
    return readers.rotate(data).decode("ascii")


def seal(data: dict[str, Any], secret: str | None = None, purpose: str = APPLICATIONS) -> str:
    """Encrypt a JSON document."""
    return encrypt_text(json.dumps(data, ensure_ascii=False), purpose, secret)


def unseal(token: str, secret: str | None = None, purpose: str = APPLICATIONS) -> dict[str, Any]:
    """Decrypt a document sealed with ``seal``."""
    return json.loads(decrypt_text(token, purpose, secret))
