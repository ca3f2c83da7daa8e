"""Caregiver codes are stored keyed (HMAC-SHA-256): a database dump cannot test a guess."""

from __future__ import annotations

import hashlib
import hmac

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.crypto import purpose_key
from ieomoa.services.caregivers import CaregiverService, Redemption

SECRET = "caregiver-codes-test-secret-0123456789"


def stored_hashes(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.execute(sa.text("SELECT code_hash FROM caregiver_codes")).scalars())


def test_a_dump_cannot_test_any_six_digit_guess_without_the_key(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IEOMOA_SECRET_KEY", SECRET)
    code = CaregiverService(sessions).issue_code("tg-1", share_sensitive=False).code
    [stored] = stored_hashes(sessions)

    # Every one of the 10^6 codes, hashed as before (and bare): none matches the dump.
    unkeyed = set()
    for guess in range(10**6):
        digits = f"{guess:06d}"
        unkeyed.add(hashlib.sha256(f"caregiver:{digits}".encode()).hexdigest())
        unkeyed.add(hashlib.sha256(digits.encode()).hexdigest())
    assert stored not in unkeyed
    # With the caregiver-codes key (and only with it) the value is the code's HMAC.
    key = purpose_key("caregiver-codes")
    assert stored == hmac.new(key, f"caregiver:{code}".encode(), hashlib.sha256).hexdigest()
    assert stored != hmac.new(SECRET.encode(), f"caregiver:{code}".encode(), hashlib.sha256).hexdigest()
    assert CaregiverService(sessions).redeem("tg-2", code) is Redemption.LINKED


def test_a_code_issued_before_a_rotation_works_while_the_old_key_is_listed(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IEOMOA_SECRET_KEY", "secret-A-0123456789")
    service = CaregiverService(sessions)
    kept, dropped = service.issue_code("tg-1", False).code, service.issue_code("tg-3", False).code
    monkeypatch.setenv("IEOMOA_SECRET_KEY", "secret-B-0123456789,secret-A-0123456789")
    assert service.redeem("tg-2", kept) is Redemption.LINKED
    monkeypatch.setenv("IEOMOA_SECRET_KEY", "secret-B-0123456789")  # A dropped too early
    assert service.redeem("tg-4", dropped) is Redemption.WRONG
