"""``make bench-load``: N simulated applicants at once through the real bot, beside Rasa alone.

For each number of Rasa replicas (one; two behind HAProxy) and each N, N applicants fill the
whole application at once through the real bot over the Bot API stand-in, on PostgreSQL,
with 0.5–3 s pauses, some typing instead of tapping and some with voice notes
(bench/support/applicants.py). Then the same conversations go straight to Rasa's REST channel:
the floor. Reported per run: time from an update offered to the bot to its first reply (p50,
p95, p99), completed applications, errors, the bot's p95 over the floor's, CPU seconds per
turn and the largest resident memory of each process. Written to bench/results/ as JSON, a
table (load-latest.txt) and a plot of p95 against N (PNG, drawn with the matplotlib of Rasa's
environment, so the app environment needs no plotting library).

    python -m bench.load [--applicants 1,10,50,100] [--replicas 1,2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench.support.applicants import (
    Applicant,
    applicants,
    rasa_client,
    run_all,
    through_bot,
    through_rasa,
)
from bench.support.bot import start_bot
from bench.support.postgres import scratch_database
from bench.support.replicas import RasaReplicas, start_rasa_replicas
from bench.support.telegram_standin import TelegramStandIn
from ieomoa.config import PROJECT_ROOT
from tools.process_groups import ManagedProcess, group_members

RESULTS_DIR = Path(__file__).parent / "results"
RASA_PYTHON = PROJECT_ROOT / ".venvs" / "rasa" / "bin" / "python"


def percentile(values: list[float], q: float) -> float:
    """q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class ProcessWatch:
    """CPU seconds and the largest resident memory of each process group, while a run lasts."""

    def __init__(self, processes: list[ManagedProcess]) -> None:
        self._processes = processes
        self._peak_rss: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _members(self, process: ManagedProcess) -> list[psutil.Process]:
        return group_members(process.pgid) if process.pgid else []

    def cpu_seconds(self) -> dict[str, float]:
        totals = {}
        for process in self._processes:
            total = 0.0
            for member in self._members(process):
                try:
                    times = member.cpu_times()
                    total += times.user + times.system
                except psutil.Error:
                    continue
            totals[process.name] = total
        return totals

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            for process in self._processes:
                rss = 0
                for member in self._members(process):
                    try:
                        rss += member.memory_info().rss
                    except psutil.Error:
                        continue
                self._peak_rss[process.name] = max(self._peak_rss.get(process.name, 0), rss)

    def __enter__(self) -> ProcessWatch:
        self._peak_rss = {}
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def peak_rss_mb(self) -> dict[str, float]:
        return {name: round(rss / 2**20) for name, rss in self._peak_rss.items()}


def measure(path: str, people: list[Applicant], drive: Any, watch: ProcessWatch) -> dict[str, Any]:
    """Run every applicant at once; one row of the table."""
    before = watch.cpu_seconds()
    with watch:
        seconds = run_all(people, drive)
    after = watch.cpu_seconds()
    latencies = [s for person in people for s in person.first_reply_s]
    turns = max(1, len(latencies))
    return {
        "path": path,
        "applicants": len(people),
        "turns": len(latencies),
        "seconds": round(seconds, 1),
        "p50_s": round(percentile(latencies, 50), 3),
        "p95_s": round(percentile(latencies, 95), 3),
        "p99_s": round(percentile(latencies, 99), 3),
        "max_s": round(max(latencies, default=float("nan")), 3),
        "completed": sum(person.completed for person in people),
        "errors": sum(person.error is not None for person in people),
        "error_kinds": sorted({person.error.split(":")[0] for person in people if person.error}),
        "cpu_s_per_turn": {name: round((after[name] - before.get(name, 0.0)) / turns, 4) for name in after},
        "peak_rss_mb": watch.peak_rss_mb(),
    }


def warm_up(stack: RasaReplicas) -> None:
    """A few messages to each replica: its first ones load what it loads lazily, and would count."""
    for number, url in enumerate(stack.replica_urls):
        with rasa_client(url, stack.env["RASA_AUTH_TOKEN"]) as client:
            for text in ("안녕하세요", "도움말", "구직 신청하고 싶어요", "네", "그만할래요"):
                client.post("/webhooks/rest/webhook", json={"sender": f"warm-up-{number}", "message": text})


def run_replicas(count: int, sizes: list[int], work: Path) -> list[dict[str, Any]]:
    """Every N on one stack of ``count`` Rasa replicas; the bot's rows and the floor's."""
    rows = []
    with scratch_database() as url:
        stack: RasaReplicas = start_rasa_replicas(url, work, count=count, balancer=count > 1)
        telegram = TelegramStandIn().start()
        try:
            warm_up(stack)
            bot = start_bot(telegram, stack.env, work / "log")
            stack.processes.append(bot)  # stopped with the stack
            watch = ProcessWatch(stack.processes)
            for index, n in enumerate(sizes):
                base = 10**8 + count * 10**7 + index * 10**6
                bot_row = measure("bot", applicants(n, base), lambda p: through_bot(telegram, p), watch)
                with rasa_client(stack.rasa_url, stack.env["RASA_AUTH_TOKEN"]) as client:
                    floor_row = measure("rasa", applicants(n, base + 500_000),
                                        lambda p: through_rasa(client, p, f"floor{count}"), watch)
                for row in (bot_row, floor_row):
                    row["replicas"] = count
                floor_p95 = floor_row["p95_s"]
                bot_row["p95_over_floor"] = round(bot_row["p95_s"] / floor_p95, 2) if floor_p95 else None
                rows += [bot_row, floor_row]
                print(table([bot_row, floor_row], header=index == 0 and count == 1), flush=True)
        finally:
            telegram.stop()
            stack.stop()
    return rows


def table(rows: list[dict[str, Any]], header: bool = True) -> str:
    """The rows as text: latency in seconds, CPU in seconds per turn, memory in MB."""
    lines = []
    if header:
        lines += [f"{'replicas':>8} {'N':>4} {'path':<5} {'turns':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'done':>5} "
                  f"{'errors':>6} {'bot/rasa p95':>12}  cpu s/turn · peak RSS MB"]
    for r in rows:
        cpu = ", ".join(f"{name} {r['cpu_s_per_turn'][name]:.3f}·{r['peak_rss_mb'].get(name, 0):.0f}"
                        for name in r["cpu_s_per_turn"])
        ratio = r.get("p95_over_floor")
        lines.append(f"{r['replicas']:>8} {r['applicants']:>4} {r['path']:<5} {r['turns']:>5} {r['p50_s']:>6.2f} "
                     f"{r['p95_s']:>6.2f} {r['p99_s']:>6.2f} {r['completed']:>2}/{r['applicants']:<2} {r['errors']:>6} "
                     f"{'' if ratio is None else ratio:>12}  {cpu}")
    return "\n".join(lines)


def plot(result_file: Path, png: Path) -> bool:
    """p95 against N per path and replica count, drawn by bench/plot_load.py in Rasa's environment."""
    if not RASA_PYTHON.exists():
        return False
    script = Path(__file__).with_name("plot_load.py")
    done = subprocess.run([str(RASA_PYTHON), str(script), str(result_file), str(png)],
                          capture_output=True, text=True, timeout=300)
    return done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applicants", default="1,10,50,100", help="comma-separated N")
    parser.add_argument("--replicas", default="1,2", help="comma-separated Rasa replica counts")
    args = parser.parse_args()
    # A SIGTERM (kill, a CI timeout) unwinds like Ctrl-C, so every server it started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(n) for n in args.applicants.split(",")]
    rows = []
    for count in (int(r) for r in args.replicas.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            rows += run_replicas(count, sizes, Path(tmp))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {"at": stamp, "machine": f"{platform.platform()}, {os.cpu_count()} CPUs, "
                                      f"{round(psutil.virtual_memory().total / 2**30)} GiB", "rows": rows}
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"load-{stamp}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    (RESULTS_DIR / "load-latest.txt").write_text(f"{result['machine']}\n{table(rows)}\n")
    png = RESULTS_DIR / f"load-{stamp}.png"
    print(f"Results written to {out}" + (f" and {png}" if plot(out, png) else " (no plot: Rasa's environment is missing)"))


if __name__ == "__main__":
    main()
