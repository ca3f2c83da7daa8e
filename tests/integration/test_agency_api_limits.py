"""Agency API hardening: body size limit, failed-authentication lockout, 404 for other agencies'
applications, and denied requests in the audit log (no token, no body)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agency_api.app import create_app
from agency_api.body_limit import BodyLimit
from ieomoa.models import AuditEntry, AuthFailure, utcnow
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.applications import ApplicationService
from tests.support.applications import draft


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def token(sessions: sessionmaker[Session], agency: str = "KEAD") -> str:
    return AgencyTokenService(sessions).create(agency)


def client(app: object, address: str = "10.0.0.1") -> TestClient:
    return TestClient(app, client=(address, 40000))  # type: ignore[arg-type]


def audit(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


# --- 404 for applications routed elsewhere, denied requests audited ---------------------------


def test_an_application_routed_elsewhere_looks_like_one_that_does_not_exist(
    sessions: sessionmaker[Session],
) -> None:
    number = ApplicationService(sessions).submit("tg-1", draft(), "k1").number  # KEAD only
    edu = token(sessions, "EDU_OFFICE")
    api = client(create_app(sessions))
    headers = {"Authorization": f"Bearer {edu}"}
    routed_elsewhere = api.get(f"/api/v1/applications/{number}", headers=headers)
    missing = api.get("/api/v1/applications/IEM-2026-999999", headers=headers)
    assert routed_elsewhere.status_code == missing.status_code == 404
    assert routed_elsewhere.json() == missing.json() == {"detail": "application not found"}
    change = api.post(f"/api/v1/applications/{number}/status", headers=headers, json={"status": "ASSIGNED"})
    assert change.status_code == 404 and change.json() == {"detail": "application not found"}
    denied = [e for e in audit(sessions) if e.action == "denied"]
    assert [(e.agency, e.application_number, e.detail) for e in denied] == [
        ("EDU_OFFICE", number, "not routed"),
        ("EDU_OFFICE", "IEM-2026-999999", "not found"),
        ("EDU_OFFICE", number, "not routed"),
    ]
    assert all(e.token_id is not None for e in denied)
    assert all(edu not in (e.detail or "") for e in audit(sessions))


# --- failed authentications: audited, limited per client and overall, kept in the database ----


def test_failed_logins_are_audited_without_the_token(sessions: sessionmaker[Session]) -> None:
    api = client(create_app(sessions))
    secret_guess = "iem_kead_guess-that-must-not-be-stored"
    assert api.get("/api/v1/applications", headers={"Authorization": f"Bearer {secret_guess}"}).status_code == 401
    assert api.get("/api/v1/applications").status_code == 401
    entries = audit(sessions)
    assert [e.action for e in entries] == ["auth_failed", "auth_failed"]
    assert entries[0].detail.startswith("invalid token") and entries[1].detail.startswith("missing token")
    for entry in entries:
        assert secret_guess not in (entry.detail or "") and "10.0.0.1" not in (entry.detail or "")
        assert entry.token_id is None and entry.application_number is None
    with sessions() as session:
        assert all("10.0.0.1" not in f.client_key for f in session.scalars(select(AuthFailure)))


def test_a_client_is_locked_out_after_too_many_wrong_tokens_until_the_window_passes(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    make: Callable[[], object] = lambda: create_app(  # noqa: E731
        sessions, clock=clock, failures_per_client=3, failures_overall=100, failure_window=timedelta(minutes=15)
    )
    good = {"Authorization": f"Bearer {token(sessions)}"}
    attacker = client(make(), "10.0.0.66")
    for _ in range(3):
        assert attacker.get("/api/v1/applications", headers={"Authorization": "Bearer wrong"}).status_code == 401
    locked = attacker.get("/api/v1/applications", headers=good)  # even a right token, from that address
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    # Kept in the database: a restarted process (a new app) still refuses the address.
    assert client(make(), "10.0.0.66").get("/api/v1/applications", headers=good).status_code == 429
    assert client(make(), "10.0.0.7").get("/api/v1/applications", headers=good).status_code == 200
    refused_before = len(audit(sessions))
    attacker.get("/api/v1/applications", headers={"Authorization": "Bearer wrong"})
    assert len(audit(sessions)) == refused_before  # refusals while locked are not audited one by one
    clock.now += timedelta(minutes=16)
    assert client(make(), "10.0.0.66").get("/api/v1/applications", headers=good).status_code == 200


def test_too_many_failures_overall_lock_out_every_client(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    app = create_app(sessions, clock=clock, failures_per_client=3, failures_overall=5)
    for n in range(5):  # five addresses, one wrong token each: no single client hits its limit
        response = client(app, f"10.0.1.{n}").get("/api/v1/applications", headers={"Authorization": "Bearer x"})
        assert response.status_code == 401
    good = {"Authorization": f"Bearer {token(sessions)}"}
    assert client(app, "10.0.2.1").get("/api/v1/applications", headers=good).status_code == 429
    clock.now += timedelta(minutes=16)
    assert client(app, "10.0.2.1").get("/api/v1/applications", headers=good).status_code == 200


# --- request body size ------------------------------------------------------------------------


def test_a_declared_huge_body_is_refused_before_any_of_it_is_read() -> None:
    reached: list[str] = []

    async def inner(scope: object, receive: object, send: object) -> None:
        reached.append("app")

    async def receive() -> dict[str, object]:
        raise AssertionError("the body must not be read")

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/applications/x/status",
             "headers": [(b"content-length", str(1 << 30).encode())]}
    asyncio.run(BodyLimit(inner, limit=64 * 1024)(scope, receive, send))  # type: ignore[arg-type]
    assert reached == [] and sent[0]["status"] == 413


def test_a_streamed_body_is_cut_off_at_the_limit(sessions: sessionmaker[Session]) -> None:
    """The whole app, driven as uvicorn would: an endless chunked body is read only up to the limit."""
    app = create_app(sessions, max_body_bytes=64 * 1024)
    chunk = b"x" * 4096
    pulled = 0

    async def receive() -> dict[str, object]:
        nonlocal pulled
        pulled += 1
        assert pulled < 1000, "the body is being read to the end"
        return {"type": "http.request", "body": chunk, "more_body": True}

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/v1/applications/IEM-2026-000001/status", "raw_path": b"",
             "root_path": "", "query_string": b"", "client": ("10.0.0.1", 40000), "server": ("127.0.0.1", 8000),
             "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]}
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert pulled * len(chunk) <= 64 * 1024 + len(chunk)


def test_a_streamed_body_over_the_limit_gets_413_over_http(sessions: sessionmaker[Session]) -> None:
    api = client(create_app(sessions, max_body_bytes=64 * 1024))

    def chunks() -> object:  # no Content-Length: sent chunked
        for _ in range(40):
            yield b"x" * 4096

    response = api.post("/api/v1/applications/IEM-2026-000001/status", content=chunks(),
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json() == {"detail": "request body too large"}


@pytest.mark.parametrize("size", [64 * 1024 + 1, 1 << 20])
def test_an_unauthenticated_large_body_gets_413(sessions: sessionmaker[Session], size: int) -> None:
    api = client(create_app(sessions))
    response = api.post("/api/v1/applications/IEM-2026-000001/status", content=b"{" + b" " * (size - 1))
    assert response.status_code == 413


def test_a_normal_body_still_works(sessions: sessionmaker[Session]) -> None:
    number = ApplicationService(sessions).submit("tg-2", draft(), "k2").number
    api = client(create_app(sessions))
    response = api.post(f"/api/v1/applications/{number}/status", headers={"Authorization": f"Bearer {token(sessions)}"},
                        json={"status": "ASSIGNED", "note": "가" * 1000})
    assert response.status_code == 200
