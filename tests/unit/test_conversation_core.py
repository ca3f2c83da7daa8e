"""The channel-neutral conversation core: one turn from an incoming message to sent replies."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.orm import sessionmaker

from ieomoa.conversation import messages
from ieomoa.conversation.incoming import Incoming, IncomingKind
from ieomoa.conversation.outgoing import OutgoingMessage
from ieomoa.conversation.rasa_client import RasaClient
from ieomoa.conversation.turn import MAX_TEXT_LENGTH, ConversationCore, ConversationServices
from ieomoa.db import make_engine
from ieomoa.services.buttons import ButtonRegistry
from ieomoa.services.chats import ChatService
from ieomoa.services.erasure import ErasureService
from ieomoa.services.keyboards import KeyboardService

SENDER = "tg-7"
QUESTION = [{"text": "신청할까요?", "buttons": [
    {"title": "1번 네", "payload": "/affirm"}, {"title": "2번 아니요", "payload": "/deny"},
]}]


class RecordingOutlet:
    """An outlet that keeps what the core sent."""

    text_limit = 4096

    def __init__(self, speaks: bool = False) -> None:
        self.speaks = speaks
        self.sent: list[OutgoingMessage] = []
        self.voices: list[bytes] = []
        self.typing = 0
        self.retired = 0

    async def show_typing(self) -> None:
        self.typing += 1

    async def send(self, outgoing: Sequence[OutgoingMessage]) -> None:
        self.sent.extend(outgoing)

    async def send_voice(self, audio: bytes) -> None:
        self.voices.append(audio)

    async def retire_keyboard(self) -> None:
        self.retired += 1


class FakeRasa:
    """Rasa's REST channel: answers every message with ``replies``, remembers what it got."""

    def __init__(self, replies: list[dict]) -> None:
        self.replies = replies
        self.status = 200
        self.received: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(json.loads(request.read()))
        return httpx.Response(self.status, json=self.replies)


class FakeSpeech:
    """Speech that says which text it read."""

    def say(self, text: str, slow: bool = False, *, personal: bool = True) -> bytes:
        return text.encode()


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa(QUESTION)


@pytest.fixture
def core(sqlite_url: str, rasa: FakeRasa) -> ConversationCore:
    sessions = sessionmaker(make_engine(sqlite_url), expire_on_commit=False)
    client = RasaClient("http://rasa.test", backoff=0, transport=httpx.MockTransport(rasa))
    services = ConversationServices(
        rasa=client, buttons=ButtonRegistry(sessions), keyboards=KeyboardService(sessions),
        chats=ChatService(sessions), erasure=ErasureService(sessions), tracker_store_url=sqlite_url,
        speech=FakeSpeech(),  # type: ignore[arg-type]
    )
    return ConversationCore(services, channel="telegram")


async def test_text_goes_to_rasa_and_replies_come_back_with_buttons(core: ConversationCore, rasa: FakeRasa) -> None:
    outlet = RecordingOutlet()
    await core.handle(SENDER, Incoming.text("신청하고 싶어요"), outlet)
    assert rasa.received[0]["message"] == "신청하고 싶어요"
    assert rasa.received[0]["metadata"]["channel"] == "telegram"
    [message] = outlet.sent
    assert message.text == "신청할까요?"
    assert [b.title for b in message.buttons] == ["1번 네", "2번 아니요"]
    assert outlet.typing == 1


async def test_typed_button_words_are_sent_as_the_button(core: ConversationCore, rasa: FakeRasa) -> None:
    outlet = RecordingOutlet()
    await core.handle(SENDER, Incoming.text("안녕"), outlet)
    await core.handle(SENDER, Incoming.text("2번이요"), outlet)
    assert rasa.received[1]["message"] == "/deny"


async def test_a_button_counts_once_and_its_keyboard_goes(core: ConversationCore, rasa: FakeRasa) -> None:
    outlet = RecordingOutlet()
    await core.handle(SENDER, Incoming.text("안녕"), outlet)
    token = outlet.sent[0].buttons[0].token
    await core.handle(SENDER, Incoming.button(token), outlet)
    assert rasa.received[-1]["message"] == "/affirm" and outlet.retired == 1
    await core.handle(SENDER, Incoming.button(token), outlet)
    assert outlet.sent[-1].text == messages.OLD_BUTTON
    assert len(rasa.received) == 2


async def test_a_button_of_another_chat_changes_nothing(core: ConversationCore, rasa: FakeRasa) -> None:
    outlet = RecordingOutlet()
    await core.handle("tg-8", Incoming.text("안녕"), outlet)
    await core.handle(SENDER, Incoming.button(outlet.sent[0].buttons[0].token), outlet)
    assert outlet.sent[-1].text == messages.OLD_BUTTON and len(rasa.received) == 1


@pytest.mark.parametrize(("command", "payload"), [
    ("/start", "/greet"), ("/help", "/help"), ("/privacy@ieomoa_bot", "/privacy_summary"), ("/nothing", "/help"),
    ("/voice", "/voice_on"),
])
async def test_commands_become_intents(core: ConversationCore, rasa: FakeRasa, command: str, payload: str) -> None:
    await core.handle(SENDER, Incoming.command(command), RecordingOutlet())
    assert rasa.received[0]["message"] == payload


@pytest.mark.parametrize(("incoming", "answer"), [
    (Incoming.text("   "), messages.EMPTY_TEXT),
    (Incoming.text("가" * (MAX_TEXT_LENGTH + 1)), messages.TOO_LONG.format(limit=MAX_TEXT_LENGTH)),
    (Incoming.other(), messages.UNSUPPORTED_CONTENT),
])
async def test_what_rasa_never_sees_gets_a_kind_answer(
    core: ConversationCore, rasa: FakeRasa, incoming: Incoming, answer: str
) -> None:
    outlet = RecordingOutlet()
    await core.handle(SENDER, incoming, outlet)
    assert [m.text for m in outlet.sent] == [answer]
    assert rasa.received == []


async def test_a_voice_note_gets_an_offer_to_listen(core: ConversationCore, rasa: FakeRasa) -> None:
    outlet = RecordingOutlet()
    await core.handle(SENDER, Incoming.voice(), outlet)
    [message] = outlet.sent
    assert message.text == messages.VOICE_NOT_READ
    await core.handle(SENDER, Incoming.button(message.buttons[0].token), outlet)
    assert rasa.received[-1]["message"] == "/voice_on"


async def test_voice_notes_follow_the_texts_only_where_the_chat_chose_them(core: ConversationCore) -> None:
    core.services.chats.set_voice_mode(SENDER, "telegram", True)
    speaking, silent = RecordingOutlet(speaks=True), RecordingOutlet(speaks=False)
    await core.handle(SENDER, Incoming.text("안녕"), speaking)
    await core.handle(SENDER, Incoming.text("안녕"), silent)
    assert [v.decode() for v in speaking.voices] == ["신청할까요? 1번 네. 2번 아니요."]
    assert silent.voices == []


async def test_easy_read_chats_get_the_easy_words(core: ConversationCore) -> None:
    core.services.chats.set_easy_read(SENDER, "telegram", True)
    outlet = RecordingOutlet()
    await core.handle(SENDER, Incoming.other(), outlet)
    assert outlet.sent[0].text == messages.EASY_READ[messages.UNSUPPORTED_CONTENT]


async def test_rasa_down_is_an_apology(core: ConversationCore, rasa: FakeRasa) -> None:
    rasa.status = 500
    outlet = RecordingOutlet()
    await core.handle(SENDER, Incoming.text("안녕"), outlet)
    assert [m.text for m in outlet.sent] == [messages.RASA_DOWN]


def test_commands_are_named_without_slash_or_bot_name() -> None:
    assert Incoming.command("/Privacy@ieomoa_bot 지금") == Incoming(IncomingKind.COMMAND, "privacy")


async def test_a_voice_note_being_made_does_not_hold_another_chats_reply(core: ConversationCore) -> None:
    # asyncio's default pool (where the database calls run) shrunk to one thread: if speech
    # ran there, the other chat's turn would wait for the voice note.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    release, started = threading.Event(), threading.Event()

    class SlowSpeech:
        def say(self, text: str, slow: bool = False, *, personal: bool = True) -> bytes:
            started.set()
            release.wait(timeout=30)
            return b"ogg"

    core = ConversationCore(dataclasses.replace(core.services, speech=SlowSpeech()), channel="telegram")
    core.services.chats.set_voice_mode(SENDER, "telegram", True)
    speaking, other = RecordingOutlet(speaks=True), RecordingOutlet()
    voice_turn = asyncio.create_task(core.handle(SENDER, Incoming.text("안녕"), speaking))
    try:
        while not started.is_set():
            await asyncio.sleep(0)
        await asyncio.wait_for(core.handle("tg-8", Incoming.text("안녕"), other), timeout=20)
        assert [m.text for m in other.sent] == ["신청할까요?"]
        assert speaking.voices == []  # the first chat's note was still being made
    finally:
        release.set()
        await voice_turn
    assert speaking.voices == [b"ogg"]


async def test_voice_notes_are_made_at_a_lower_cpu_priority_than_replies() -> None:
    from ieomoa.conversation.turn import SPEECH_NICENESS, SPEECH_THREADS

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    speech_thread = await asyncio.get_running_loop().run_in_executor(SPEECH_THREADS, niceness)
    assert speech_thread == min(19, niceness() + SPEECH_NICENESS)


async def test_typing_is_shown_while_rasa_works_and_before_the_reply(sqlite_url: str) -> None:
    events: list[str] = []
    typing_sent = asyncio.Event()

    class Outlet(RecordingOutlet):
        async def show_typing(self) -> None:
            events.append("typing")
            typing_sent.set()

        async def send(self, outgoing: Sequence[OutgoingMessage]) -> None:
            events.append("reply")

    async def rasa(request: httpx.Request) -> httpx.Response:
        await asyncio.wait_for(typing_sent.wait(), timeout=10)  # shown before Rasa answered
        events.append("rasa")
        return httpx.Response(200, json=QUESTION)

    sessions = sessionmaker(make_engine(sqlite_url), expire_on_commit=False)
    client = RasaClient("http://rasa.test", backoff=0, transport=httpx.MockTransport(rasa))
    services = ConversationServices(
        rasa=client, buttons=ButtonRegistry(sessions), keyboards=KeyboardService(sessions),
        chats=ChatService(sessions), erasure=ErasureService(sessions), tracker_store_url=sqlite_url,
    )
    await ConversationCore(services, channel="telegram").handle(SENDER, Incoming.text("안녕"), Outlet())
    assert events == ["typing", "rasa", "reply"]
