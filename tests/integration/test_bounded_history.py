"""The tracker store's bounded history, in Rasa's own environment: what Rasa gets and what is stored.

Past COMPACT_ABOVE events Rasa gets the state at a quiet cut plus the recent events; a turn
saved on that tracker (or on a copy of it) must store exactly its new events, never drop or
repeat any, and a form active at the cut must keep the whole session.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from ieomoa.config import PROJECT_ROOT

SCRIPT = r'''
import asyncio, json, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from ieomoa_nlu.tracker_store import COMPACT_ABOVE, EncryptedSQLTrackerStore

domain = Domain.from_dict({"version": "3.1", "slots": {
    "turns": {"type": "any", "mappings": [{"type": "custom"}]},
    "easy_read": {"type": "bool", "initial_value": False, "mappings": [{"type": "custom"}]}}})

def turn(n):
    return [UserUttered(f"message {n}"), ActionExecuted("utter_help"), BotUttered(f"reply {n}"),
            SlotSet("turns", n), ActionExecuted("action_listen")]

def start(sender, form=False):
    events = [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("easy_read", True),
              ActionExecuted("action_listen")]
    if form:
        events += [UserUttered("form please"), ActionExecuted("some_form"), ActiveLoop("some_form"),
                   ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events(sender, events, domain.slots)

async def main(db):
    store = EncryptedSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    out = {}
    for sender, form in (("quiet", False), ("in-form", True)):
        tracker = start(sender, form)
        for n in range(60):
            for event in turn(n):
                tracker.update(event)
        await store.save(tracker)
        bounded = await store.retrieve(sender)
        read_only = await store.retrieve(sender)  # never saved: must not confuse the next save
        out[sender] = {"handed": len(bounded.events), "turns": bounded.get_slot("turns"),
                       "easy_read": bounded.get_slot("easy_read"), "latest": bounded.latest_message.text,
                       "loop": bounded.active_loop_name}
        for event in turn(60):
            bounded.update(event)
        await store.save(bounded.copy())  # Rasa may save a copy
        again = await store.retrieve(sender)
        for event in turn(61):
            again.update(event)
        await store.save(again)
        full = await store.retrieve_full_tracker(sender)
        out[sender]["stored"] = [e.text for e in full.events if isinstance(e, UserUttered)]
        out[sender]["stored_events"] = len(full.events)
    out["compact_above"] = COMPACT_ABOVE
    print(json.dumps(out))

asyncio.run(main(sys.argv[1]))
'''


def test_rasa_gets_a_bounded_history_and_every_event_is_stored_once(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT / "nlu"), IEOMOA_SECRET_KEY="bounded-history-test",
               RASA_TELEMETRY_ENABLED="false")
    done = subprocess.run([str(PROJECT_ROOT / ".venvs" / "rasa" / "bin" / "python"), "-c", SCRIPT,
                           str(tmp_path / "rasa.sqlite")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    quiet = result["quiet"]
    assert quiet["handed"] < result["compact_above"]  # bounded...
    assert quiet["turns"] == 59 and quiet["easy_read"] is True and quiet["latest"] == "message 59"  # ...same state
    assert quiet["stored"] == [f"message {n}" for n in range(62)]  # nothing lost, nothing twice
    assert quiet["stored_events"] == 4 + 62 * 5

    in_form = result["in-form"]
    assert in_form["handed"] > result["compact_above"] and in_form["loop"] == "some_form"  # whole session
    assert in_form["stored"] == ["form please"] + [f"message {n}" for n in range(62)]
