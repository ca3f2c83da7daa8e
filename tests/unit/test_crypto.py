"""Purpose keys: one per use, several secrets at once, the old scheme still read, and
Rasa's copy of the derivation (nlu/ieomoa_nlu/keys.py) agreeing with the app's."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.fernet import Fernet, InvalidToken

from ieomoa import crypto

ROOT = Path(__file__).resolve().parents[2]


def rasa_keys() -> ModuleType:
    """nlu/ieomoa_nlu/keys.py, loaded without Rasa (it imports none)."""
    spec = importlib.util.spec_from_file_location("rasa_side_keys", ROOT / "nlu" / "ieomoa_nlu" / "keys.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_purpose_has_its_own_key() -> None:
    keys = {crypto.purpose_key(purpose, "s3cret") for purpose in crypto.PURPOSES}
    assert len(keys) == len(crypto.PURPOSES) and all(len(key) == 32 for key in keys)
    assert hashlib.sha256(b"s3cret").digest() not in keys  # not the old single key
    token = crypto.encrypt_text("김민수", crypto.OUTBOX, "s3cret")
    with pytest.raises(InvalidToken):
        crypto.decrypt_text(token, crypto.APPLICATIONS, "s3cret")


def test_the_newest_secret_writes_and_every_listed_one_reads() -> None:
    old = crypto.seal({"a": 1}, "old")
    assert crypto.unseal(old, " new , old ") == {"a": 1}
    new = crypto.seal({"a": 2}, "new,old")
    assert crypto.unseal(new, "new") == {"a": 2}
    with pytest.raises(InvalidToken):
        crypto.unseal(new, "old")
    assert crypto.purpose_key("tts-cache", "new,old") == crypto.purpose_key("tts-cache", "new")
    assert crypto.purpose_keys("tts-cache", "new,old")[1] == crypto.purpose_key("tts-cache", "old")
    assert crypto.reencrypt(new, crypto.APPLICATIONS, "new,old") is None  # already current
    moved = crypto.reencrypt(old, crypto.APPLICATIONS, "new,old")
    assert moved is not None and crypto.unseal(moved, "new") == {"a": 1}


def test_the_previous_scheme_reads_only_where_it_was_used() -> None:
    legacy = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"s3cret").digest())).encrypt(b'{"b": 1}').decode()
    assert crypto.unseal(legacy, "s3cret") == {"b": 1}
    assert crypto.decrypt_text(legacy, crypto.RASA_EVENTS, "s3cret") == '{"b": 1}'
    with pytest.raises(InvalidToken):
        crypto.decrypt_text(legacy, crypto.OUTBOX, "s3cret")


def test_an_empty_key_list_is_refused() -> None:
    with pytest.raises(ValueError):
        crypto.secret_list(" , ")


def test_rasa_derives_the_events_key_exactly_as_the_app() -> None:
    keys = rasa_keys()
    assert keys.HKDF_SALT == crypto.HKDF_SALT and keys.RASA_EVENTS == crypto.RASA_EVENTS
    assert keys.derive_key("s3cret", "rasa-events") == crypto.purpose_key(crypto.RASA_EVENTS, "s3cret")
    written_by_rasa = keys.events_cipher("new,old").encrypt(b'{"event": "user"}').decode()
    assert crypto.decrypt_text(written_by_rasa, crypto.RASA_EVENTS, "new") == '{"event": "user"}'
    written_by_app = crypto.encrypt_text('{"event": "bot"}', crypto.RASA_EVENTS, "old")
    assert keys.events_cipher("new,old").decrypt(written_by_app.encode()) == b'{"event": "bot"}'
