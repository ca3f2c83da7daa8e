"""The applicant's erasure blanks what linked caregivers' conversations say about the application
(SQLite and PostgreSQL): the events stay, so Rasa still reads the conversation, but none
names the erased application any more. Rasa's own tracker store code writes and reads them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.crypto import RASA_EVENTS, decrypt_text
from ieomoa.rasa_endpoints import tracker_store_config, tracker_store_url
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService
from ieomoa.services.erasure import ERASED_TEXT, ErasureService
from tests.support.applications import draft
from tests.support.rasa_tracker import run_tracker_store

SECRET = "caregiver-conversation-erasure-secret-0123456789"
APPLICANT, CAREGIVER, STRANGER = "tg-8101", "tg-8102", "tg-8103"


def event_texts(database_url: str, sender: str) -> list[str]:
    """The decrypted data of every stored event of one conversation."""
    engine = sa.create_engine(tracker_store_url(database_url))
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
        texts = [decrypt_text(data, RASA_EVENTS) for data in rows.scalars()]
    engine.dispose()
    return texts


def test_caregivers_conversations_forget_the_erased_application_and_still_read(
    sessions: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IEOMOA_SECRET_KEY", SECRET)
    store = tracker_store_config(database_url)
    number = ApplicationService(sessions).submit(APPLICANT, draft(), "caregiver-erasure-1").number
    caregivers = CaregiverService(sessions)
    caregivers.redeem(CAREGIVER, caregivers.issue_code(APPLICANT, share_sensitive=False).code)
    about_it = f"{number} 신청은 어떻게 됐나요?"
    for sender, text in [(CAREGIVER, about_it), (CAREGIVER, "고맙습니다"), (STRANGER, about_it)]:
        run_tracker_store("save", store, sender, text, secret=SECRET)
    events_before = len(event_texts(database_url, CAREGIVER))

    ErasureService(sessions, tracker_store_url(database_url)).erase(APPLICANT)

    caregiver_events = event_texts(database_url, CAREGIVER)
    assert len(caregiver_events) == events_before  # blanked in place, none removed
    assert not [text for text in caregiver_events if number in text]
    # Rasa reads the conversation as before, with the message about the application blanked.
    assert run_tracker_store("read", store, CAREGIVER, secret=SECRET) == [ERASED_TEXT, "고맙습니다"]
    # A chat that was not linked keeps its own words: only linked caregivers' copies go.
    assert run_tracker_store("read", store, STRANGER, secret=SECRET) == [about_it]


def test_without_a_tracker_store_the_erasure_still_erases(
    sessions: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IEOMOA_SECRET_KEY", SECRET)
    ApplicationService(sessions).submit(APPLICANT, draft(), "caregiver-erasure-2")
    caregivers = CaregiverService(sessions)
    caregivers.redeem(CAREGIVER, caregivers.issue_code(APPLICANT, share_sensitive=False).code)
    # Rasa never ran on this database: nothing to blank, nothing created where Rasa's would go.
    report = ErasureService(sessions, tracker_store_url(database_url)).erase(APPLICANT)
    assert len(report.applications) == 1 and report.caregiver_links == 1
    assert ApplicationService(sessions).latest_for(APPLICANT) is None
    if database_url.startswith("sqlite"):
        assert not Path(tracker_store_config(database_url)["db"]).exists()
