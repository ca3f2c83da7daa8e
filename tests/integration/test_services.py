"""Core services on SQLite and on PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from ieomoa.models import ButtonToken, utcnow
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


def test_a_button_works_once_and_only_in_its_own_chat(sessions: sessionmaker[Session]) -> None:
    registry = ButtonRegistry(sessions)
    payload = '/delete_my_data{"answer": "확인"}'
    token = registry.issue("tg-1", payload, "1번 네, 모두 지워 주세요")
    assert len(token) <= 64 and registry.issue("tg-1", payload, "1번 네, 모두 지워 주세요") != token
    assert registry.press("tg-2", token) is None  # taken from another chat
    pressed = registry.press("tg-1", token)
    assert pressed is not None and pressed.payload == payload
    assert registry.press("tg-1", token) is None  # a second tap
    assert registry.press("tg-1", "b:unknown") is None and registry.press("tg-1", "/help") is None


def test_concurrent_presses_of_one_button_let_exactly_one_through(sessions: sessionmaker[Session]) -> None:
    registry = ButtonRegistry(sessions)
    token = registry.issue("tg-1", "/affirm", "1번 제출")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: registry.press("tg-1", token), range(16)))
    assert sum(r is not None for r in results) == 1


def test_expired_buttons_do_nothing(sessions: sessionmaker[Session]) -> None:
    registry = ButtonRegistry(sessions)
    token = registry.issue("tg-1", "/affirm", "1번 제출")
    with sessions.begin() as session:
        session.get(ButtonToken, token).expires_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
    assert registry.press("tg-1", token) is None
    assert registry.forget_expired() == 1


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
