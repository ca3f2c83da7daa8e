"""``make bench-turns``: does a turn cost more as a conversation grows?

One chat asks for help 150 times, through the real bot over the Bot API stand-in (time from
the update offered to the bot to its first reply), and another conversation sends the same
messages straight to Rasa's REST channel (the floor), on PostgreSQL. Reported: the 10th and
the 150th turn, and medians over turns 1–20 and the last 20, with their ratio (aim: 1.5×
at most), plus the stored events per conversation.

    python -m bench.long_conversation [--turns 150] [--text 도움말]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.support.bot import start_bot
from bench.support.postgres import scratch_database
from bench.support.replicas import RasaReplicas, start_rasa_replicas
from bench.support.telegram_standin import TelegramStandIn
from ieomoa.conversation.rasa_client import TOKEN_HEADER

RESULTS_DIR = Path(__file__).parent / "results"
CHAT_ID = 424242
# Between turns, as a person would, and past the bot's pace of one message a second per chat
# (bot/rate_limit.py), which would otherwise hold back every first reply.
PAUSE = 1.2


def through_rasa(stack: RasaReplicas, turns: int, text: str) -> list[float]:
    """Seconds per turn, straight to Rasa's REST channel."""
    token = stack.env["RASA_AUTH_TOKEN"]
    samples = []
    with httpx.Client(base_url=stack.rasa_url, timeout=120, headers={TOKEN_HEADER: token}) as client:
        for _ in range(turns):
            start = time.perf_counter()
            client.post("/webhooks/rest/webhook", json={"sender": "long-floor", "message": text}).raise_for_status()
            samples.append(time.perf_counter() - start)
    return samples


def through_bot(stack: RasaReplicas, turns: int, text: str, log_dir: Path) -> list[float]:
    """Seconds from each update offered to the bot to its first reply."""
    telegram = TelegramStandIn().start()
    bot = start_bot(telegram, stack.env, log_dir)
    samples = []
    try:
        per_turn = 0
        for turn in range(turns):
            time.sleep(PAUSE)
            before = len(telegram.messages_to(CHAT_ID))
            offered = time.monotonic()
            telegram.push_text(CHAT_ID, text)
            first = telegram.wait_for(CHAT_ID, before + 1, timeout=120)[before]
            samples.append(first.at - offered)
            if turn == 0:  # learn how many messages one turn sends (a benchmark may wait)
                time.sleep(3)
                per_turn = len(telegram.messages_to(CHAT_ID)) - before
            telegram.wait_for(CHAT_ID, before + per_turn, timeout=120)
    finally:
        bot.stop()
        telegram.stop()
    return samples


def stored_events(stack: RasaReplicas, sender: str) -> int:
    token = stack.env["RASA_AUTH_TOKEN"]
    response = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": token}, timeout=120)
    return len(response.json().get("events", []))


def window(samples: list[float], first: bool) -> float:
    part = samples[:20] if first else samples[-20:]
    return statistics.median(part)


def summary(name: str, samples: list[float]) -> dict[str, float | str]:
    early, late = window(samples, True), window(samples, False)
    return {
        "path": name,
        "turn_10_ms": round(samples[9] * 1000, 1),
        "turn_last_ms": round(samples[-1] * 1000, 1),
        "median_first_20_ms": round(early * 1000, 1),
        "median_last_20_ms": round(late * 1000, 1),
        "ratio_last_to_first": round(late / early, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=150)
    parser.add_argument("--text", default="도움말")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, scratch_database() as url:
        stack = start_rasa_replicas(url, Path(tmp), count=1, balancer=False, redis_lock=False)
        try:
            floor = through_rasa(stack, args.turns, args.text)
            bot = through_bot(stack, args.turns, args.text, Path(tmp) / "bot")
            events = {"floor": stored_events(stack, "long-floor"), "bot": stored_events(stack, f"tg-{CHAT_ID}")}
        finally:
            stack.stop()
    rows = [summary("bot (update → first reply)", bot), summary("Rasa REST alone", floor)]
    header = f"{'path':<28} {'turn 10':>9} {f'turn {args.turns}':>9} {'med 1-20':>9} {'med last 20':>11} {'ratio':>6}"
    lines = [header, "-" * len(header)] + [
        f"{r['path']:<28} {r['turn_10_ms']:>9} {r['turn_last_ms']:>9} {r['median_first_20_ms']:>9} "
        f"{r['median_last_20_ms']:>11} {r['ratio_last_to_first']:>6}" for r in rows
    ]
    print(f"One conversation, {args.turns} turns of '{args.text}' (milliseconds):")
    print("\n".join(lines))
    print(f"Stored events at the end: {events}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS_DIR.mkdir(exist_ok=True)
    result = {"at": stamp, "machine": f"{platform.platform()}, {os.cpu_count()} CPUs", "turns": args.turns,
              "text": args.text, "rows": rows, "events": events,
              "samples_ms": {"bot": [round(s * 1000, 1) for s in bot], "floor": [round(s * 1000, 1) for s in floor]}}
    out = RESULTS_DIR / f"long-conversation-{stamp}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"Results written to {out}")


if __name__ == "__main__":
    main()
