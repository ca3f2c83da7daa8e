"""``make bench-relay``: the outbox relay against a large outbox on PostgreSQL.

Fills the outbox with 100,000 pending pushes over 50,000 chats, behind a history of delivered
ones (older rows, as a running service accumulates them until the retention sweep), then shows:
- the plan of the relays' claim query (EXPLAIN ANALYZE), with the partial indexes of
  migration 0016 and, in a rolled-back transaction, without them;
- how long claiming a batch of 20 takes (p50/p95 over repeated claims);
- two relays delivering through the Bot API stand-in under the one shared send rate:
  messages per second together (Telegram allows about 30 per bot) and each chat's order.

    python -m bench.relay_outbox [--rows 100000] [--chats 50000] [--delivered 400000] [--deliver 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, sessionmaker

from bench.support.postgres import scratch_database
from bench.support.telegram_standin import TelegramStandIn
from ieomoa.db import make_engine
from ieomoa.models import utcnow

RESULTS_DIR = Path(__file__).parent / "results"
BATCH = 20
PARTIAL_INDEXES = ("ix_outbox_pending_id", "ix_outbox_pending_chat_id")


def fill(sessions: sessionmaker[Session], rows: int, chats: int, delivered: int) -> float:
    """``delivered`` sent pushes, then ``rows`` pending ones (row n to chat n mod chats); seconds taken."""
    from ieomoa.crypto import OUTBOX, encrypt_text

    token = encrypt_text("신청 상태가 바뀌었어요.", OUTBOX)  # one real token: decryption costs what it costs
    start = time.perf_counter()
    with sessions.begin() as session:
        session.execute(text(
            "INSERT INTO outbox (idempotency_key, chat_id, text, voice, voice_slow, state, attempts, "
            "next_attempt_at, created_at, sent_at) "
            "SELECT 'sent:' || g, 7000000 + g % :chats, NULL, false, false, 'SENT', 1, now(), now(), now() "
            "FROM generate_series(1, :delivered) AS g"
        ), {"chats": chats, "delivered": delivered})
        session.execute(text(
            "INSERT INTO outbox (idempotency_key, chat_id, text, voice, voice_slow, state, attempts, "
            "next_attempt_at, created_at) "
            "SELECT 'bench:' || g, 7000000 + g % :chats, :token, false, false, 'PENDING', 0, now(), now() "
            "FROM generate_series(0, :last) AS g"
        ), {"chats": chats, "token": token, "last": rows - 1})
    with sessions.begin() as session:
        session.execute(text("ANALYZE outbox"))
    return time.perf_counter() - start


def claim_sql(now: datetime) -> str:
    """The relays' claim query as PostgreSQL runs it, with its parameters written in."""
    from ieomoa.services.outbox import claimable

    return str(claimable(now, BATCH).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def explain(sessions: sessionmaker[Session], *, without_indexes: bool = False) -> dict[str, Any]:
    """EXPLAIN ANALYZE of one claim, in a transaction that is rolled back (locks and dropped indexes too)."""
    with sessions() as session:
        if without_indexes:
            for name in PARTIAL_INDEXES:
                session.execute(text(f"DROP INDEX {name}"))
        plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + claim_sql(utcnow()))).scalars().all()
        session.rollback()
    executed = next(line for line in plan if line.startswith("Execution Time"))
    return {
        "plan": plan,
        "execution_ms": float(executed.split(":")[1].split()[0]),
        "uses_partial_indexes": [name for name in PARTIAL_INDEXES if any(name in line for line in plan)],
    }


def time_claims(sessions: sessionmaker[Session], rounds: int = 50) -> list[float]:
    """Milliseconds per claim of a batch (each claim leases the next rows, as relays do)."""
    from ieomoa.services.outbox import OutboxService

    store = OutboxService(sessions)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        claim = store.claim(BATCH, timedelta(minutes=2))
        samples.append((time.perf_counter() - start) * 1000)
        store.release(claim, claim.pushes)
        assert len(claim.pushes) == BATCH
    return samples


async def two_relays(database_url: str, deliver: int) -> dict[str, Any]:
    """Two relays, each with its own connections, until ``deliver`` pushes went out together."""
    from relay.senders.telegram import TelegramSender, telegram_bot
    from relay.worker import OutboxRelay

    telegram = TelegramStandIn().start()
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        async with telegram_bot(telegram.token, telegram.base_url, telegram.file_url) as bot:
            relays = [OutboxRelay(sessionmaker(engine, expire_on_commit=False), TelegramSender(bot))
                      for engine in engines]
            start = time.perf_counter()

            async def run(relay: OutboxRelay) -> None:
                while len(telegram.sent) < deliver:
                    await relay.deliver_once()

            await asyncio.gather(*(run(relay) for relay in relays))
            elapsed = time.perf_counter() - start
    finally:
        telegram.stop()
        for engine in engines:
            engine.dispose()
    sent = [m for m in telegram.sent if m.method == "sendMessage"]
    by_chat: dict[int, list[str]] = defaultdict(list)
    for message in sent:
        by_chat[message.chat_id].append(message.text)
    # Over the whole run (the first send to the last), as Telegram would count them.
    span = max(m.at for m in sent) - min(m.at for m in sent)
    return {
        "sent": len(sent),
        "seconds": round(elapsed, 2),
        "messages_per_second": round((len(sent) - 1) / span, 1) if span > 0 else None,
        "chats": len(by_chat),
    }


def order_kept(database_url: str) -> bool:
    """Every chat's delivered pushes are its oldest ones (no younger row went before an older one)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            bad = connection.execute(text(
                "SELECT count(*) FROM outbox sent JOIN outbox older ON older.chat_id = sent.chat_id "
                "AND older.id < sent.id WHERE sent.state = 'SENT' AND older.state <> 'SENT'"
            )).scalar_one()
    finally:
        engine.dispose()
    return bad == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=50_000)
    parser.add_argument("--delivered", type=int, default=400_000, help="delivered pushes before the pending ones")
    parser.add_argument("--deliver", type=int, default=300, help="pushes the two relays deliver together")
    args = parser.parse_args()
    os.environ.setdefault("IEOMOA_SECRET_KEY", secrets.token_urlsafe(32))
    from ieomoa.migrate import upgrade

    with scratch_database() as url:
        upgrade(url)
        engine = make_engine(url)
        sessions = sessionmaker(engine, expire_on_commit=False)
        try:
            filled = fill(sessions, args.rows, args.chats, args.delivered)
            with_indexes = explain(sessions)
            without = explain(sessions, without_indexes=True)
            claims = time_claims(sessions)
            relays = asyncio.run(two_relays(url, args.deliver))
            relays["order_kept"] = order_kept(url)
        finally:
            engine.dispose()

    result = {
        "at": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "machine": f"{platform.platform()}, {os.cpu_count()} CPUs",
        "rows": args.rows, "chats": args.chats, "delivered_before": args.delivered, "fill_seconds": round(filled, 1),
        "claim_query": claim_sql(utcnow()),
        "explain_with_indexes": with_indexes, "explain_without_indexes": without,
        "claim_ms": {"n": len(claims), "p50": round(statistics.median(claims), 2),
                     "p95": round(sorted(claims)[int(len(claims) * 0.95) - 1], 2)},
        "two_relays": relays,
    }
    print(f"Outbox: {args.rows:,} pending pushes over {args.chats:,} chats after {args.delivered:,} delivered ones "
          f"(filled in {filled:.1f} s)\n")
    print("Claim query plan (EXPLAIN ANALYZE, PostgreSQL):")
    print("\n".join("  " + line for line in with_indexes["plan"]))
    print(f"\nclaim query, with the partial indexes:    {with_indexes['execution_ms']:8.2f} ms "
          f"(uses {', '.join(with_indexes['uses_partial_indexes']) or 'none'})")
    print(f"claim query, without them (rolled back): {without['execution_ms']:8.2f} ms")
    print(f"claim of {BATCH} rows by OutboxService.claim: p50 {result['claim_ms']['p50']} ms, "
          f"p95 {result['claim_ms']['p95']} ms over {len(claims)} claims")
    print(f"two relays together: {relays['sent']} pushes to {relays['chats']} chats at "
          f"{relays['messages_per_second']} messages/s (one shared limit of 30/s); "
          f"each chat's order kept: {'yes' if relays['order_kept'] else 'NO'}")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"relay-outbox-{result['at']}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"Results written to {out}")


if __name__ == "__main__":
    main()
