"""Before ``make run`` starts: what an earlier run of this checkout left behind is stopped.

Two kinds of leftovers are stopped, and only processes whose program belongs to this
checkout (``belongs_to_checkout``): the process groups an earlier supervisor recorded in its
pid file (it was killed before it could stop them), and processes listening on one of our
ports whose process group lost its main process (a server's worker that outlived it, like
Sanic's on 5055 after the action server was killed). Anything else on a port we need, a
program of another project or a server of ours that someone started by hand, is named in a
kind message and left alone.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import psutil

from ieomoa.config import PROJECT_ROOT
from tools.process_groups import (
    DEFAULT_GRACE,
    belongs_to_checkout,
    group_members,
    pid_running,
    running,
    terminate,
)
from tools.supervisor import PidFile


def port_is_free(host: str, port: int) -> bool:
    """True when a server could listen on ``host:port`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _listens_on(process: psutil.Process, port: int) -> bool:
    try:
        return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
                   for c in process.net_connections(kind="tcp"))
    except psutil.Error:
        return False


def _ours(root: Path) -> list[psutil.Process]:
    """Running processes of this checkout, other than this one."""
    me = os.getpid()
    return [p for p in psutil.process_iter() if p.pid != me and running(p) and belongs_to_checkout(p, root)]


def _orphaned(process: psutil.Process) -> bool:
    """True when the main process of its process group is gone (a worker left behind)."""
    try:
        return not pid_running(os.getpgid(process.pid))
    except ProcessLookupError:
        return False


def _describe(process: psutil.Process) -> str:
    try:
        command = process.cmdline()
        shown = " ".join([os.path.basename(command[0]), *command[1:4]]) if command else process.name()
    except psutil.Error:
        shown = "?"
    return f"process {process.pid}: {shown}"


def _holder(port: int) -> str:
    """Who listens on a port, as far as we may see."""
    try:
        for connection in psutil.net_connections(kind="tcp"):
            # laddr is an empty tuple when a socket has no local address.
            if (connection.status == psutil.CONN_LISTEN and connection.laddr
                    and connection.laddr.port == port and connection.pid):
                return psutil.Process(connection.pid).name() + f" (process {connection.pid})"
    except psutil.Error:
        pass
    return "another program"


def _another_supervisor(record: dict, root: Path) -> int | None:
    """The pid of a live supervisor of this checkout named by the record, if any."""
    supervisor = record.get("supervisor") or {}
    pid = supervisor.get("pid")
    if not isinstance(pid, int) or pid == os.getpid():
        return None
    try:
        process = psutil.Process(pid)
        same = abs(process.create_time() - float(supervisor.get("started") or 0)) < 1.0
        return pid if same and running(process) and belongs_to_checkout(process, root) else None
    except (psutil.Error, ValueError, TypeError):
        return None


def clear_leftovers(
    pid_file: PidFile, ports: dict[int, str], *, host: str = "127.0.0.1", root: Path = PROJECT_ROOT,
    grace: float = DEFAULT_GRACE,
) -> list[str]:
    """Stop what an earlier run left; what was done, one line each.

    ``ports`` maps each port the run will listen on to what listens there. Raises SystemExit
    with a kind message when another run is active or a port is taken by something else.
    """
    notes: list[str] = []
    record = pid_file.read()
    if record is not None:
        running_supervisor = _another_supervisor(record, root)
        if running_supervisor is not None:
            raise SystemExit(
                f"make run is already running in this folder (process {running_supervisor}). "
                f"Stop it first (Ctrl-C in its terminal, or: kill {running_supervisor}), then start it again."
            )
        children = record.get("children") or {}
        for name, pgid in children.items() if isinstance(children, dict) else ():
            if not isinstance(pgid, int):
                continue
            left = [p for p in group_members(pgid) if belongs_to_checkout(p, root)]
            if left:
                terminate(left, grace)
                notes.append(f"Stopped {len(left)} process(es) of {name} that an earlier run left behind.")
        pid_file.remove()
    for port, purpose in ports.items():
        if port_is_free(host, port):
            continue
        holders = [p for p in _ours(root) if _listens_on(p, port)]
        stale = [p for p in holders if _orphaned(p)]
        if stale:
            terminate(stale, grace)
            notes.append(f"Port {port} ({purpose}) was held by {len(stale)} process(es) an earlier run "
                         "left behind; stopped them.")
        if port_is_free(host, port):
            continue
        live = [p for p in holders if running(p)]
        if live:
            raise SystemExit(
                f"Port {port} ({purpose}) is in use by a program of this project that is still running "
                f"({_describe(live[0])}). Stop it, then start make run again."
            )
        raise SystemExit(
            f"Port {port} ({purpose}) is in use by {_holder(port)}, which is not part of this project, "
            "so it was left alone. Stop it, or give us another port (see .env.example), then start again."
        )
    return notes
