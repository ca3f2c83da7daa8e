"""Core services on SQLite and on PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from ieomoa.services.buttons import ButtonRegistry
from ieomoa.services.chats import ChatService
from ieomoa.services.updates import UpdateLedger


def test_update_is_claimed_once(sessions: sessionmaker[Session]) -> None:
    ledger = UpdateLedger(sessions)
    assert ledger.claim(101) is True
    assert ledger.claim(101) is False
    assert ledger.claim(102) is True


def test_concurrent_claims_of_one_update_let_exactly_one_through(
    sessions: sessionmaker[Session],
) -> None:
    ledger = UpdateLedger(sessions)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: ledger.claim(555), range(16)))
    assert results.count(True) == 1


def test_button_token_resolves_to_payload(sessions: sessionmaker[Session]) -> None:
    registry = ButtonRegistry(sessions)
    payload = '/inform{"region": "서울특별시"}'
    token = registry.callback_data_for(payload, "서울특별시")
    assert registry.callback_data_for(payload, "서울특별시") == token
    stored = registry.resolve(token)
    assert stored is not None and stored.payload == payload and stored.title == "서울특별시"
    assert registry.resolve("b:unknown") is None
    assert registry.resolve("/help") is None


def test_chat_sessions_and_greetings_are_counted(sessions: sessionmaker[Session]) -> None:
    chats = ChatService(sessions)
    first = chats.record_session_start("tg-1", "telegram")
    again = chats.record_session_start("tg-1", "telegram")
    assert first.is_new and not again.is_new and again.session_count == 2
    assert chats.record_greeting("tg-1", "telegram") == 0
    assert chats.record_greeting("tg-1", "telegram") == 1
    assert chats.record_greeting("tg-2", "telegram") == 0  # greeting before any session start
    stored = chats.get("tg-1")
    assert stored is not None and stored.channel == "telegram"


def test_old_update_claims_are_forgotten(sessions: sessionmaker[Session]) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from ieomoa.models import ProcessedUpdate, utcnow

    ledger = UpdateLedger(sessions)
    ledger.claim(1)
    ledger.claim(2)
    with sessions.begin() as session:
        session.execute(update(ProcessedUpdate).where(ProcessedUpdate.update_id == 1)
                        .values(received_at=utcnow() - timedelta(days=3)))
    assert ledger.forget_older_than(2) == 1
    assert ledger.claim(2) is False  # recent claims still hold
