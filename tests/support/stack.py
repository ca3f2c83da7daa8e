"""The real Rasa server and action server, started once per test run."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from bench.support.replicas import free_port, migrate, settings_from
from ieomoa.config import Settings
from ieomoa.conversation.rasa_client import TOKEN_HEADER
from ieomoa.rasa_endpoints import tracker_store_url, write_endpoints
from tools.stack import (
    ManagedProcess,
    action_server_process,
    child_env,
    current_model,
    rasa_process,
    wait_until_ready,
)


@dataclass
class RunningStack:
    """Rasa + actions on their own ports and database."""

    database_url: str
    rasa_url: str
    action_server_url: str
    env: dict[str, str]
    rasa: ManagedProcess
    actions: ManagedProcess
    log_dir: Path

    def settings(self) -> Settings:
        """Settings as the processes of this stack see them."""
        return settings_from(self.env)

    def restart(self) -> None:
        """Stop and start both servers, as after a crash or a deploy."""
        for process in (self.rasa, self.actions):
            process.stop()
        self.start()

    def start(self) -> None:
        """Start both servers and wait until they answer."""
        self.actions.start()
        self.rasa.start()
        wait_until_ready(self.action_server_url.rsplit("/", 1)[0] + "/health", self.actions)
        wait_until_ready(self.rasa_url + "/", self.rasa)

    def stop(self) -> None:
        """Stop both servers."""
        self.rasa.stop()
        self.actions.stop()


def start_stack(database_url: str, work_dir: Path) -> RunningStack:
    """Migrate the database and start Rasa and the action server on free ports."""
    rasa_port, action_port = free_port(), free_port()
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    env = child_env(
        {
            "DATABASE_URL": database_url,
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "ACTION_SERVER_URL": action_url,
            "IEOMOA_VAR_DIR": str(work_dir),
            "IEOMOA_SECRET_KEY": secrets.token_urlsafe(32),
        }
    )
    migrate(env)
    log_dir = work_dir / "log"
    endpoints = write_endpoints(work_dir / "endpoints.yml", settings_from(env))
    stack = RunningStack(
        database_url=database_url,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_server_url=action_url,
        env=env,
        rasa=rasa_process(
            model=current_model(), endpoints=endpoints, port=rasa_port, env=env, log_dir=log_dir
        ),
        actions=action_server_process(port=action_port, env=env, log_dir=log_dir),
        log_dir=log_dir,
    )
    stack.start()
    return stack


class RasaApi:
    """Rasa's HTTP API as tests use it (synchronous)."""

    def __init__(self, stack: RunningStack) -> None:
        self._token = stack.env["RASA_AUTH_TOKEN"]
        # Rasa's REST channel refuses messages without it (nlu/ieomoa_nlu/rest_channel.py).
        self._client = httpx.Client(base_url=stack.rasa_url, timeout=60, headers={TOKEN_HEADER: self._token})

    def parse(self, text: str) -> dict:
        """NLU result for one text."""
        response = self._client.post("/model/parse", params={"token": self._token}, json={"text": text})
        response.raise_for_status()
        return response.json()

    def send(self, sender: str, text: str) -> list[dict]:
        """Replies to one message over the REST channel."""
        response = self._client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        """The stored conversation of one sender."""
        response = self._client.get(f"/conversations/{sender}/tracker", params={"token": self._token})
        response.raise_for_status()
        return response.json()


def stored_events(stack: RunningStack, sender: str) -> list[str]:
    """The raw ``data`` of every event Rasa's tracker store holds for one sender."""
    engine = create_engine(tracker_store_url(stack.database_url))
    try:
        with engine.connect() as connection:
            return list(connection.execute(
                text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}
            ).scalars())
    finally:
        engine.dispose()
