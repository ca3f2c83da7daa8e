"""Simulated applicants: the whole application, with a person's pauses, by buttons or by typing.

The script follows tests/e2e/test_application.py (the answers, and the words of each reply that
show the turn is done). An applicant taps the buttons or types their words (the bot reads a
typed label as the tap), may switch voice notes on first (and then listens: waits for the
turn's voice notes before answering), and waits 0.5–3 s between turns.
Two ways to drive the same script:

- ``through_bot``: over the Bot API stand-in to the real bot (time from the update offered to
  the bot to its first reply, as Telegram would deliver it);
- ``through_rasa``: straight to Rasa's REST channel with what the bot would send (the button
  payloads, the texts): the floor, with no bot and no Telegram.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.support.telegram_standin import SentMessage, TelegramStandIn
from ieomoa.conversation.rasa_client import TOKEN_HEADER

# (tap a button whose title has these words | say this text, the reply that ends the turn)
TAP, SAY = "tap", "say"
APPLICATION: list[tuple[str, str, str]] = [
    (SAY, "안녕하세요", "무엇을 도와드릴까요"),
    (TAP, "구직 신청하기", "1/16"),
    (TAP, "동의해요", "2/16"),
    (SAY, "김하나", "3/16"),
    (SAY, "1995-07-01", "4/16"),
    (SAY, "01022223333", "5/16"),
    (SAY, "서울 강남구", "6/16"),
    (TAP, "동의해요", "7/16"),
    (TAP, "13번 지적", "8/16"),
    (TAP, "심한 장애", "9/16"),
    (TAP, "고등학교 졸업", "10/16"),
    (TAP, "네", "학교 이름"),
    (SAY, "한빛학교 전공과", "11/16"),
    (SAY, "제과제빵", "12/16"),
    (TAP, "시간제", "13/16"),
    (TAP, "지원고용", "14/16"),
    (TAP, "행정복지센터 방문", "15/16"),
    (TAP, "동의해요", "16/16"),
    (TAP, "네, 보내 주세요", "교육청"),
    (TAP, "네, 보내 주세요", "이대로 제출할까요"),
    (TAP, "제출", "접수되었어요"),
]
VOICE_ON = (SAY, "음성으로 들려주세요", "음성 안내를 켰어요")
TURN_TIMEOUT = 120.0


@dataclass
class Applicant:
    """One simulated person: how they answer, and what happened."""

    chat_id: int
    taps: bool  # presses buttons; otherwise types their words
    voice: bool  # asks for voice notes first
    pauses: random.Random
    first_reply_s: list[float] = field(default_factory=list)
    completed: bool = False
    error: str | None = None

    def steps(self) -> list[tuple[str, str, str]]:
        return ([VOICE_ON] if self.voice else []) + APPLICATION

    def pause(self) -> None:
        time.sleep(self.pauses.uniform(0.5, 3.0))


def applicants(count: int, first_chat_id: int, seed: int = 13) -> list[Applicant]:
    """A mix: every third presses no button but types, every fourth listens to voice notes."""
    return [Applicant(first_chat_id + n, taps=n % 3 != 2, voice=n % 4 == 3, pauses=random.Random(seed + n))
            for n in range(count)]


def _button(message: SentMessage | None, words: str) -> dict[str, Any] | None:
    if message is None:
        return None
    return next((b for b in message.buttons if words in b["text"]), None)


def through_bot(telegram: TelegramStandIn, person: Applicant) -> None:
    """Fill the application through the bot; records each turn's first-reply time."""
    seen, keyboard = 0, None
    try:
        for kind, words, until in person.steps():
            person.pause()
            button = _button(keyboard, words) if kind == TAP and person.taps else None
            offered = time.monotonic()
            if button is not None:
                telegram.press(person.chat_id, button, on=keyboard)
            else:
                telegram.push_text(person.chat_id, words)
            replies = telegram.wait_until(person.chat_id, lambda m, u=until: u in m.text, after=seen,
                                          timeout=TURN_TIMEOUT)
            # A late message of the turn before does not count as this turn's reply.
            person.first_reply_s.append(next(m.at for m in replies if m.at >= offered) - offered)
            seen += len(replies)
            if person.voice:
                # Someone listening waits for the question's voice note before answering.
                texts = sum(m.at >= offered for m in replies)
                telegram.wait_for_voices(person.chat_id, texts, since=offered, timeout=TURN_TIMEOUT)
            keyboard = next((m for m in reversed(replies) if m.buttons), keyboard)
        person.completed = True
    except Exception as error:  # noqa: BLE001 - a benchmark counts failures, it does not stop
        person.error = f"{type(error).__name__}: {str(error)[:200]}"


def through_rasa(client: httpx.Client, person: Applicant, sender_prefix: str = "floor") -> None:
    """The same application straight to Rasa's REST channel, as the bot would send it."""
    sender, buttons = f"{sender_prefix}-{person.chat_id}", []
    try:
        for kind, words, until in person.steps():
            person.pause()
            payload = next((b["payload"] for b in buttons if words in b.get("title", "")), None)
            message = payload if kind == TAP and payload else words
            start = time.monotonic()
            response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
            response.raise_for_status()
            person.first_reply_s.append(time.monotonic() - start)
            replies = response.json()
            if not any(until in (reply.get("text") or "") for reply in replies):
                raise RuntimeError(f"no reply with {until!r}")
            buttons = [b for reply in replies for b in reply.get("buttons") or []] or buttons
        person.completed = True
    except Exception as error:  # noqa: BLE001
        person.error = f"{type(error).__name__}: {str(error)[:200]}"


def rasa_client(rasa_url: str, token: str) -> httpx.Client:
    """A client for Rasa's REST channel with our token; pooled for many applicants at once."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    return httpx.Client(base_url=rasa_url, timeout=TURN_TIMEOUT, headers={TOKEN_HEADER: token}, limits=limits)


def run_all(people: list[Applicant], drive: Callable[[Applicant], None]) -> float:
    """Every applicant at once (a thread each); the seconds until the last one finished."""
    import threading

    threads = [threading.Thread(target=drive, args=(person,), daemon=True) for person in people]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start
