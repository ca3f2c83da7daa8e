"""Only Rasa can call the action server, and nothing the stack starts leaks a secret or listens
beyond 127.0.0.1 (issue 9, defect 1 and the Rasa-token part of defect 9).

The attack of the issue: a hand-made tracker POSTed to the action server's /webhook asked
``action_check_status`` for someone else's sender id and got their application number and
status; the same worked for ``action_caregiver_menu`` and ``action_delete_my_data``.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ieomoa.config import ACTION_SECRET_HEADER
from ieomoa.db import session_factory
from ieomoa.services.applications import ApplicationService
from tests.support.applications import draft
from tests.support.stack import RasaApi, RunningStack, free_port
from tools.stack import ManagedProcess, agency_api_process, wait_until_ready


def forged_call(action: str, sender: str) -> dict:
    """An action call as Rasa 3.6 sends it, made by hand for somebody else's sender id."""
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {"version": "3.1", "responses": {}, "slots": {}, "forms": {},
                   "actions": [action]},
        "tracker": {
            "sender_id": sender,
            "slots": {"delete_confirmation": "확인"},
            "latest_message": {"text": "/delete_my_data", "intent": {"name": "delete_my_data"},
                               "entities": []},
            "latest_event_time": None,
            "latest_input_channel": "rest",
            "latest_action_name": "action_listen",
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
        },
    }


@pytest.fixture
def victim(stack: RunningStack) -> tuple[str, str]:
    """A sender with a submitted application: (sender id, application number)."""
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    submission = ApplicationService(session_factory(stack.database_url)).submit(
        sender, draft(), submission_key=str(uuid.uuid4())
    )
    return sender, submission.number


@pytest.mark.parametrize("headers", [
    {},
    {ACTION_SECRET_HEADER: ""},
    {ACTION_SECRET_HEADER: "wrong-secret-wrong-secret"},
    {"Authorization": "Bearer {secret}"},  # the right secret, in the wrong place
    {ACTION_SECRET_HEADER: "{secret}x"},
])
@pytest.mark.parametrize("action", ["action_check_status", "action_caregiver_menu",
                                    "action_delete_my_data"])
def test_forged_action_calls_are_refused(
    stack: RunningStack, victim: tuple[str, str], action: str, headers: dict[str, str]
) -> None:
    sender, number = victim
    secret = stack.env["ACTION_SERVER_SECRET"]
    headers = {name: value.format(secret=secret) for name, value in headers.items()}
    response = httpx.post(
        stack.action_server_url, json=forged_call(action, sender), headers=headers,
        params={"token": secret} if "Authorization" in headers else None, timeout=30,
    )
    assert response.status_code in (401, 403)
    assert number not in response.text and "events" not in response.text
    # Nothing was done for the stranger: the application is still there.
    application = ApplicationService(session_factory(stack.database_url)).latest_for(sender)
    assert application is not None and application.number == number


def test_the_forged_call_is_real_so_the_refusal_is_the_secret_check(
    stack: RunningStack, victim: tuple[str, str]
) -> None:
    # The very request refused above, with the secret Rasa sends, is answered with the data:
    # without the check, anyone who can reach the port would read it.
    sender, number = victim
    response = httpx.post(
        stack.action_server_url, json=forged_call("action_check_status", sender),
        headers={ACTION_SECRET_HEADER: stack.env["ACTION_SERVER_SECRET"]}, timeout=30,
    )
    assert response.status_code == 200 and number in response.text


def test_only_health_is_open(stack: RunningStack) -> None:
    base = stack.action_server_url.rsplit("/", 1)[0]
    assert httpx.get(f"{base}/health", timeout=10).json() == {"status": "ok"}
    assert httpx.get(f"{base}/actions", timeout=10).status_code in (401, 403)
    assert httpx.post(f"{base}/health", timeout=10).status_code in (401, 403, 405)


def test_rasa_still_reaches_the_actions(stack: RunningStack, victim: tuple[str, str]) -> None:
    # Rasa sends the secret from its endpoints file: a conversation turn runs custom actions
    # (action_session_start, then action_check_status for the applicant's own status).
    sender, number = victim
    rasa = RasaApi(stack)
    replies = rasa.send(sender, "/check_status")
    assert number in " ".join(reply.get("text", "") for reply in replies)
    executed = [event.get("name") for event in rasa.tracker(sender)["events"]
                if event.get("event") == "action"]
    assert "action_session_start" in executed and "action_check_status" in executed


def process_group(leader: ManagedProcess) -> list[int]:
    """Pids of the process group of a ManagedProcess (its children, Sanic workers included)."""
    assert leader.process is not None
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the ")".
        if int(stat.rsplit(")", 1)[1].split()[2]) == leader.process.pid:
            pids.append(int(entry.name))
    return pids


@pytest.fixture
def agency_api(stack: RunningStack, tmp_path: Path) -> Iterator[tuple[ManagedProcess, int]]:
    """The agency API as make run starts it, on a free port."""
    port = free_port()
    process = agency_api_process(env=dict(stack.env, AGENCY_API_PORT=str(port)), log_dir=tmp_path)
    process.start()
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/docs", process, timeout=60)
        yield process, port
    finally:
        process.stop()


def test_no_process_has_a_secret_in_its_command_line(
    stack: RunningStack, agency_api: tuple[ManagedProcess, int]
) -> None:
    secrets = [stack.env["RASA_AUTH_TOKEN"], stack.env["ACTION_SERVER_SECRET"]]
    processes = [stack.rasa, stack.actions, agency_api[0]]
    checked = 0
    for process in processes:
        for pid in process_group(process):
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            checked += 1
            for secret in secrets:
                assert secret not in argv, f"{process.name} (pid {pid}) has a secret in its argv"
    assert checked >= len(processes)


def listening_addresses(pids: list[int]) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state that these processes hold."""
    inodes = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in fd_dir.iterdir() if fd_dir.exists() else ():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            assert len(address) == width
            if width == 8:  # little-endian IPv4
                text = socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1])
            else:  # four little-endian 32-bit words
                words = bytes.fromhex(address)
                raw = b"".join(words[i:i + 4][::-1] for i in range(0, 16, 4))
                text = socket.inet_ntop(socket.AF_INET6, raw)
            found.add((text, int(port, 16)))
    return found


def non_loopback_address() -> str | None:
    """This machine's address on its default route, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_every_server_listens_on_loopback_only(
    stack: RunningStack, agency_api: tuple[ManagedProcess, int]
) -> None:
    rasa_port = httpx.URL(stack.rasa_url).port
    action_port = httpx.URL(stack.action_server_url).port
    servers = [(stack.rasa, rasa_port), (stack.actions, action_port),
               (agency_api[0], agency_api[1])]
    for process, port in servers:
        addresses = listening_addresses(process_group(process))
        assert (("127.0.0.1", port) in addresses), (process.name, addresses)
        assert all(address == "127.0.0.1" for address, _ in addresses), (process.name, addresses)
    outside = non_loopback_address()
    if outside is None:
        return
    for _process, port in servers:
        with pytest.raises(OSError), socket.create_connection((outside, port), timeout=3):
            pass


def status_line_of_raw_post(url: str, declared_length: int, chunks: int, header: str = "") -> bytes:
    """POST a body by hand that keeps coming after a refusal; the status line answered."""
    target = httpx.URL(url)
    head = (f"POST {target.raw_path.decode()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"{header}Content-Length: {declared_length}\r\n\r\n")
    with socket.create_connection((target.host, target.port), timeout=60) as sock:
        sock.sendall(head.encode("ascii"))
        try:
            for _ in range(chunks):
                sock.sendall(b"x" * 65536)
        except OSError:
            pass  # answered and closed, as it should
        return sock.recv(4096).split(b"\r\n", 1)[0]


@pytest.mark.parametrize("server", ["action server", "rasa"])
def test_a_huge_body_is_refused_by_size_before_it_is_read(stack: RunningStack, server: str) -> None:
    # Sanic's default limit is 100 MB. Rasa reads a body before its channel checks the token;
    # the action server refuses a stranger before reading (401), so it is sent the secret here.
    if server == "action server":
        url, header = stack.action_server_url, f"{ACTION_SECRET_HEADER}: {stack.env['ACTION_SERVER_SECRET']}\r\n"
    else:
        url, header = stack.rasa_url + "/webhooks/rest/webhook", ""
    assert b" 413 " in status_line_of_raw_post(url, 64 << 20, chunks=16, header=header)


def test_a_strangers_huge_body_is_refused_before_it_is_read(stack: RunningStack) -> None:
    assert b" 401 " in status_line_of_raw_post(stack.action_server_url, 64 << 20, chunks=16)
