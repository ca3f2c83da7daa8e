"""Rasa replicas behind HAProxy, with the action server, on one PostgreSQL database.

The way docker-compose.yml scales Rasa, on 127.0.0.1: every replica reads and writes the
same encrypted SQL tracker store, the Redis lock store (``ieomoa_nlu.lock_store``) keeps a
conversation on one replica at a time, and HAProxy runs deploy/haproxy.cfg with its
listening address and servers rewritten for local ports. Used by
tests/integration/test_rasa_replicas.py and the load benchmark (one replica or two).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ieomoa.config import PROJECT_ROOT, Settings, load_settings
from ieomoa.rasa_endpoints import redis_lock_store_config, write_endpoints
from tools import service_commands
from tools.process_groups import ManagedProcess
from tools.stack import (
    action_server_process,
    child_env,
    current_model,
    rasa_process,
    wait_until_ready,
)

HAPROXY_CONFIG = PROJECT_ROOT / "deploy" / "haproxy.cfg"
HAPROXY_BACKEND = "rasa_replicas"
REDIS_URL = os.environ.get("IEOMOA_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
ENSURE_HAPROXY = "make lb-tool"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_from(env: dict[str, str]) -> Settings:
    """Settings as a process with environment ``env`` would load them."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        return load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def migrate(env: dict[str, str]) -> None:
    """Run the migration as the migrate container does (tools/service_commands.py)."""
    result = subprocess.run([sys.executable, *service_commands.migrate()], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"migration failed:\n{result.stderr[-3000:]}")


def haproxy_binary() -> str:
    """HAProxy from Debian's package (``make test`` installs it with scripts/ensure-haproxy.sh)."""
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if not found:
        raise RuntimeError(f"haproxy is not installed: run {ENSURE_HAPROXY} (make test does)")
    return found


def _replace_line(text: str, pattern: str, replacement: str) -> str:
    """Replace the one line matching ``pattern``; fail loudly if deploy/haproxy.cfg changed shape."""
    changed, count = re.subn(pattern, lambda _: replacement, text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise ValueError(f"{HAPROXY_CONFIG.name} has no line matching {pattern!r}")
    return changed


def local_haproxy_config(listen_port: int, replica_ports: list[int], stats_socket: Path) -> str:
    """deploy/haproxy.cfg listening on 127.0.0.1, one server per local replica, with a stats socket."""
    text = HAPROXY_CONFIG.read_text(encoding="utf-8")
    text = _replace_line(text, r"^\s+bind :5005$", f"    bind 127.0.0.1:{listen_port}")
    servers = "\n".join(f"    server rasa{n} 127.0.0.1:{port} check" for n, port in enumerate(replica_ports, 1))
    text = _replace_line(text, r"^\s+server-template .*$", servers)
    return _replace_line(text, r"^global$", f"global\n    stats socket {stats_socket} mode 600 level user")


@dataclass
class RasaReplicas:
    """Running replicas, their action server and (maybe) the balancer in front of them."""

    database_url: str
    env: dict[str, str]
    replica_urls: list[str]
    balancer_url: str | None
    action_server_url: str
    work_dir: Path
    processes: list[ManagedProcess] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        """Where a client (the bot) sends messages: the balancer, else the only replica."""
        return self.balancer_url or self.replica_urls[0]

    @property
    def stats_socket(self) -> Path:
        return self.work_dir / "haproxy.sock"

    def requests_per_replica(self) -> dict[str, int]:
        """Requests HAProxy passed to each replica so far (its ``stot`` counters)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
        lines = raw.decode().lstrip("# ").splitlines()
        header = lines[0].split(",")
        rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
        return {row["svname"]: int(row["stot"]) for row in rows
                if row["pxname"] == HAPROXY_BACKEND and row["svname"] not in {"BACKEND", "FRONTEND"}}

    def processes_named(self, prefix: str) -> list[ManagedProcess]:
        return [p for p in self.processes if p.name.startswith(prefix)]

    def stop(self) -> None:
        """Stop every process this started, the balancer first."""
        for process in reversed(self.processes):
            process.stop()


def start_rasa_replicas(
    database_url: str, work_dir: Path, *, count: int = 2, balancer: bool = True,
    lock_store: dict[str, Any] | None = None, redis_lock: bool = True, extra_env: dict[str, str] | None = None,
) -> RasaReplicas:
    """Migrate, then start the action server, ``count`` Rasa servers and HAProxy; wait until all answer.

    Without ``lock_store``, replicas get the Redis lock store under a key prefix of their own
    (none at all with ``redis_lock=False``: Rasa's in-memory lock, for one replica).
    """
    action_port, balancer_port = free_port(), free_port()
    replica_ports = [free_port() for _ in range(count)]
    replica_urls = [f"http://127.0.0.1:{port}" for port in replica_ports]
    balancer_url = f"http://127.0.0.1:{balancer_port}" if balancer else None
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    env = child_env({
        "DATABASE_URL": database_url,
        "RASA_URL": balancer_url or replica_urls[0],
        "ACTION_SERVER_URL": action_url,
        "IEOMOA_VAR_DIR": str(work_dir),
        "IEOMOA_SECRET_KEY": secrets.token_urlsafe(32),
        **(extra_env or {}),
    })
    migrate(env)
    if lock_store is None and redis_lock:
        lock_store = redis_lock_store_config(REDIS_URL, key_prefix=f"bench{secrets.token_hex(6)}")
    endpoints = write_endpoints(work_dir / "endpoints.yml", settings_from(env), lock_store)
    log_dir = work_dir / "log"
    replicas = RasaReplicas(database_url, env, replica_urls, balancer_url, action_url, work_dir)
    try:
        actions = action_server_process(port=action_port, env=env, log_dir=log_dir)
        replicas.processes.append(actions)
        actions.start()
        for number, port in enumerate(replica_ports, 1):
            rasa = rasa_process(model=current_model(), endpoints=endpoints, port=port, env=env, log_dir=log_dir)
            rasa.name, rasa.log_path = f"rasa-{number}", log_dir / f"rasa-{number}.log"
            replicas.processes.append(rasa)
            rasa.start()
        wait_until_ready(action_url.rsplit("/", 1)[0] + "/health", actions)
        for process, url in zip(replicas.processes_named("rasa-"), replica_urls):
            wait_until_ready(url + "/", process)
        if balancer_url:
            config = work_dir / "haproxy.cfg"
            config.write_text(local_haproxy_config(balancer_port, replica_ports, replicas.stats_socket),
                              encoding="utf-8")
            haproxy = ManagedProcess("haproxy", [haproxy_binary(), "-db", "-f", str(config)], env,
                                     work_dir, log_dir / "haproxy.log")
            replicas.processes.append(haproxy)
            haproxy.start()
            _wait_until_balancing(balancer_url, haproxy, count)
    except BaseException:
        replicas.stop()
        raise
    return replicas


def _wait_until_balancing(url: str, haproxy: ManagedProcess, count: int, timeout: float = 60.0) -> None:
    """Until HAProxy's health checks found every replica up (its /lb-health says 200 from one)."""
    wait_until_ready(url + "/lb-health", haproxy, timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        up = 0
        for _ in range(count * 2):
            try:
                up += httpx.get(url + "/", timeout=5).status_code == 200
            except httpx.HTTPError:
                pass
        if up == count * 2:
            return
        time.sleep(0.5)
    raise TimeoutError(f"HAProxy at {url} does not reach every replica; see {haproxy.log_path}")
