"""``make bench``: speed of the parts a user waits for. Prints a table, writes bench/results/."""

from __future__ import annotations

import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.support.bot import start_bot
from bench.support.replicas import RasaReplicas, start_rasa_replicas
from bench.support.telegram_standin import TelegramStandIn
from ieomoa.conversation.rasa_client import TOKEN_HEADER

RESULTS_DIR = Path(__file__).parent / "results"
UTTERANCES = [
    "안녕하세요", "서울에서 일하고 싶어요", "도움말", "너 로봇이야?", "오늘 날씨 어때?",
    "부산에 살아요", "고마워요", "안녕히 계세요", "뭘 할 수 있어요?", "경기도 수원시에 살고 있어요",
]
PARSE_ROUNDS = 20
TURNS = 30
# Between turns, as a person would, and past the bot's pace of one message a second per chat
# (bot/rate_limit.py), which would otherwise be what this measures.
PAUSE = 1.2


def percentile(values: list[float], q: float) -> float:
    """q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summarize(name: str, samples_ms: list[float]) -> dict[str, float | str | int]:
    """One row of the table."""
    return {
        "metric": name,
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 50), 1),
        "p95_ms": round(percentile(samples_ms, 95), 1),
        "mean_ms": round(statistics.fmean(samples_ms), 1),
    }


def bench_parse(rasa: RasaReplicas) -> list[float]:
    """NLU parse latency over HTTP (/model/parse)."""
    token = rasa.env["RASA_AUTH_TOKEN"]
    with httpx.Client(base_url=rasa.rasa_url, timeout=60, headers={TOKEN_HEADER: token}) as client:
        def parse(text: str) -> None:
            client.post("/model/parse", params={"token": token}, json={"text": text}).raise_for_status()

        parse("워밍업")
        samples = []
        for _ in range(PARSE_ROUNDS):
            for text in UTTERANCES:
                start = time.perf_counter()
                parse(text)
                samples.append((time.perf_counter() - start) * 1000)
    return samples


def bench_turns(stack_env: dict[str, str], log_dir: Path) -> list[float]:
    """End-to-end turn: update offered to the bot → reply received by the Bot API stand-in."""
    telegram = TelegramStandIn().start()
    bot = start_bot(telegram, stack_env, log_dir)
    samples = []
    try:
        chat_id = 4242
        for turn in range(TURNS):
            time.sleep(PAUSE)
            start = time.perf_counter()
            telegram.push_text(chat_id, UTTERANCES[turn % len(UTTERANCES)])
            telegram.wait_for(chat_id, turn + 1)
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        bot.stop()
        telegram.stop()
    return samples


RELAY_ROWS = 300
TTS_SENTENCES = [
    "3/16. 연락받을 휴대전화 번호를 알려 주세요. 예를 들면 '010-1234-5678'처럼 적어 주세요.",
    "신청이 접수되었어요. 접수번호는 IEM-2026-000123이에요.",
    "이렇게 도와드려요. 1번, 구직 신청을 한 번에 접수해요. 2번, 신청이 어떻게 되고 있는지 알려 드려요.",
]


def bench_tts(cache_dir: Path) -> list[dict[str, float | str | int]]:
    """Offline TTS latency (espeak-ng → OGG/Opus), first time and from the cache."""
    from ieomoa.speech.engines import CachedSpeech, EspeakEngine
    from ieomoa.speech.text import speech_text

    speech = CachedSpeech(EspeakEngine(), cache_dir)
    cold, cached = [], []
    for round_ in range(10):
        for sentence in TTS_SENTENCES:
            text = speech_text(f"{sentence} ({round_})")
            start = time.perf_counter()
            speech.say(text, personal=False)  # fixed texts: only they are cached
            cold.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            speech.say(text, personal=False)
            cached.append((time.perf_counter() - start) * 1000)
    return [summarize("tts_cold", cold), summarize("tts_cached", cached)]


def bench_relay(database_url: str) -> dict[str, float | str | int]:
    """Relay throughput against Telegram's 30 messages/s limit (one message per chat)."""
    import asyncio

    from ieomoa.db import session_factory
    from ieomoa.models import OutboxMessage
    from relay.senders.telegram import TelegramSender, telegram_bot
    from relay.worker import OutboxRelay

    sessions = session_factory(database_url)
    with sessions.begin() as session:
        session.add_all(
            OutboxMessage(idempotency_key=f"bench:{i}", chat_id=10_000 + i, text=f"알림 {i}")
            for i in range(RELAY_ROWS)
        )
    telegram = TelegramStandIn().start()

    async def run() -> float:
        async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
            relay = OutboxRelay(sessions, TelegramSender(bot))
            start = time.perf_counter()
            while await relay.deliver_once():
                pass
            return time.perf_counter() - start

    try:
        elapsed = asyncio.run(run())
    finally:
        telegram.stop()
    return {"metric": "relay_msgs_per_s", "n": RELAY_ROWS, "p50_ms": round(RELAY_ROWS / elapsed, 1),
            "p95_ms": "-", "mean_ms": round(elapsed * 1000 / RELAY_ROWS, 1)}


def main() -> None:
    """Run every benchmark once and report."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        stack = start_rasa_replicas(f"sqlite:///{work / 'bench.sqlite'}", work, count=1, balancer=False,
                                    redis_lock=False)
        try:
            rows = [
                summarize("nlu_parse", bench_parse(stack)),
                summarize("e2e_turn", bench_turns(stack.env, work / "bot")),
            ]
            rows.append(bench_relay(stack.database_url))
            rows.extend(bench_tts(work / "tts"))
        finally:
            stack.stop()
    header = f"{'metric':<18} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9}"
    lines = [header, "-" * len(header)]
    lines += [f"{r['metric']:<18} {r['n']:>5} {r['p50_ms']:>9} {r['p95_ms']:>9} {r['mean_ms']:>9}" for r in rows]
    print("\n".join(lines))
    print("(relay_msgs_per_s: the p50 column is messages per second, limit 30; mean is ms per message)")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {"at": stamp, "machine": platform.platform(), "rows": rows}
    (RESULTS_DIR / f"bench-{stamp}.json").write_text(json.dumps(result, indent=2))
    (RESULTS_DIR / "latest.txt").write_text("\n".join(lines) + "\n")
    print(f"Results written to {RESULTS_DIR}/bench-{stamp}.json")


if __name__ == "__main__":
    main()
