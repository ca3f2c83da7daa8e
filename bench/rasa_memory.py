"""What a Rasa process holds: resident memory after each stage of loading and serving a model.

    cd nlu && PYTHONPATH=. ../.venvs/rasa/bin/python ../bench/rasa_memory.py MODEL.tar.gz OUT.json

Runs in Rasa's environment (``make bench-rasa-memory``); imports nothing from the project
but Rasa's own components. Stages, each measured as the process's resident set (RSS):
the interpreter; TensorFlow imported (its runtime); Rasa imported; the model loaded
(graph, DIET/TED weights, the spaCy pipeline); the model warmed (the first predictions
build TensorFlow's graphs); and 200 turns of 20 conversations kept in Rasa's in-memory
tracker store (what serving adds). Environment variables given on the command line
(``MALLOC_ARENA_MAX``, ``TF_*_PARALLELISM_THREADS``) apply, so settings can be compared.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

# Questions answered by responses alone: no action server is needed here.
MESSAGES = ["도움말", "지원고용이 뭐예요?", "상담사 연결해 주세요", "근로지원인은 뭐예요?", "고마워요",
            "너 로봇이야?", "보조공학기기 지원 받을 수 있어요?", "다시 말해 주세요"]


def rss_mb() -> float:
    """This process's resident set size in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(model: str, out: str) -> None:
    stages: list[tuple[str, float, float]] = []

    def mark(stage: str) -> None:
        stages.append((stage, round(rss_mb(), 1), round(time.process_time(), 2)))

    mark("interpreter")
    import tensorflow  # noqa: F401

    mark("TensorFlow imported")
    import logging

    from rasa.core.agent import Agent
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.utils.log_utils import configure_structlog
    from rasa.utils.tensorflow.environment import setup_tf_environment

    setup_tf_environment()  # as `rasa run` does: TF_INTER/INTRA_OP_PARALLELISM_THREADS apply

    logging.basicConfig(level=logging.ERROR)
    configure_structlog(logging.WARNING)
    mark("Rasa imported")
    agent = Agent.load(model)
    agent.tracker_store = InMemoryTrackerStore(agent.domain)
    agent.processor.tracker_store = agent.tracker_store
    mark("model loaded")
    loop = asyncio.new_event_loop()
    loop.run_until_complete(agent.handle_text("안녕하세요", sender_id="warm-up"))
    mark("first turn (graphs built)")
    for turn in range(200):
        loop.run_until_complete(agent.handle_text(MESSAGES[turn % len(MESSAGES)], sender_id=f"c{turn % 20}"))
    mark("200 turns, 20 conversations")
    settings = {k: v for k, v in os.environ.items() if k.startswith(("MALLOC_", "TF_INTER", "TF_INTRA", "OMP_"))}
    rows = [{"stage": s, "rss_mb": r, "cpu_s": t} for s, r, t in stages]
    Path(out).write_text(json.dumps({"model": model, "settings": settings, "stages": rows}, indent=2))
    width = max(len(s) for s, _, _ in stages)
    print(f"{'stage':<{width}}  {'RSS MB':>7}  {'added':>7}  {'CPU s':>6}")
    previous, previous_cpu = 0.0, 0.0
    for stage, rss, cpu in stages:
        print(f"{stage:<{width}}  {rss:>7.0f}  {rss - previous:>+7.0f}  {cpu - previous_cpu:>6.2f}")
        previous, previous_cpu = rss, cpu
    if settings:
        print("settings:", " ".join(f"{k}={v}" for k, v in sorted(settings.items())))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
