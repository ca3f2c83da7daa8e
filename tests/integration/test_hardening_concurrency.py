"""Limits that hold under concurrent attempts, across processes and restarts, on PostgreSQL
(issue 9, defects 5 and 9).

The hostile tester sent wrong agency tokens and wrong caregiver codes as fast as they went.
A limit read as "count the recent failures, refuse past N, else add one" lets every request
that counts before the others commit through, so these tests fire the attempts at once. The
agency API runs as ``make run`` starts it (two processes on one database, one restarted) and
is reached over HTTP from several loopback addresses, as from several clients.
"""

from __future__ import annotations

import secrets
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agency_api.auth_failures import FAILURES_OVERALL, FAILURES_PER_CLIENT
from ieomoa.db import make_engine
from ieomoa.models import AuditEntry
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService, Redemption
from tests.support.applications import draft
from tests.support.stack import free_port
from tools.stack import ManagedProcess, agency_api_process, child_env, wait_until_ready

# What a refused body may add to the server's memory: a quarter of the 64 MiB streamed at it.
GROWTH_LIMIT = 16 << 20


@pytest.fixture
def secret_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """One key for this test process and the servers it starts (hashes and sealed fields agree)."""
    key = secrets.token_urlsafe(32)
    monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IEOMOA_SECRET_KEY", key)
    return key


@pytest.fixture
def pg(postgres_url: str, secret_key: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgres_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def at_once(count: int, attempt) -> list:  # noqa: ANN001 - a callable of the attempt's index
    """Run ``attempt(i)`` for i in range(count) in threads released together."""
    start = threading.Barrier(count)

    def run(index: int):  # noqa: ANN202
        start.wait()
        return attempt(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# --- caregiver codes ---------------------------------------------------------------------------


def wrong_for(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_concurrent_wrong_codes_of_one_chat_count_no_more_than_its_limit(pg: sessionmaker[Session]) -> None:
    service = CaregiverService(pg, per_chat_limit=5, global_limit=1000)
    issued = service.issue_code("tg-1", share_sensitive=False)
    outcomes = Counter(at_once(16, lambda _: service.redeem("tg-9", wrong_for(issued.code))))
    assert outcomes == Counter({Redemption.WRONG: 5, Redemption.TOO_MANY_TRIES: 11})
    assert service.redeem("tg-9", issued.code) is Redemption.TOO_MANY_TRIES


def test_concurrent_wrong_codes_of_many_chats_count_no_more_than_the_overall_limit(
    pg: sessionmaker[Session],
) -> None:
    service = CaregiverService(pg, per_chat_limit=5, global_limit=12)
    issued = service.issue_code("tg-1", share_sensitive=False)
    outcomes = Counter(at_once(24, lambda n: service.redeem(f"tg-{100 + n}", wrong_for(issued.code))))
    assert outcomes == Counter({Redemption.WRONG: 12, Redemption.PAUSED_FOR_ALL: 12})
    assert service.redeem("tg-500", issued.code) is Redemption.PAUSED_FOR_ALL


# --- the agency API, as make run serves it ------------------------------------------------------


@dataclass
class AgencyApi:
    """One agency API process on its own port."""

    process: ManagedProcess
    port: int

    def url(self, path: str = "/api/v1/applications") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self.process.start()
        wait_until_ready(self.url("/openapi.json"), self.process, timeout=120)


@pytest.fixture
def start_api(postgres_url: str, secret_key: str, tmp_path: Path) -> Iterator:  # noqa: ANN001
    started: list[AgencyApi] = []

    def start(name: str) -> AgencyApi:
        port = free_port()
        env = child_env({"DATABASE_URL": postgres_url, "IEOMOA_SECRET_KEY": secret_key,
                         "AGENCY_API_PORT": str(port)})
        api = AgencyApi(agency_api_process(env=env, log_dir=tmp_path / name), port)
        started.append(api)
        api.start()
        return api

    yield start
    for api in started:
        api.process.stop()


def get(url: str, token: str | None, source: str = "127.0.0.1") -> httpx.Response:
    """A GET from the loopback address ``source`` (each address is one client to the API)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=60) as client:
        return client.get(url, headers=headers)


def failed_logins(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "auth_failed")) or 0


def test_a_burst_of_wrong_tokens_gets_the_limit_and_no_more_in_every_process_and_after_a_restart(
    pg: sessionmaker[Session], start_api,  # noqa: ANN001
) -> None:
    first, second = start_api("first"), start_api("second")
    good = AgencyTokenService(pg).create("KEAD")
    attacker = "127.0.0.2"
    statuses = Counter(r.status_code for r in at_once(
        40, lambda n: get((first if n % 2 else second).url(), f"wrong-{n}" if n % 3 else None, attacker)))
    assert statuses == Counter({401: FAILURES_PER_CLIENT, 429: 40 - FAILURES_PER_CLIENT})
    assert failed_logins(pg) == FAILURES_PER_CLIENT  # each one audited, the refusals after not
    for api in (first, second):  # even the right token, from that address, in either process
        locked = get(api.url(), good, attacker)
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert get(first.url(), good, "127.0.0.3").status_code == 200  # another client is not affected
    first.process.stop()
    first.start()
    assert get(first.url(), good, attacker).status_code == 429  # the lockout outlived the restart


def test_a_burst_from_many_clients_stops_at_the_overall_limit(
    pg: sessionmaker[Session], start_api,  # noqa: ANN001
) -> None:
    api = start_api("api")
    good = AgencyTokenService(pg).create("KEAD")
    clients = FAILURES_OVERALL // (FAILURES_PER_CLIENT - 1) + 2  # none reaches its own limit
    attempts = clients * (FAILURES_PER_CLIENT - 1)
    statuses = Counter(r.status_code for r in at_once(
        attempts, lambda n: get(api.url(), "wrong", f"127.0.1.{n % clients + 1}")))
    assert statuses == Counter({401: FAILURES_OVERALL, 429: attempts - FAILURES_OVERALL})
    assert get(api.url(), good, "127.0.2.1").status_code == 429  # a newcomer waits too


def test_other_agencies_applications_are_404_like_missing_ones_and_audited(
    pg: sessionmaker[Session], start_api,  # noqa: ANN001
) -> None:
    api = start_api("api")
    number = ApplicationService(pg).submit("tg-1", draft(), "hardening-404").number  # KEAD only
    edu = AgencyTokenService(pg).create("EDU_OFFICE")
    elsewhere = get(api.url(f"/api/v1/applications/{number}"), edu)
    missing = get(api.url("/api/v1/applications/IEM-2026-999999"), edu)
    assert elsewhere.status_code == missing.status_code == 404 and elsewhere.json() == missing.json()
    with pg() as session:
        denied = session.scalars(select(AuditEntry).where(AuditEntry.action == "denied").order_by(AuditEntry.id)).all()
    assert [(e.agency, e.application_number) for e in denied] == [("EDU_OFFICE", number),
                                                                  ("EDU_OFFICE", "IEM-2026-999999")]


def raw_post(port: int, headers: str, body_chunks: Iterator[bytes]) -> bytes:
    """POST by hand (a client that does not stop sending when refused); the status line answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(headers.encode("ascii"))
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed (or stopped reading): as it should
        return sock.recv(4096).split(b"\r\n", 1)[0]


def test_huge_unauthenticated_bodies_are_refused_without_the_process_growing(start_api) -> None:  # noqa: ANN001
    api = start_api("api")
    server = psutil.Process(api.process.process.pid)  # type: ignore[union-attr]
    before = server.memory_info().rss
    path = "/api/v1/applications/IEM-2026-000001/status"
    declared = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {1 << 30}\r\n\r\n")
    assert b" 413 " in raw_post(api.port, declared, (b"x" * 65536 for _ in range(64)))  # 4 MiB of the 1 GiB
    chunked = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"x" * 65536 + b"\r\n"
    assert b" 413 " in raw_post(api.port, chunked, (chunk for _ in range(1024)))  # 64 MiB, endless to it
    assert server.memory_info().rss - before < GROWTH_LIMIT  # far less than what was sent
