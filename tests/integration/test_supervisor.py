"""``make run``'s supervisor with small fake children: restarts, whole-group stops, leftovers.

The children are ``python -c`` scripts run by this checkout's interpreter, so they count as
processes of this project; a "foreign" program runs the same interpreter through its real
path outside the checkout. Nothing waits for a length of time: every wait is for a
condition, with a timeout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from ieomoa.config import PROJECT_ROOT
from tests.support.stack import free_port
from tools.leftovers import clear_leftovers, port_is_free
from tools.process_groups import ManagedProcess, pid_running
from tools.supervisor import Backoff, PidFile, Supervisor

# Listens on 127.0.0.1:<argv[1]>, says so, and stays.
LISTENER = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
    "print('listening', flush=True)\n"
    "time.sleep(600)\n"
)
# Starts LISTENER as its own child (same process group, like a server's worker) and waits
# until it listens. Then exits if argv[2] says so, or stays.
SERVER_WITH_WORKER = (
    "import socket, subprocess, sys, time\n"
    "port = int(sys.argv[1])\n"
    f"worker = subprocess.Popen([sys.executable, '-c', {LISTENER!r}, str(port)], stdout=subprocess.PIPE)\n"
    "worker.stdout.readline()\n"
    "print(worker.pid, flush=True)\n"
    "if sys.argv[2] == 'exit': sys.exit(1)\n"
    "time.sleep(600)\n"
)


def wait_until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Block until ``condition()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition never became true")
        time.sleep(0.02)


def fake_child(name: str, code: str, work: Path, *args: str) -> ManagedProcess:
    """A child of the supervisor running ``code`` with this checkout's interpreter."""
    return ManagedProcess(name, [sys.executable, "-c", code, *args], dict(os.environ), work, work / f"{name}.log")


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts by hand; whatever still runs is killed afterwards."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the group is its pid
        except ProcessLookupError:
            pass
        process.wait()


def start_by_hand(spawned: list, code: str, *args: str, python: str = sys.executable) -> tuple[subprocess.Popen[str], int]:
    """A process in its own session, as an earlier run or another program left it; and the pid it printed."""
    process = subprocess.Popen([python, "-c", code, *args], stdout=subprocess.PIPE, text=True,
                               start_new_session=True, cwd=PROJECT_ROOT)
    spawned.append(process)
    line = process.stdout.readline().strip()  # type: ignore[union-attr]
    return process, int(line) if line.isdigit() else process.pid


def test_back_off_doubles_up_to_its_cap() -> None:
    assert [Backoff(first=1, cap=30).delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_crashed_child_is_started_again_and_a_steady_one_is_left_alone(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    reports: list[str] = []
    supervisor = Supervisor(backoff=Backoff(first=0.01, cap=0.05), grace=2, report=reports.append)
    supervisor.start(fake_child("crasher", f"open({str(runs)!r}, 'a').write('run\\n'); raise SystemExit(3)", tmp_path))
    supervisor.start(fake_child("steady", "import time; time.sleep(600)", tmp_path))
    try:
        wait_until(lambda: runs.exists() and runs.read_text().count("run") >= 4)
    finally:
        supervisor.stop()
    assert supervisor.restarts["crasher"] >= 3
    assert supervisor.restarts["steady"] == 0
    assert "crasher stopped (exit code 3)" in reports[0] and "crasher.log" in reports[0]


def test_a_crash_takes_its_workers_down_so_the_restart_gets_the_port(tmp_path: Path) -> None:
    port = free_port()
    marks = tmp_path / "marks"
    # First run: a worker takes the port and the main process dies (the action server's
    # Sanic worker after a kill). Second run: the main process listens on the port itself.
    code = (
        "import pathlib, socket, subprocess, sys, time\n"
        f"marks = pathlib.Path({str(marks)!r}); port = {port}\n"
        "if not marks.exists():\n"
        f"    worker = subprocess.Popen([sys.executable, '-c', {LISTENER!r}, str(port)], stdout=subprocess.PIPE)\n"
        "    worker.stdout.readline()\n"
        "    marks.write_text(f'worker {worker.pid}\\n')\n"
        "    sys.exit(1)\n"
        "s = socket.socket(); s.bind(('127.0.0.1', port)); s.listen()\n"
        "with marks.open('a') as f: f.write('bound\\n')\n"
        "time.sleep(600)\n"
    )
    supervisor = Supervisor(backoff=Backoff(first=0.01), grace=2, report=lambda line: None)
    supervisor.start(fake_child("server", code, tmp_path))
    try:
        wait_until(lambda: marks.exists() and "bound" in marks.read_text())
        worker = int(marks.read_text().split()[1])
        assert not pid_running(worker)
        assert supervisor.restarts["server"] == 1
    finally:
        supervisor.stop()


def test_stop_leaves_no_process_of_any_group_alive(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    # A main process and its child that both ignore SIGTERM: only SIGKILL after the grace ends them.
    stubborn = (
        "import os, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'])\n"
        f"open({str(pids)!r} + '-' + sys.argv[1], 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
        "time.sleep(600)\n"
    )
    pid_file = PidFile(tmp_path / "stack.pid")
    supervisor = Supervisor(pid_file=pid_file, grace=0.5, report=lambda line: None)
    for name in ("a", "b"):
        supervisor.start(fake_child(name, stubborn, tmp_path, name))
    wait_until(lambda: all(Path(f"{pids}-{name}").exists() for name in ("a", "b")))
    started = [int(pid) for name in ("a", "b") for pid in Path(f"{pids}-{name}").read_text().split()]
    assert set(json.loads(pid_file.path.read_text())["children"]) == {"a", "b"}
    supervisor.stop()
    assert not [pid for pid in started if pid_running(pid)]
    assert not pid_file.path.exists()


SUPERVISOR_SCRIPT = """
import pathlib, sys
from tools.process_groups import ManagedProcess
from tools.supervisor import PidFile, Supervisor, run_supervised, wait_forever
work = pathlib.Path(sys.argv[1])
child = ("import os, subprocess, sys, time\\n"
         "grandchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\\n"
         "open(sys.argv[1], 'w').write(f'{os.getpid()} {grandchild.pid}')\\n"
         "time.sleep(600)\\n")
supervisor = Supervisor(pid_file=PidFile(work / 'stack.pid'), grace=2)
def run():
    for name in ('one', 'two'):
        supervisor.start(ManagedProcess(name, [sys.executable, '-c', child, str(work / f'pids-{name}')],
                                        dict(), work, work / f'{name}.log'))
    wait_forever()
run_supervised(supervisor, run)
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_of_the_supervisor_leaves_no_child_alive(tmp_path: Path, sig: signal.Signals) -> None:
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR_SCRIPT, str(tmp_path)], cwd=PROJECT_ROOT,
                                  stderr=subprocess.PIPE, text=True)
    children: list[int] = []
    try:
        pid_files = [tmp_path / "pids-one", tmp_path / "pids-two"]
        wait_until(lambda: all(p.exists() and p.read_text() for p in pid_files))
        children = [int(pid) for p in pid_files for pid in p.read_text().split()]
        assert all(pid_running(pid) for pid in children)
        supervisor.send_signal(sig)
        assert supervisor.wait(timeout=60) == 0, supervisor.stderr.read()  # type: ignore[union-attr]
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        left = [pid for pid in children if pid_running(pid)]
        for pid in left:  # only when the test fails: nothing may outlive it
            os.kill(pid, signal.SIGKILL)
    assert not left
    assert not (tmp_path / "stack.pid").exists()


def test_groups_an_earlier_run_recorded_are_stopped_before_start(tmp_path: Path, spawned: list) -> None:
    port = free_port()
    server, worker = start_by_hand(spawned, SERVER_WITH_WORKER, str(port), "stay")
    pid_file = PidFile(tmp_path / "stack.pid")
    # The supervisor that wrote this was killed (its pid no longer exists); its children run on.
    pid_file.path.write_text(json.dumps({"supervisor": {"pid": 2**22 + 1, "started": 0},
                                         "children": {"actions": server.pid}}))
    notes = clear_leftovers(pid_file, {port: "the action server"}, grace=2)
    assert notes == ["Stopped 2 process(es) of actions that an earlier run left behind."]
    assert not pid_running(server.pid) and not pid_running(worker)
    assert port_is_free("127.0.0.1", port) and not pid_file.path.exists()


def test_a_worker_left_on_our_port_is_stopped_before_start(tmp_path: Path, spawned: list) -> None:
    port = free_port()
    server, worker = start_by_hand(spawned, SERVER_WITH_WORKER, str(port), "exit")
    server.wait()  # the action server died; its worker still holds the port
    assert not port_is_free("127.0.0.1", port)
    notes = clear_leftovers(PidFile(tmp_path / "stack.pid"), {port: "the action server"}, grace=2)
    assert notes == [f"Port {port} (the action server) was held by 1 process(es) an earlier run left behind; "
                     "stopped them."]
    assert not pid_running(worker) and port_is_free("127.0.0.1", port)


def test_a_running_server_of_ours_started_by_hand_is_named_and_left_alone(tmp_path: Path, spawned: list) -> None:
    port = free_port()
    server, _ = start_by_hand(spawned, LISTENER, str(port))
    with pytest.raises(SystemExit, match=f"Port {port} \\(the Rasa server\\) is in use by a program of this "
                                         f"project that is still running \\(process {server.pid}"):
        clear_leftovers(PidFile(tmp_path / "stack.pid"), {port: "the Rasa server"}, grace=2)
    assert pid_running(server.pid)


def test_a_foreign_program_on_our_port_is_named_and_left_alone(tmp_path: Path, spawned: list) -> None:
    port = free_port()
    foreign_python = os.path.realpath(sys.executable)  # the same interpreter, outside this checkout
    assert not foreign_python.startswith(str(PROJECT_ROOT))
    program, _ = start_by_hand(spawned, LISTENER, str(port), python=foreign_python)
    with pytest.raises(SystemExit, match=f"Port {port} \\(the agency API\\) is in use by .*not part of this "
                                         "project, so it was left alone"):
        clear_leftovers(PidFile(tmp_path / "stack.pid"), {port: "the agency API"}, grace=2)
    assert pid_running(program.pid)


def test_a_second_run_is_refused_while_the_first_runs(tmp_path: Path, spawned: list) -> None:
    first, _ = start_by_hand(spawned, "print('up', flush=True); import time; time.sleep(600)")
    child, _ = start_by_hand(spawned, "print('up', flush=True); import time; time.sleep(600)")
    pid_file = PidFile(tmp_path / "stack.pid")
    pid_file.path.write_text(json.dumps({
        "supervisor": {"pid": first.pid, "started": psutil.Process(first.pid).create_time()},
        "children": {"rasa": child.pid},
    }))
    with pytest.raises(SystemExit, match=f"already running in this folder \\(process {first.pid}\\)"):
        clear_leftovers(pid_file, {}, grace=2)
    assert pid_running(child.pid) and pid_file.path.exists()


def test_make_run_names_a_foreign_program_on_its_port_and_starts_nothing(tmp_path: Path, spawned: list) -> None:
    port = free_port()
    start_by_hand(spawned, LISTENER, str(port), python=os.path.realpath(sys.executable))
    env = dict(os.environ, IEOMOA_VAR_DIR=str(tmp_path), ACTION_SERVER_URL=f"http://127.0.0.1:{port}/webhook",
               RASA_URL=f"http://127.0.0.1:{free_port()}", AGENCY_API_PORT=str(free_port()),
               IEOMOA_SECRET_KEY="unit-test-secret-0123456789abcdef")
    env.pop("TELEGRAM_BOT_TOKEN", None)
    result = subprocess.run([sys.executable, "-m", "tools.stack", "--terminal"], cwd=PROJECT_ROOT, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"Port {port} (the action server) is in use by" in result.stderr
    assert "left alone" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "log").exists()  # nothing was started
