"""The agency API: tokens, routing, legal transitions, audit, and pushes queued with changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agency_api.app import create_app
from ieomoa.models import AuditEntry, OutboxMessage
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.applications import ApplicationService
from ieomoa.services.status import allowed_next
from tests.support.applications import draft


@pytest.fixture
def api(sessions: sessionmaker[Session]) -> TestClient:
    return TestClient(create_app(sessions))


def bearer(sessions: sessionmaker[Session], agency: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {AgencyTokenService(sessions).create(agency)}"}


def submit(sessions: sessionmaker[Session], chat_id: int = 555, **changes: object) -> str:
    return ApplicationService(sessions).submit(f"tg-{chat_id}", draft(**changes), f"k{chat_id}").number


def test_requests_without_a_valid_token_are_refused(api: TestClient) -> None:
    assert api.get("/api/v1/applications").status_code == 401
    response = api.get("/api/v1/applications", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json() == {"detail": "invalid token"}


def test_each_agency_sees_only_what_is_routed_to_it(api: TestClient, sessions: sessionmaker[Session]) -> None:
    plain = submit(sessions, 1)
    student = submit(sessions, 2, special_education_student=True, school="한빛학교", consent_edu_office=True)
    kead = api.get("/api/v1/applications", headers=bearer(sessions, "KEAD")).json()
    edu = api.get("/api/v1/applications", headers=bearer(sessions, "EDU_OFFICE")).json()
    assert {r["id"] for r in kead} == {plain, student}
    assert [r["id"] for r in edu] == [student]
    record = edu[0]
    assert record["applicant"]["disability_types"] == ["시각"] and record["routed_to"] == ["KEAD", "EDU_OFFICE"]
    assert record["timeline"][0]["status"] == "RECEIVED"
    response = api.get(f"/api/v1/applications/{plain}", headers=bearer(sessions, "EDU_OFFICE"))
    # Routed elsewhere answers exactly like a number that does not exist (no probing).
    assert response.status_code == 404 and response.json() == {"detail": "application not found"}
    assert api.get("/api/v1/applications/IEM-2026-999999", headers=bearer(sessions, "KEAD")).status_code == 404


def test_status_change_updates_record_queues_push_and_audits(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    number = submit(sessions, 777)
    headers = bearer(sessions, "KEAD")
    response = api.post(f"/api/v1/applications/{number}/status", headers=headers,
                        json={"status": "ASSIGNED", "note": "담당자 김상담"})
    assert response.status_code == 200
    record = response.json()
    assert record["status"] == "ASSIGNED"
    assert [t["status"] for t in record["timeline"]] == ["RECEIVED", "ASSIGNED"]
    with sessions() as session:
        [push] = session.scalars(select(OutboxMessage)).all()
        assert push.chat_id == 777 and push.state == "PENDING"
        assert "담당자 배정" in push.text and "담당자 김상담" in push.text and number in push.text
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["status"]


def test_illegal_and_malformed_changes_are_refused_and_change_nothing(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    number = submit(sessions, 888)
    headers = bearer(sessions, "KEAD")
    illegal = api.post(f"/api/v1/applications/{number}/status", headers=headers, json={"status": "EMPLOYED"})
    assert illegal.status_code == 409 and "cannot move from RECEIVED to EMPLOYED" in illegal.json()["detail"]
    unknown = api.post(f"/api/v1/applications/{number}/status", headers=headers, json={"status": "DONE"})
    assert unknown.status_code == 422 and isinstance(unknown.json()["detail"], str)
    malformed = api.post(f"/api/v1/applications/{number}/status", headers=headers, json={"note": "x"})
    assert malformed.status_code == 422 and isinstance(malformed.json()["detail"], str)
    assert api.get(f"/api/v1/applications/{number}", headers=headers).json()["status"] == "RECEIVED"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_transition_rules() -> None:
    assert allowed_next("RECEIVED", None) == {"ASSIGNED", "NEEDS_INFO", "ON_HOLD", "CLOSED"}
    assert "PLACEMENT" in allowed_next("PLAN", None)
    assert allowed_next("ON_HOLD", "COUNSELING") == {"COUNSELING", "CLOSED"}
    assert allowed_next("CLOSED", None) == set()


def test_agency_token_command_prints_token_last(sqlite_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "agency_api.issue_token", "LOCAL_CENTER"],
        env=dict(os.environ, DATABASE_URL=sqlite_url), capture_output=True, text=True, check=True,
    )
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("iem_local_center_")
    from ieomoa.db import session_factory

    record = AgencyTokenService(session_factory(sqlite_url)).authenticate(token)
    assert record is not None and record.agency == "LOCAL_CENTER"
    assert token not in (record.token_hash or "")


def test_pushes_follow_each_chats_voice_and_easy_read_choice(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    from sqlalchemy import update

    from ieomoa.models import Chat
    from ieomoa.services.chats import ChatService

    number = submit(sessions, 4321)
    ChatService(sessions).set_voice_mode("tg-4321", "telegram", True)
    with sessions.begin() as session:
        session.execute(update(Chat).where(Chat.sender_id == "tg-4321").values(easy_read=True))
    response = api.post(f"/api/v1/applications/{number}/status", headers=bearer(sessions, "KEAD"),
                        json={"status": "ASSIGNED"})
    assert response.status_code == 200
    with sessions() as session:
        [push] = session.scalars(select(OutboxMessage)).all()
    assert push.voice is True
    assert "상담 선생님" in push.text and push.text.endswith("지금은 '담당자 배정' 단계예요.")
