"""Key rotation end to end (SQLite and PostgreSQL): data written under secret A, the
service switched to "B,A", ``python -m ieomoa.rotate_key`` (what ``make rotate-key`` runs),
then A dropped: application fields, sealed updates, pending pushes and Rasa's events (read
back by Rasa's own tracker store code) all still read, and a second run changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.crypto import RASA_EVENTS, decrypt_text, unseal
from ieomoa.models import Application, OutboxMessage
from ieomoa.rasa_endpoints import tracker_store_config, tracker_store_url
from ieomoa.rotate_key import rotate_all
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService, Redemption
from ieomoa.services.status import Caller, StatusService
from ieomoa.services.updates import UpdateLedger
from tests.support.applications import draft
from tests.support.rasa_tracker import run_tracker_store

ROOT = Path(__file__).resolve().parents[2]
A = "old-secret-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
B = "new-secret-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
NOTE = "담당: 김상담, 수어통역 준비"
SAID = "저는 귀가 잘 안 들려요"
UPDATE = {"update_id": 9001, "message": {"text": "김민수 010-9999-8888"}}
LEGACY_SENSITIVE = {"disability_types": ["지적"], "severity": "심한", "support_needs": []}
# The encrypted columns of the app database: table -> (primary key, column).
APP_COLUMNS = {"applications": ("seq", "sensitive"), "processed_updates": ("update_id", "sealed_update"),
               "outbox": ("id", "text")}


def use_key(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IEOMOA_SECRET_KEY", value)


def legacy_token(secret: str, data: dict[str, object]) -> str:
    """What the previous version wrote: Fernet under SHA-256 of the secret."""
    fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))
    return fernet.encrypt(json.dumps(data, ensure_ascii=False).encode()).decode()


def stored(database_url: str) -> dict[str, str]:
    """Every encrypted value as stored, app database and Rasa's, keyed by table, column and row."""
    values: dict[str, str] = {}
    for url, columns in ((database_url, APP_COLUMNS), (tracker_store_url(database_url), {"events": ("id", "data")})):
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            for table, (key, column) in columns.items():
                for row_key, value in connection.execute(sa.text(f"SELECT {key}, {column} FROM {table}")):
                    if value is not None:
                        values[f"{table}.{column}.{row_key}"] = value
        engine.dispose()
    return values


def rotate_with_the_command(database_url: str, key: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IEOMOA_SECRET_KEY")}
    env.update(DATABASE_URL=database_url, IEOMOA_SECRET_KEY=key)
    result = subprocess.run([sys.executable, "-m", "ieomoa.rotate_key", "--batch-size", "2"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_rotating_to_a_new_key_keeps_everything_readable_without_the_old_one(
    sessions: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rasa_store = tracker_store_config(database_url)
    use_key(monkeypatch, A)
    applications = ApplicationService(sessions)
    number = applications.submit("tg-101", draft(disability_types=["청각"]), "rotate-1").number
    legacy_number = applications.submit("tg-102", draft(), "rotate-2").number
    with sessions.begin() as session:  # an application stored by the previous version
        session.execute(sa.update(Application).where(Application.number == legacy_number)
                        .values(sensitive=legacy_token(A, LEGACY_SENSITIVE)))
        session.execute(sa.text(  # a push queued by the previous version, in clear
            "INSERT INTO outbox (idempotency_key, chat_id, text, state, attempts, next_attempt_at, created_at)"
            " VALUES ('old:1', 102, '예전 알림이에요', 'PENDING', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    StatusService(sessions).change(Caller("KEAD"), number, "ASSIGNED", NOTE)
    UpdateLedger(sessions).claim(UPDATE["update_id"], UPDATE)
    code = CaregiverService(sessions).issue_code("tg-101", share_sensitive=False).code
    run_tracker_store("save", rasa_store, "tg-101", SAID, secret=A)
    before = stored(database_url)
    assert len(before) == 6 and not any(NOTE in v or SAID in v or "010-9999" in v for v in before.values())

    # Every process now runs with "B,A"; the command moves everything under B.
    use_key(monkeypatch, f"{B},{A}")
    output = rotate_with_the_command(database_url, f"{B},{A}")
    assert "applications.sensitive: 2 re-encrypted" in output
    assert "outbox.text: 2 re-encrypted" in output and "rasa events.data: 1 re-encrypted" in output
    after = stored(database_url)
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in before)
    assert "예전 알림이에요" not in after.values()  # the push stored in clear is encrypted now
    assert CaregiverService(sessions).redeem("tg-202", code) is Redemption.LINKED  # a code issued under A

    # Run again: nothing to do, nothing changes.
    again = rotate_all(database_url, batch_size=2)
    assert {name: counts.rewritten for name, counts in again.items()} == dict.fromkeys(again, 0)
    assert all(counts.unreadable == 0 and counts.current > 0 for counts in again.values())
    assert stored(database_url) == after

    # A is dropped: everything reads under B alone, and A alone reads nothing any more.
    use_key(monkeypatch, B)
    record = StatusService(sessions).get_for(Caller("KEAD"), number)
    assert record["applicant"]["disability_types"] == ["청각"]
    legacy = applications.latest_for("tg-102")
    assert legacy is not None and ApplicationService.sensitive_of(legacy) == LEGACY_SENSITIVE
    with sessions() as session:
        texts = set(session.scalars(select(OutboxMessage.text)))
        sealed_update = session.execute(sa.text("SELECT sealed_update FROM processed_updates")).scalar_one()
    assert "예전 알림이에요" in texts and any(NOTE in text for text in texts)
    assert unseal(sealed_update) == UPDATE
    assert run_tracker_store("read", rasa_store, "tg-101", secret=B) == [SAID]
    with pytest.raises(InvalidToken):
        unseal(legacy.sensitive, A)


def test_data_written_with_the_previous_key_scheme_still_reads(
    sessions: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_key(monkeypatch, A)
    rasa_store = tracker_store_config(database_url)
    number = ApplicationService(sessions).submit("tg-7", draft(), "legacy-1").number
    run_tracker_store("save", rasa_store, "tg-7", SAID, secret=A)
    # Rewrite both as the previous version stored them: Fernet keys = SHA-256 of the secret.
    with sessions.begin() as session:
        session.execute(sa.update(Application).where(Application.number == number)
                        .values(sensitive=legacy_token(A, LEGACY_SENSITIVE)))
    engine = sa.create_engine(tracker_store_url(database_url))
    with engine.begin() as connection:
        for row_key, data in connection.execute(sa.text("SELECT id, data FROM events")).all():
            plain = json.loads(decrypt_text(data, RASA_EVENTS))
            connection.execute(sa.text("UPDATE events SET data = :data WHERE id = :id"),
                               {"data": legacy_token(A, plain), "id": row_key})
    engine.dispose()

    application = ApplicationService(sessions).latest_for("tg-7")
    assert application is not None and ApplicationService.sensitive_of(application) == LEGACY_SENSITIVE
    assert run_tracker_store("read", rasa_store, "tg-7", secret=A) == [SAID]
    use_key(monkeypatch, f"{B},{A}")  # listed second, it still reads
    assert ApplicationService.sensitive_of(application) == LEGACY_SENSITIVE
    assert run_tracker_store("read", rasa_store, "tg-7", secret=f"{B},{A}") == [SAID]
