"""Keep ``make run``'s processes running, and stop all of them on the way out.

A child that exits on its own is cleaned up as a whole process group (workers it left hold
its port) and started again after a back-off that doubles up to a cap. Ctrl-C, SIGTERM
(``make`` forwards it) and SIGHUP stop every child. A pid file under var/ names the
supervisor and its children's process groups, so the next run can find what a killed
supervisor left behind (``tools/leftovers.py``).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from ieomoa.config import PROJECT_ROOT
from tools.process_groups import DEFAULT_GRACE, ManagedProcess


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a child that crashed ``crashes`` times in a row."""

    first: float = 1.0
    cap: float = 30.0
    # A child that ran at least this long before it crashed starts again from ``first``.
    stable_after: float = 60.0

    def delay(self, crashes: int) -> float:
        """``first``, doubling with each crash in a row, never more than ``cap``."""
        return min(self.cap, self.first * 2 ** max(0, crashes - 1))


class PidFile:
    """The supervisor's process and its children's process groups, as JSON."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, children: dict[str, int]) -> None:
        """Record this process as the supervisor, and each child's process group."""
        me = psutil.Process()
        record = {
            "supervisor": {"pid": me.pid, "started": me.create_time()},
            "root": str(PROJECT_ROOT),
            "children": children,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
        os.replace(partial, self.path)

    def read(self) -> dict[str, Any] | None:
        """The record, or None when there is none (or it cannot be read)."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def remove(self) -> None:
        """Forget the record (a clean stop)."""
        self.path.unlink(missing_ok=True)


def report_to_stderr(line: str) -> None:
    """Where the supervisor says what it does by default."""
    print(f"[make run] {line}", file=sys.stderr, flush=True)


class Supervisor:
    """Starts children, restarts the ones that crash, and stops them all."""

    def __init__(
        self, *, pid_file: PidFile | None = None, backoff: Backoff = Backoff(),
        grace: float = DEFAULT_GRACE, report: Callable[[str], None] = report_to_stderr,
    ) -> None:
        self.pid_file = pid_file
        self.backoff = backoff
        self.grace = grace
        self.report = report
        self.restarts: dict[str, int] = {}
        self._processes: list[ManagedProcess] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def start(self, process: ManagedProcess) -> None:
        """Start a child and keep it running until ``stop``."""
        with self._lock, _interrupts_deferred():
            if self._stopping.is_set():
                raise RuntimeError("the supervisor is stopping")
            process.start()
            self._processes.append(process)
            self.restarts.setdefault(process.name, 0)
            self._record()
        threading.Thread(target=self._watch, args=(process,), name=f"watch-{process.name}", daemon=True).start()

    def _record(self) -> None:
        if self.pid_file is not None:
            self.pid_file.write({p.name: p.pgid for p in self._processes if p.pgid is not None})

    def _watch(self, process: ManagedProcess) -> None:
        crashes = 0
        while True:
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            crashes = 1 if time.monotonic() - started >= self.backoff.stable_after else crashes + 1
            # What it left behind (a server's workers keep its port) goes before the restart.
            process.stop(self.grace)
            delay = self.backoff.delay(crashes)
            self.report(f"{process.name} stopped (exit code {code}); starting it again in {delay:.0f} s. "
                        f"Its log: {process.log_path}")
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                try:
                    process.start()
                except OSError as error:  # counted as one more crash on the next turn
                    self.report(f"{process.name} could not be started again: {error}")
                    continue
                self.restarts[process.name] += 1
                self._record()

    def stop(self) -> None:
        """Stop every child's whole process group, the last started first; forget the pid file."""
        self._stopping.set()
        with self._lock:  # no restart is half done after this
            processes = list(reversed(self._processes))
        for process in processes:
            process.stop(self.grace)
        if self.pid_file is not None:
            self.pid_file.remove()


_deferring = False  # the main thread is starting a child: an interrupt waits until it is recorded
_deferred = False


def _interrupt(signum: int, frame: object) -> None:
    global _deferred
    if _deferring:
        _deferred = True
        return
    raise KeyboardInterrupt


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while a child starts, so no child escapes the records.

    Raised in the middle of ``Popen``, the interrupt would leave a running child that
    ``stop`` does not know. Only the main thread is concerned: signals are handled there.
    """
    global _deferring, _deferred
    if threading.current_thread() is not threading.main_thread() or _deferring:
        yield
        return
    _deferring = True
    try:
        yield
    finally:
        _deferring = False
        if _deferred:
            _deferred = False
            raise KeyboardInterrupt


def run_supervised(supervisor: Supervisor, body: Callable[[], None]) -> None:
    """Run ``body`` in the main thread; when it ends, or on Ctrl-C, SIGTERM or SIGHUP, stop every child."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        body()
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave children running.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        supervisor.stop()


def wait_forever() -> None:
    """Block until a signal interrupts (see ``run_supervised``)."""
    while True:
        time.sleep(3600)
