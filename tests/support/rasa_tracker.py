"""Rasa's own tracker store code, run in Rasa's environment, for tests of the stored events.

``python tests/support/rasa_tracker.py save|read '<tracker_store config as JSON>' <sender> [text]``
builds the tracker store exactly as Rasa does from endpoints.yml (``TrackerStore.create``),
then saves a tracker with one user message, or prints the texts of the user messages it
reads back, as JSON. Run through ``run_tracker_store`` from the app's tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venvs" / "rasa" / "bin" / "python"


def run_tracker_store(command: str, config: dict, sender: str, *args: str, secret: str) -> list[str]:
    """Run this file in Rasa's environment with IEOMOA_SECRET_KEY=``secret``; the texts read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IEOMOA_SECRET_KEY")}
    env.update(IEOMOA_SECRET_KEY=secret, PYTHONPATH=str(ROOT / "nlu"), RASA_TELEMETRY_ENABLED="false")
    result = subprocess.run(
        [str(RASA_PYTHON), __file__, command, json.dumps(config), sender, *args],
        env=env, capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"tracker store {command} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


async def _main(command: str, config: dict, sender: str, text: str | None) -> list[str]:
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    store = TrackerStore.create(EndpointConfig.from_dict(config), Domain.empty())
    if command == "save":
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, slots=[])
        tracker.update(UserUttered(text))
        await store.save(tracker)
        return []
    tracker = await store.retrieve(sender)
    return [] if tracker is None else [e.text for e in tracker.events if isinstance(e, UserUttered)]


if __name__ == "__main__":
    import asyncio
    import logging

    logging.disable(logging.CRITICAL)
    texts = asyncio.run(_main(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3],
                              sys.argv[4] if len(sys.argv) > 4 else None))
    print(json.dumps(texts, ensure_ascii=False))
