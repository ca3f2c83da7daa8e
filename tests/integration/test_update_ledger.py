"""The update ledger on SQLite and PostgreSQL: claim, lease, finish, recover."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import create_engine, text, update
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.crypto import unseal
from ieomoa.migrate import upgrade
from ieomoa.models import ProcessedUpdate, utcnow
from ieomoa.services.updates import UpdateLedger

SECRET = "ledger-test-secret"
TEXT = "제 이름은 김하늘이고 010-1234-5678이에요"


def an_update(update_id: int, text: str = TEXT) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 7, "date": 1_700_000_000, "text": text,
            "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "is_bot": False, "first_name": "신청자"},
        },
    }


def expire(sessions: sessionmaker[Session], update_id: int) -> None:
    """What the clock does to the lease of a process that died: it runs out."""
    with sessions.begin() as session:
        session.execute(
            update(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id)
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )


def raw_row(sessions: sessionmaker[Session], update_id: int) -> dict:
    with sessions() as session:
        row = session.execute(
            text("SELECT * FROM processed_updates WHERE update_id = :id"), {"id": update_id}
        ).mappings().one()
    return dict(row)


@pytest.fixture
def ledger(sessions: sessionmaker[Session]) -> UpdateLedger:
    return UpdateLedger(sessions, secret=SECRET)


def test_a_leased_update_is_not_claimed_again(ledger: UpdateLedger) -> None:
    assert ledger.claim(1, an_update(1)) is True
    assert ledger.claim(1, an_update(1)) is False  # a redelivery while it is being handled
    assert ledger.expired() == []


def test_an_update_whose_lease_ran_out_is_claimed_again_and_handed_back(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    ledger.claim(2, an_update(2))
    ledger.claim(1, an_update(1))
    expire(sessions, 2)
    expire(sessions, 1)
    pending = ledger.expired()
    assert [p.update_id for p in pending] == [1, 2]  # oldest update first
    assert pending[0].data == an_update(1) and pending[0].attempts == 1
    assert ledger.claim(1) is True  # the claimer died: take it over, keep the stored update
    assert ledger.claim(1) is False
    assert [p.update_id for p in ledger.expired()] == [2]
    expire(sessions, 1)
    [again, _] = ledger.expired()
    assert again.attempts == 2 and again.data == an_update(1)


def test_a_finished_update_is_never_claimed_again_and_its_copy_is_erased(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    ledger.claim(3, an_update(3))
    assert ledger.finish([3]) == 1
    row = raw_row(sessions, 3)
    assert row["sealed_update"] is None and row["done_at"] is not None and row["lease_until"] is None
    assert row["received_at"] is not None  # only the id and the times remain
    assert ledger.finish([3]) == 0
    expire(sessions, 3)  # even an old lease on a finished update does not let it in again
    assert ledger.claim(3, an_update(3)) is False
    assert ledger.expired() == []


def test_the_stored_update_is_encrypted(ledger: UpdateLedger, sessions: sessionmaker[Session]) -> None:
    ledger.claim(4, an_update(4))
    row = raw_row(sessions, 4)
    stored = " ".join(str(value) for value in row.values())
    assert "김하늘" not in stored and "010-1234-5678" not in stored
    assert unseal(row["sealed_update"], SECRET) == an_update(4)
    with pytest.raises(InvalidToken):
        unseal(row["sealed_update"], "another-key")


def test_a_copy_that_cannot_be_decrypted_is_handed_back_without_data(
    sessions: sessionmaker[Session],
) -> None:
    UpdateLedger(sessions, secret="old-key").claim(5, an_update(5))
    expire(sessions, 5)
    [pending] = UpdateLedger(sessions, secret="new-key").expired()
    assert pending.update_id == 5 and pending.data is None


def test_renewing_keeps_the_lease(ledger: UpdateLedger, sessions: sessionmaker[Session]) -> None:
    ledger.claim(6, an_update(6))
    ledger.claim(7, an_update(7))
    ledger.finish([7])
    expire(sessions, 6)
    assert ledger.renew([6, 7]) == 1  # a finished update has no lease to renew
    assert ledger.expired() == [] and ledger.claim(6) is False
    assert ledger.renew([]) == 0 and ledger.finish([]) == 0


def test_concurrent_takeovers_of_an_expired_claim_let_exactly_one_through(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    ledger.claim(8, an_update(8))
    expire(sessions, 8)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: ledger.claim(8, an_update(8)), range(16)))
    assert results.count(True) == 1


def test_concurrent_first_claims_with_the_update_let_exactly_one_through(ledger: UpdateLedger) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: ledger.claim(9, an_update(9)), range(16)))
    assert results.count(True) == 1


def test_old_claims_are_forgotten_whatever_their_state(
    ledger: UpdateLedger, sessions: sessionmaker[Session]
) -> None:
    ledger.claim(10, an_update(10))
    ledger.claim(11, an_update(11))
    ledger.finish([11])
    with sessions.begin() as session:
        session.execute(update(ProcessedUpdate).values(received_at=utcnow() - timedelta(days=3)))
    assert ledger.forget_older_than(2) == 2


def test_a_lease_must_be_positive(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError):
        UpdateLedger(sessions, lease=timedelta(0))


def test_claims_made_before_the_migration_count_as_done(database_url: str) -> None:
    # The fixture's database is at head; rebuild this table's history on a fresh copy.
    from alembic import command

    from ieomoa.migrate import alembic_config

    command.downgrade(alembic_config(database_url), "0010")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO processed_updates (update_id, received_at) VALUES (77, :at)"), {"at": utcnow()}
        )
    upgrade(database_url)
    ledger = UpdateLedger(sessionmaker(engine), secret=SECRET)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE processed_updates SET lease_until = :past"),
                               {"past": utcnow() - timedelta(minutes=5)})
        assert ledger.claim(77) is False and ledger.expired() == []
    finally:
        engine.dispose()
