"""Two Rasa replicas behind HAProxy on one PostgreSQL tracker store, with the Redis lock store.

Messages of the same conversations arrive at both replicas at the same moment (straight to
each one and through the balancer, deploy/haproxy.cfg). Every message must be answered and
stored exactly once, its turn whole (its bot replies right after it, then action_listen,
before the next message), the rounds in the order they were sent: what a conversation
processed by two replicas at once would break (Rasa's SQL store saves "the events past the
number already stored", so one replica's turn would be lost).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
from collections.abc import Iterator

import httpx
import pytest
import redis

from bench.support.replicas import REDIS_URL, RasaReplicas, start_rasa_replicas
from ieomoa.config import PROJECT_ROOT
from ieomoa.conversation.rasa_client import TOKEN_HEADER
from ieomoa.rasa_endpoints import redis_lock_store_config
from tests.support.postgres import fresh_database, require_postgres

# Answers that do not depend on where the conversation is (no form is started).
TEXTS = ["도움말", "지원고용이 뭐예요?", "너 로봇이야?", "고마워요", "뭘 할 수 있어요?", "개인정보는 어디에 쓰여요?"]
CONVERSATIONS = 4
ROUNDS = 4
# Each round sends one message straight to each replica and one through the balancer, at once.
PER_ROUND = 3


def require_redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}, and CI promises it")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (set CI=1 to make this an error)")
    return client


@pytest.fixture(scope="module")
def key_prefix() -> str:
    return f"test{secrets.token_hex(6)}"


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, key_prefix: str) -> Iterator[RasaReplicas]:
    require_postgres()
    require_redis()
    with fresh_database() as url:
        running = start_rasa_replicas(url, tmp_path_factory.mktemp("replicas"), count=2,
                                      lock_store=redis_lock_store_config(REDIS_URL, key_prefix))
        try:
            yield running
        finally:
            running.stop()


def round_texts(round_number: int) -> list[str]:
    return [TEXTS[(round_number + k) % len(TEXTS)] for k in range(PER_ROUND)]


async def send(client: httpx.AsyncClient, url: str, sender: str, text: str) -> list[str]:
    response = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
    response.raise_for_status()
    return [reply.get("text", "") for reply in response.json()]


async def converse(replicas: RasaReplicas, senders: list[str]) -> dict[str, list[tuple[str, list[str]]]]:
    """Every conversation's rounds, all conversations at once; (text, replies) per message sent."""
    token = replicas.env["RASA_AUTH_TOKEN"]
    targets = [*replicas.replica_urls, replicas.rasa_url]
    answered: dict[str, list[tuple[str, list[str]]]] = {sender: [] for sender in senders}
    async with httpx.AsyncClient(timeout=120, headers={TOKEN_HEADER: token}) as client:
        async def one_conversation(sender: str) -> None:
            await send(client, replicas.rasa_url, sender, "안녕하세요")  # the session starts
            for number in range(ROUNDS):
                texts = round_texts(number)
                replies = await asyncio.gather(*(send(client, url, sender, text) for url, text in zip(targets, texts)))
                answered[sender] += list(zip(texts, replies))

        await asyncio.gather(*(one_conversation(sender) for sender in senders))
    return answered


def turns(events: list[dict]) -> list[tuple[str, list[str], list[str]]]:
    """(user text, bot texts, action names) for each user message, in stored order."""
    found: list[tuple[str, list[str], list[str]]] = []
    for event in events:
        if event["event"] == "user":
            found.append((event["text"], [], []))
        elif found and event["event"] == "bot":
            found[-1][1].append(event.get("text") or "")
        elif found and event["event"] == "action":
            found[-1][2].append(event["name"])
    return found


def test_messages_to_both_replicas_at_once_keep_every_turn_whole_and_in_order(
    replicas: RasaReplicas, key_prefix: str,
) -> None:
    senders = [f"replica-{secrets.token_hex(4)}-{n}" for n in range(CONVERSATIONS)]
    answered = asyncio.run(converse(replicas, senders))

    token = replicas.env["RASA_AUTH_TOKEN"]
    for sender in senders:
        tracker = httpx.get(f"{replicas.replica_urls[0]}/conversations/{sender}/tracker",
                            params={"token": token}, timeout=60).json()
        stored = turns(tracker["events"])[1:]  # after the greeting
        # Every message once, rounds in the order they were sent (within a round, any order).
        assert len(stored) == ROUNDS * PER_ROUND, [text for text, _, _ in stored]
        for number in range(ROUNDS):
            block = stored[number * PER_ROUND:(number + 1) * PER_ROUND]
            assert sorted(text for text, _, _ in block) == sorted(round_texts(number)), number
        # Each turn whole: its own replies, then listening, before the next message.
        replies_to = {text: replies for text, replies in answered[sender]}
        for text, bot_texts, actions in stored:
            assert bot_texts and bot_texts == replies_to[text], text
            assert actions[-1] == "action_listen" and actions.count("action_listen") == 1, (text, actions)
    # The balancer used both replicas, and no lock is left behind.
    assert all(count > 0 for count in replicas.requests_per_replica().values())
    assert len(replicas.requests_per_replica()) == 2
    assert not redis.Redis.from_url(REDIS_URL).keys(f"{key_prefix}:*")


# One Rasa process issuing tickets for one conversation, once told to start (Rasa's environment).
TICKETS_SCRIPT = """
import json, sys
from rasa.utils.endpoints import EndpointConfig
from ieomoa_nlu.lock_store import AtomicRedisLockStore

store = AtomicRedisLockStore(EndpointConfig(type="x", **json.loads(sys.argv[1])))
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps([store.issue_ticket("one-conversation") for _ in range(50)]))
"""


def test_tickets_issued_by_several_replicas_at_once_are_unique(key_prefix: str) -> None:
    """The lock store's own guarantee: four Rasa processes take tickets for one conversation at once."""
    require_redis()
    config = redis_lock_store_config(REDIS_URL, key_prefix + "tickets")
    arguments = json.dumps({k: v for k, v in config.items() if k != "type"})
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT / "nlu"))
    rasa_python = str(PROJECT_ROOT / ".venvs" / "rasa" / "bin" / "python")
    runs = [subprocess.Popen([rasa_python, "-c", TICKETS_SCRIPT, arguments], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        for run in runs:
            assert run.stdout is not None and run.stdout.readline().strip() == "ready", run.stderr
        for run in runs:  # all at once
            assert run.stdin is not None
            run.stdin.write("go\n")
            run.stdin.flush()
        tickets = []
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert run.returncode == 0, err[-2000:]
            tickets += json.loads(out.strip().splitlines()[-1])
    finally:
        for run in runs:
            run.kill()
        redis.Redis.from_url(REDIS_URL).delete(f"{key_prefix}tickets:lock:one-conversation")
    assert len(tickets) == 200 and len(set(tickets)) == 200
