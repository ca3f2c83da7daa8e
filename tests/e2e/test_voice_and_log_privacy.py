"""A whole application in voice mode, then where the person's data went: not to Google, not to
disk, not into any log line.

One run through the real processes (bot, Rasa, action server, relay, agency API) serves both
checks: the bot speaks with ``TTS_ENGINE=auto`` and Google is a fake behind an HTTPS proxy on
127.0.0.1 (tests/support/fake_google.py), so every text that would leave the machine is
recorded. The applicant answers with a known name, birth date, phone, region and disability,
asks for the status, gets a caregiver code, receives a push with a staff note, and finally
erases everything. The story runs on SQLite and on PostgreSQL, each with its own stack.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from gtts import gTTS

from ieomoa.conversation import messages
from ieomoa.db import session_factory
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.speech.text import speech_text
from tests.e2e.conftest import start_bot
from tests.e2e.conversation import Conversation
from tests.support.fake_google import FakeGoogle
from tests.support.stack import RasaApi, RunningStack, free_port
from tests.support.telegram_standin import SentMessage, TelegramStandIn
from tools.stack import ManagedProcess, agency_api_process, relay_process, wait_until_ready

NAME = "박서진"
BIRTH_DATE = "1991년 4월 17일"
PHONE = "010-4821-7390"
REGION = "대구 수성구에 살아요"
DISABILITY = "귀가 잘 안 들려요"  # 청각
JOBS = "제과제빵 보조"
STAFF_NOTE = "화요일 오후 면담 예정"
SLASH_MESSAGE = f"/{NAME} {PHONE} 대구 수성구"  # from a channel that does not strip the slash


@dataclass
class Run:
    """What one application left behind, and where to look."""

    chat_id: int
    telegram: TelegramStandIn
    google: FakeGoogle
    var_dir: Path
    log_dirs: list[Path]
    number: str = ""
    code: str = ""
    legacy_clip: Path | None = None
    outputs: list[str] = field(default_factory=list)

    def personal_values(self) -> list[str]:
        """Everything the person gave or was given, in the forms a text or a log may show."""
        values = [NAME, BIRTH_DATE, "1991-04-17", "19910417", PHONE, "01048217390", "010 4821 7390",
                  "수성구", "청각", DISABILITY, "안 들려", JOBS, "제과제빵", STAFF_NOTE, "면담",
                  self.number, speech_text(PHONE), speech_text(self.number), speech_text(BIRTH_DATE)]
        return [v for v in values if v]


def spoken_fragments(text: str, titles: list[str] = ()) -> set[str]:
    """The pieces gTTS sends Google for a voice note of ``text`` with its buttons."""
    spoken = speech_text(text, list(titles))
    return set(gTTS(spoken, lang="ko")._tokenize(spoken))


def served_responses(stack: RunningStack) -> dict[str, list[dict]]:
    """The responses of the model Rasa runs (nlu/domain may have changed since it was trained)."""
    response = httpx.get(f"{stack.rasa_url}/domain", params={"token": stack.env["RASA_AUTH_TOKEN"]},
                         headers={"Accept": "application/json"}, timeout=30)
    response.raise_for_status()
    return response.json()["responses"]


def as_asked(text: str) -> list[str]:
    """A domain text as users get it: a question's {progress} filled with each of its numbers."""
    if "{progress}" not in text:
        return [text]
    return [text.replace("{progress}", f"{number}/16") for number in range(1, 17)]


def fixed_fragments(responses: dict[str, list[dict]]) -> set[str]:
    """What the online voice may ever be sent: the fixed domain texts and the bot's own words."""
    allowed: set[str] = set()
    for variations in responses.values():
        for variation in variations:
            text = variation.get("text")
            if isinstance(text, str) and "{" not in text.replace("{progress}", ""):
                titles = [b["title"] for b in variation.get("buttons") or []]
                for sent in as_asked(text):
                    allowed |= spoken_fragments(sent, titles) | spoken_fragments(sent)
    for constant in vars(messages).values():
        if isinstance(constant, str):
            allowed |= spoken_fragments(constant) | spoken_fragments(messages.for_reader(constant, True))
            allowed |= spoken_fragments(constant, [messages.VOICE_OFFER_BUTTON])
    return allowed


def voice_pairs(telegram: TelegramStandIn, chat_id: int) -> list[tuple[SentMessage, bytes]]:
    """Each text the chat got with the voice note that read it (voices follow their texts in order)."""
    sent = [m for m in telegram.sent if m.chat_id == chat_id]
    waiting = [m for m in sent if m.method == "sendMessage"]
    voices = [m for m in sent if m.method == "sendVoice"]
    assert len(voices) == len(waiting), "every message is read aloud in voice mode"
    return [(text, next(iter(voice.files.values()))) for text, voice in zip(waiting, voices)]


def files_under(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        yield from (path for path in folder.rglob("*") if path.is_file())


@pytest.fixture(scope="module")
def stack(stack_per_database: RunningStack) -> RunningStack:
    """This module's stack: the story runs once on SQLite and once on PostgreSQL."""
    return stack_per_database


@pytest.fixture(scope="module")
def run(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The whole story, once: voice on, apply, status, caregiver code, a push, erasure."""
    google = FakeGoogle().start()
    telegram = TelegramStandIn().start()
    var_dir = tmp_path_factory.mktemp("var")
    logs = tmp_path_factory.mktemp("logs")
    env = dict(stack.env, TTS_ENGINE="auto", IEOMOA_VAR_DIR=str(var_dir),
               HTTPS_PROXY=google.proxy_url, https_proxy=google.proxy_url, NO_PROXY="127.0.0.1,localhost",
               TELEGRAM_BOT_TOKEN=telegram.token, TELEGRAM_API_BASE_URL=telegram.base_url,
               TELEGRAM_API_FILE_URL=telegram.file_url)
    api_port = free_port()
    processes: list[ManagedProcess] = []
    result = Run(chat_id=int(uuid.uuid4().int % 10**8 + 10**9), telegram=telegram, google=google,
                 var_dir=var_dir, log_dirs=[stack.log_dir, logs])
    try:
        processes.append(start_bot(telegram, env, logs / "bot"))
        relay = relay_process(env=env, log_dir=logs / "relay")
        api = agency_api_process(env=dict(env, AGENCY_API_PORT=str(api_port)), log_dir=logs / "api")
        processes += [relay, api]
        relay.start()
        api.start()
        wait_until_ready(f"http://127.0.0.1:{api_port}/docs", api)
        story(result, stack, api_port)
        yield result
    finally:
        for process in processes:
            process.stop()
        telegram.stop()
        google.stop()


def story(run: Run, stack: RunningStack, api_port: int) -> None:
    chat = Conversation(run.telegram, run.chat_id)
    chat.say("음성으로 들려주세요", until="음성 안내를 켰어요")
    chat.say("구직 신청할래요", until="1/16")
    chat.tap("동의해요", until="2/16")
    chat.say(NAME, until="3/16")
    chat.say(BIRTH_DATE, until="4/16")
    chat.say(PHONE, until="5/16")
    chat.say(REGION, until="6/16")
    chat.tap("동의해요", until="7/16")
    confirmed = chat.say(DISABILITY, until="8/16")
    assert "청각" in confirmed[0].text
    chat.tap("심하지 않은", until="9/16")
    chat.tap("대학교 졸업", until="10/16")
    chat.tap("아니요", until="11/16")
    chat.say(JOBS, until="12/16")
    chat.tap("시간제", until="13/16")
    chat.tap("수어통역", until="14/16")
    chat.tap("메신저로", until="15/16")
    chat.tap("동의해요", until="16/16")
    summary = chat.tap("아니요", until="이대로 제출할까요")
    assert NAME in "\n".join(m.text for m in summary)
    done = chat.tap("제출", until="접수되었어요")
    run.number = re.search(r"IEM-\d{4}-\d{6}", done[-1].text)[0]  # type: ignore[index]
    chat.say("제 신청 어떻게 됐어요?", until="단계예요")
    chat.say("보호자 연결하고 싶어요", until="연결된 보호자는 0명")
    issued = chat.tap("신청 상태만", until="보호자 연결 코드:")[-1].text
    run.code = re.search(r"(?<!\d)\d{6}(?!\d)", issued)[0]  # type: ignore[index]

    # Staff move the application with a note; the relay pushes it, read aloud.
    token = AgencyTokenService(session_factory(stack.database_url)).create("KEAD")
    response = httpx.post(f"http://127.0.0.1:{api_port}/api/v1/applications/{run.number}/status",
                          json={"status": "ASSIGNED", "note": STAFF_NOTE}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    chat._wait("면담")

    # Another channel may pass a leading "/" through; Rasa must not quote it in its log.
    RasaApi(stack).send(f"probe-{run.chat_id}", SLASH_MESSAGE)

    # A clip an older version cached under a bare hash of a personal text: erasure removes it.
    cache = run.var_dir / "tts-cache"
    cache.mkdir(exist_ok=True)
    run.legacy_clip = cache / f"{hashlib.sha256(f'espeak|False|{NAME}'.encode()).hexdigest()}.ogg"
    run.legacy_clip.write_bytes(b"OggS legacy clip")
    chat.say("내 정보 지워 주세요", until="지울까요")
    chat.tap("모두 지워 주세요", until="지웠어요")
    sent_texts = len(run.telegram.messages_to(run.chat_id))
    run.telegram.wait_for(run.chat_id, sent_texts, method="sendVoice", timeout=120)


# -- 1. Speech that keeps secrets ----------------------------------------------------------


def test_only_fixed_texts_reach_the_online_voice(run: Run, stack: RunningStack) -> None:
    texts, responses = run.google.texts, served_responses(stack)
    allowed = fixed_fragments(responses)
    leaked = [(value, text) for text in texts for value in run.personal_values() if value in text]
    # "청각" is also one of the fixed question's fifteen buttons ("4번 청각"); that is not the person.
    leaked = [(value, text) for value, text in leaked if not (value == "청각" and text in allowed)]
    assert not leaked, leaked
    assert not [text for text in texts if text not in allowed], "only fixed texts go online"
    # And the online voice was used: the questions went to Google (so this test can fail).
    assert spoken_fragments(as_asked(responses["utter_ask_applicant_name"][-1]["text"])[1]) <= set(texts)
    assert any("음성 안내를 켰어요" in text for text in texts)


def test_no_clip_of_a_personal_text_is_left_on_disk(run: Run, stack: RunningStack) -> None:
    pairs = voice_pairs(run.telegram, run.chat_id)
    personal = [(m, audio) for m, audio in pairs if any(v in m.text for v in run.personal_values() + [run.code])]
    fixed = [(m, audio) for m, audio in pairs if m.text.startswith("2/16.")]
    assert len(personal) >= 6 and fixed  # the summary, number, status, code, push … and a question
    stored = {path: path.read_bytes() for path in files_under(run.var_dir, stack.log_dir.parent)
              if path.stat().st_size < 20_000_000}
    for message, audio in personal:
        holders = [path for path, data in stored.items() if audio in data]
        assert not holders, (message.text[:40], holders)
    # The fixed question's clip is cached, under a keyed name (so the check above can fail).
    holders = [path for path, data in stored.items() if data == fixed[0][1]]
    assert holders and all(path.name.startswith("fixed-") for path in holders)
    clips = list((run.var_dir / "tts-cache").glob("*.ogg"))
    assert clips and all(clip.name.startswith("fixed-") for clip in clips)
    assert run.legacy_clip is not None and not run.legacy_clip.exists()  # gone with the erasure


# -- 2. Logs without people in them --------------------------------------------------------


def test_no_log_line_of_any_process_names_the_person(run: Run) -> None:
    logs = {path: path.read_text(encoding="utf-8", errors="replace")
            for folder in run.log_dirs for path in folder.rglob("*.log")}
    assert {"rasa.log", "actions.log", "bot.log", "relay.log", "agency-api.log"} <= {p.name for p in logs}
    values = run.personal_values() + [SLASH_MESSAGE, "대구 수성구", "대구광역시"]
    found = []
    for path, text in logs.items():
        for value in values:
            if value in text or json.dumps(value)[1:-1] in text:  # Rasa's JSON lines escape Hangul
                found.append((path.name, value))
        if re.search(rf"(?<!\d){run.code}(?!\d)", text):
            found.append((path.name, "caregiver code"))
        if "interpolator" in text:
            found.append((path.name, "interpolator error"))
    assert not found, found
    # The processes did log (the relay's push, the API's requests): this is not an empty check.
    assert "Outbox relay started" in "".join(t for p, t in logs.items() if p.name == "relay.log")
    assert "IEM-<withheld>" in "".join(t for p, t in logs.items() if p.name == "agency-api.log")
