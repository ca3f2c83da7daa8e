"""Encryption of 민감정보 at rest (Fernet: AES-128-CBC with HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet

from ieomoa.config import VAR_DIR, load_settings

logger = logging.getLogger(__name__)
DEV_KEY_FILE = VAR_DIR / "secret.key"


@lru_cache(maxsize=4)
def _fernet_for(secret: str) -> Fernet:
    """A Fernet key derived from any secret string."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode("utf-8")).digest()))


def _development_secret() -> str:
    """A per-machine key under var/ so that `make run` works without configuration."""
    if not DEV_KEY_FILE.exists():
        DEV_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        DEV_KEY_FILE.write_text(secrets.token_urlsafe(32))
        DEV_KEY_FILE.chmod(0o600)
        logger.warning("IEOMOA_SECRET_KEY is not set; using a development key in var/secret.key")
    return DEV_KEY_FILE.read_text().strip()


def current_secret() -> str:
    """IEOMOA_SECRET_KEY, or the development key when it is not set."""
    return load_settings().secret_key or _development_secret()


def cipher(secret: str | None = None) -> Fernet:
    """The cipher for IEOMOA_SECRET_KEY (or the development key)."""
    return _fernet_for(secret or current_secret())


def seal(data: dict[str, Any], secret: str | None = None) -> str:
    """Encrypt a JSON document."""
    return cipher(secret).encrypt(json.dumps(data, ensure_ascii=False).encode("utf-8")).decode("ascii")


def unseal(token: str, secret: str | None = None) -> dict[str, Any]:
    """Decrypt a document sealed with ``seal``."""
    return json.loads(cipher(secret).decrypt(token.encode("ascii")))
