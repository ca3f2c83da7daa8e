"""Processes killed with SIGKILL, as the hostile tester did, then started again (issue 9, defects
7 and 8), with the real relay and action server processes on PostgreSQL.

- The relay killed mid-batch: the pushes Telegram already accepted are not sent again by the
  next relay, and none is lost.
- The action server killed: nothing of it keeps the port, so it starts again on the same port;
  under ``make run``'s supervisor it is started again by itself.

The in-process relay tests (tests/integration/test_outbox_relay.py) cover 429 and 403 with a
controllable clock; these add a real SIGKILL of the real processes.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.db import make_engine
from ieomoa.models import OutboxMessage, utcnow
from tests.support.stack import free_port
from tests.support.telegram_standin import TelegramStandIn
from tools.leftovers import port_is_free
from tools.process_groups import ManagedProcess, group_members
from tools.stack import action_server_process, child_env, relay_process, wait_until_ready
from tools.supervisor import Backoff, Supervisor


def wait_until(condition: Callable[[], object], timeout: float = 120.0) -> None:
    """Block until ``condition()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition never became true")
        time.sleep(0.05)


@pytest.fixture
def secret_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """One key for this test process and the processes it starts (push texts are sealed with it)."""
    key = secrets.token_urlsafe(32)
    monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IEOMOA_SECRET_KEY", key)
    return key


@pytest.fixture
def pg(postgres_url: str, secret_key: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgres_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def kill_group(process: ManagedProcess) -> None:
    """SIGKILL the whole process group: nothing runs a cleanup."""
    assert process.process is not None
    os.killpg(process.process.pid, signal.SIGKILL)
    process.process.wait()


# --- the relay ---------------------------------------------------------------------------------


class StuckOnThirdPush(TelegramStandIn):
    """A Bot API that accepts two pushes, then never answers the third until released (unsent)."""

    def __init__(self) -> None:
        super().__init__()
        self.third_push_arrived = threading.Event()
        self._release_third = threading.Event()
        self._pushes = 0
        self._count_lock = threading.Lock()

    def call(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, dict[str, Any]]:
        if method == "sendMessage":
            with self._count_lock:
                self._pushes += 1
                number = self._pushes
            if number == 3:
                self.third_push_arrived.set()
                self._release_third.wait()
                return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        return super().call(method, params, files)

    def release_third(self) -> None:
        self._release_third.set()


@pytest.fixture
def stuck_telegram() -> Iterator[StuckOnThirdPush]:
    standin = StuckOnThirdPush().start()
    yield standin  # type: ignore[misc]
    standin.release_third()
    standin.stop()


def relay_env(postgres_url: str, secret_key: str, telegram: TelegramStandIn) -> dict[str, str]:
    return child_env({
        "DATABASE_URL": postgres_url, "IEOMOA_SECRET_KEY": secret_key, "TTS_ENGINE": "espeak",
        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_API_FILE_URL": telegram.file_url,
    })


def delivered(telegram: TelegramStandIn) -> Counter[str]:
    return Counter(m.text for m in telegram.sent if m.method == "sendMessage")


def states(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as session:
        return Counter(session.scalars(select(OutboxMessage.state)))


def test_a_relay_killed_mid_batch_sends_nothing_twice_and_loses_nothing(
    pg: sessionmaker[Session], postgres_url: str, secret_key: str, stuck_telegram: StuckOnThirdPush,
    tmp_path: Path,
) -> None:
    with pg.begin() as session:
        session.add_all(OutboxMessage(idempotency_key=f"hardening:{i}", chat_id=7000 + i, text=f"알림 {i}",
                                      next_attempt_at=utcnow()) for i in range(6))
    env = relay_env(postgres_url, secret_key, stuck_telegram)
    first = relay_process(env=env, log_dir=tmp_path / "first")
    first.start()
    try:
        assert stuck_telegram.third_push_arrived.wait(120), "the relay never reached its third push"
        kill_group(first)  # mid-batch: two pushes accepted, the third in flight
    finally:
        first.stop()
    stuck_telegram.release_third()  # answered to a dead relay: never delivered
    assert delivered(stuck_telegram) == Counter({"알림 0": 1, "알림 1": 1})
    assert states(pg) == Counter({"SENT": 2, "PENDING": 4})  # each marked as soon as it was sent

    with pg.begin() as session:  # the dead relay's lease runs out, as the clock would have it
        session.execute(update(OutboxMessage).where(OutboxMessage.state == "PENDING")
                        .values(lease_until=utcnow() - timedelta(seconds=1)))
    second = relay_process(env=env, log_dir=tmp_path / "second")
    second.start()
    try:
        wait_until(lambda: states(pg) == Counter({"SENT": 6}))
    finally:
        second.stop()
    assert delivered(stuck_telegram) == Counter({f"알림 {i}": 1 for i in range(6)})


# --- the action server -------------------------------------------------------------------------


def action_server(port: int, env: dict[str, str], log_dir: Path) -> ManagedProcess:
    return action_server_process(port=port, env=env, log_dir=log_dir)


def health(port: int) -> str:
    return f"http://127.0.0.1:{port}/health"


@pytest.fixture
def action_env(postgres_url: str, secret_key: str) -> dict[str, str]:
    return child_env({"DATABASE_URL": postgres_url, "IEOMOA_SECRET_KEY": secret_key})


def test_a_killed_action_server_leaves_nothing_on_its_port_and_starts_again(
    action_env: dict[str, str], tmp_path: Path,
) -> None:
    port = free_port()
    first = action_server(port, action_env, tmp_path / "first")
    first.start()
    second = action_server(port, action_env, tmp_path / "second")
    try:
        wait_until_ready(health(port), first, timeout=120)
        assert first.process is not None
        os.kill(first.process.pid, signal.SIGKILL)  # the server process only, as `kill -9 <pid>` does
        first.process.wait()
        assert group_members(first.process.pid) == []  # no worker left behind
        assert port_is_free("127.0.0.1", port)
        second.start()
        wait_until_ready(health(port), second, timeout=120)
    finally:
        second.stop()
        first.stop()


def test_make_runs_supervisor_starts_a_killed_action_server_again_on_its_port(
    action_env: dict[str, str], tmp_path: Path,
) -> None:
    port = free_port()
    actions = action_server(port, action_env, tmp_path)
    reports: list[str] = []
    supervisor = Supervisor(backoff=Backoff(first=0.1, cap=1), grace=5, report=reports.append)
    supervisor.start(actions)
    try:
        wait_until_ready(health(port), actions, timeout=120)
        assert actions.process is not None
        killed = actions.process.pid
        os.kill(killed, signal.SIGKILL)
        wait_until(lambda: supervisor.restarts["actions"] == 1)
        wait_until_ready(health(port), actions, timeout=120)
        assert actions.process.pid != killed
        assert httpx.get(health(port), timeout=10).json() == {"status": "ok"}
        assert any("actions stopped" in line for line in reports)
    finally:
        supervisor.stop()
    assert not actions.alive() and port_is_free("127.0.0.1", port)
