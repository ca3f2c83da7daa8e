"""Child processes in their own process groups, and stopping a whole group for sure.

A server may leave workers behind when its main process dies (Sanic's worker kept the action
server's port after a ``kill -9``), so a child is always stopped as a group: SIGTERM to every
member, SIGKILL to what is left after a grace period. Zombies do not count as alive: on some
machines nothing reaps orphans, and a zombie holds no port.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO

import psutil

from ieomoa.config import PROJECT_ROOT

DEFAULT_GRACE = 10.0  # seconds a group gets to exit after SIGTERM before SIGKILL
_POLL = 0.05


def running(process: psutil.Process) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def pid_running(pid: int) -> bool:
    """True while a process with this id exists and is not a zombie."""
    try:
        return running(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return False


def group_members(pgid: int) -> list[psutil.Process]:
    """Running (non-zombie) processes of a process group."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return []
    except PermissionError:
        pass  # someone else's process in it: list what we can see
    members = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid and running(process):
                members.append(process)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def _wait_gone(check: Callable[[], list[psutil.Process]], deadline: float) -> bool:
    """Poll ``check`` until it finds nothing; False if it still does at the deadline."""
    while check():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)
    return True


def terminate_group(pgid: int, grace: float = DEFAULT_GRACE) -> None:
    """SIGTERM a process group, SIGKILL whatever still runs after ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        if _wait_gone(lambda: group_members(pgid), time.monotonic() + wait):
            return


def still_running(processes: Iterable[psutil.Process]) -> list[psutil.Process]:
    """Those of ``processes`` that have not exited."""
    return [p for p in processes if running(p)]


def terminate(processes: Iterable[psutil.Process], grace: float = DEFAULT_GRACE) -> None:
    """SIGTERM these processes, SIGKILL those still running after ``grace`` seconds."""
    remaining = list(processes)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        for process in remaining:
            try:
                process.send_signal(sig)
            except psutil.Error:
                pass
        if _wait_gone(partial(still_running, remaining), time.monotonic() + wait):
            return
        remaining = still_running(remaining)


def belongs_to_checkout(process: psutil.Process, root: Path = PROJECT_ROOT) -> bool:
    """True when the process runs a program of this checkout (one of its virtual environments).

    Only the command line's program counts (not its cwd or other arguments), so an editor
    with a file of the project open, or another checkout's stack, is never taken for ours.
    """
    try:
        command = process.cmdline()
        program = command[0] if command else ""
        if program and not os.path.isabs(program):
            program = os.path.join(process.cwd(), program)
    except psutil.Error:
        return False
    if not program:
        return False
    return os.path.abspath(program).startswith(str(root.resolve()) + os.sep)


@dataclass
class ManagedProcess:
    """A child process in its own process group, its output sent to a log and maybe echoed."""

    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    echo: IO[str] | None = None
    process: subprocess.Popen[str] | None = field(default=None, init=False)
    # Set once the group is known to be gone: its id may then be reused by someone else's
    # group, which a second stop() must never signal.
    _group_gone: bool = field(default=False, init=False, repr=False)

    def start(self) -> None:
        """Start the process (a new session, so a new process group) and a thread copying its output."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._group_gone = False
        threading.Thread(target=self._copy_output, args=(self.process,), daemon=True).start()

    def _copy_output(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with self.log_path.open("a", encoding="utf-8") as log:
            for line in process.stdout:
                log.write(line)
                log.flush()
                if self.echo is not None:
                    self.echo.write(f"[{self.name}] {line}")
                    self.echo.flush()

    @property
    def pgid(self) -> int | None:
        """The process group: the first process's id (start_new_session)."""
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        """True while the main process runs."""
        return self.process is not None and self.process.poll() is None

    def wait(self) -> int:
        """Block until the main process exits; its exit code."""
        assert self.process is not None
        return self.process.wait()

    def stop(self, timeout: float = DEFAULT_GRACE) -> None:
        """Stop the whole process group (even when the main process already died) and reap it."""
        if self.process is None or self._group_gone:
            return
        terminate_group(self.process.pid, timeout)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return
        self._group_gone = not group_members(self.process.pid)
