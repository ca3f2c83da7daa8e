""""내 정보 지워 주세요" after a whole life in the service: nothing of the chat is left in either
database or in any file under var/, caregivers' rows included (SQLite and PostgreSQL).

One story per database through the real processes (bot, Rasa, action server, relay, agency
API, all with the run's var/ folder): in voice mode an applicant says something in their own
words, applies with distinctive answers, sees their stored data, links a caregiver who asks
for the status, both get a push with a staff note, and the applicant erases everything.
Then every row of every table of both databases (the app's and Rasa's tracker store) is read
as a dump would show it, with every Fernet token decrypted, and every file under var/ is read
as bytes (logs, voice clips, the endpoints file and, on SQLite, the database files with
their free pages and write-ahead log).

The one thing kept on purpose is the application number in ``audit_log.application_number``:
the access record the law asks for (ieomoa/data/privacy.json, ``audit_log``), which names
no person and is deleted by the retention sweep after its period.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import InvalidToken

from ieomoa.crypto import PURPOSES, decrypt_text, is_token, keyed_hash
from ieomoa.db import session_factory
from ieomoa.models import ProcessedUpdate
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.caregivers import sender_keys
from ieomoa.speech.text import speech_text
from tests.e2e.conftest import start_bot
from tests.e2e.conversation import Conversation
from tests.support.stack import RunningStack, free_port
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess, agency_api_process, relay_process, wait_until_ready

NAME = "윤채령"
BIRTH_DATE = "1987년 9월 14일"
PHONE = "010-6372-5194"
REGION = "충남 공주시에 살아요"
DISABILITY = "눈이 거의 안 보여요"  # 시각
SCHOOL = "햇살누리학교 전공과"
JOBS = "도예 공방 보조"
OWN_WORDS = "제 강아지 몽실이도 같이 출근해도 되나요?"
STAFF_NOTE = "담당: 서하은 상담사, 점자 자료 준비"
# Each value the person gave or was given, in the forms the service stores or shows it.
VALUES = [
    NAME, BIRTH_DATE, "1987-09-14", "19870914", "1987. 9. 14", PHONE, "01063725194", "010 6372 5194",
    "공주시", "충청남도 공주", DISABILITY, "안 보여요", SCHOOL, "햇살누리", JOBS, "도예 공방", "몽실이",
    STAFF_NOTE, "서하은", "점자 자료", speech_text(PHONE), speech_text(BIRTH_DATE),
]


@dataclass(frozen=True)
class Finding:
    """One place that still names the applicant, and what it names."""

    where: str
    what: str


@dataclass
class Story:
    """What the applicant and the caregiver did, and what there is to look for afterwards."""

    stack: RunningStack
    telegram: TelegramStandIn
    applicant: int
    caregiver: int
    number: str = ""
    seq: int = 0
    code: str = ""
    before: list[Finding] = field(default_factory=list)

    @property
    def sender(self) -> str:
        return f"tg-{self.applicant}"


def spellings(value: str) -> set[str]:
    """``value`` as text, in JSON with escaped Hangul (Rasa's log lines) and percent-encoded (URLs)."""
    escaped = json.dumps(value)[1:-1]
    upper = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m[1].upper(), escaped)
    return {value, escaped, upper, urllib.parse.quote(value), urllib.parse.quote_plus(value)}


def id_pattern(chat_id: int) -> re.Pattern[str]:
    """The chat id as a whole number (also inside ``tg-<id>``), not as part of a longer one."""
    return re.compile(rf"(?<!\d){chat_id}(?!\d)")


# -- reading everything, as a dump and as files --------------------------------------------


def opened(value: str, secret: str) -> str | None:
    """The plaintext of a Fernet token under any purpose key of ``secret``; None if none opens it."""
    for purpose in PURPOSES:
        try:
            return decrypt_text(value, purpose, secret)
        except (InvalidToken, ValueError):
            continue
    return None


def as_texts(value: Any, secret: str) -> list[str]:
    """Every way a stored value reads: itself and, for a token, its plaintext."""
    if value is None:
        return []
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if isinstance(value, str) and is_token(value):
        plain = opened(value, secret)
        assert plain is not None, "a token that no key of this run opens"
        return [text, plain]
    return [text]


def application_references(inspector: sa.Inspector, table: str) -> set[str]:
    """Columns of ``table`` that point at an application's seq."""
    return {column for foreign in inspector.get_foreign_keys(table) if foreign["referred_table"] == "applications"
            for column in foreign["constrained_columns"]}


def database_rows(url: str) -> Iterator[tuple[str, dict[str, Any], set[str]]]:
    """(table, row, columns naming an application's seq) for every row of every table."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            metadata = sa.MetaData()
            metadata.reflect(connection)
            for table in metadata.sorted_tables:
                references = application_references(inspector, table.name)
                for row in connection.execute(sa.select(table)).mappings():
                    yield table.name, dict(row), references
    finally:
        engine.dispose()


def scan_databases(story: Story) -> list[Finding]:
    """Every row of both databases that names the applicant, their application or what they said."""
    secret = story.stack.env["IEOMOA_SECRET_KEY"]
    chat_id = id_pattern(story.applicant)
    keyed_ids = {keyed_hash(purpose, story.sender, secret) for purpose in PURPOSES} | set(sender_keys(story.sender, secret))
    found: list[Finding] = []
    for url in (story.stack.database_url, tracker_store_url(story.stack.database_url)):
        for table, row, references in database_rows(url):
            for column, value in row.items():
                where = f"{table}.{column}"
                if column in references and value == story.seq:
                    found.append(Finding(where, "the application's seq"))
                for text in as_texts(value, secret):
                    if chat_id.search(text):
                        found.append(Finding(where, "the applicant's chat id"))
                    if any(key in text for key in keyed_ids):
                        found.append(Finding(where, "a keyed hash of the applicant's sender id"))
                    # The access record keeps the number on purpose; nothing else may.
                    if story.number in text and where != "audit_log.application_number":
                        found.append(Finding(where, "the application number"))
                    found += [Finding(where, said) for said in VALUES if any(form in text for form in spellings(said))]
    return sorted(set(found), key=lambda f: (f.where, f.what))


def personal_clips(story: Story) -> list[bytes]:
    """The voice notes that read the applicant's own data (each follows its text, in order)."""
    texts = story.telegram.messages_to(story.applicant)
    voices = story.telegram.messages_to(story.applicant, method="sendVoice")
    assert len(texts) == len(voices), "in voice mode every message is read aloud"
    marks = [NAME, PHONE, "공주시", SCHOOL, STAFF_NOTE, story.number, story.code]
    return [next(iter(voice.files.values())) for text, voice in zip(texts, voices)
            if any(mark in text.text for mark in marks)]


def scan_files(story: Story, var_dir: Path) -> list[Finding]:
    """Every file under var/ (recursively) that names the applicant, as raw bytes."""
    app_database = sa.engine.make_url(story.stack.database_url).database or ""
    clips = personal_clips(story)
    assert len(clips) >= 5  # the summary, the number, the stored data, the code, the push
    found: list[Finding] = []
    for path in sorted(p for p in var_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(clip in data for clip in clips):
            found.append(Finding(str(path.relative_to(var_dir)), "a voice note of a personal text"))
        text = data.decode("utf-8", errors="replace")
        where = str(path.relative_to(var_dir))
        if match := id_pattern(story.applicant).search(text):
            found.append(Finding(where, f"the applicant's chat id (at character {match.start()})"))
        # The app's SQLite files carry the access record's number (checked row by row above).
        if not (app_database and path.name.startswith(Path(app_database).name)):
            if story.number in text or speech_text(story.number) in text:
                found.append(Finding(where, "the application number"))
        if re.search(rf"(?<!\d){story.code}(?!\d)", text):
            found.append(Finding(where, "the caregiver code"))
        for value in VALUES:
            if any(form.encode() in data for form in spellings(value)):
                found.append(Finding(where, value))
    return found


# -- the story -----------------------------------------------------------------------------


def wait_until_updates_are_done(story: Story) -> None:
    """Every update the bot took is finished (its sealed copy erased); then nothing else runs."""
    sessions = session_factory(story.stack.database_url)
    deadline = time.monotonic() + 60
    while True:
        with sessions() as session:
            open_updates = session.scalar(sa.select(sa.func.count()).select_from(ProcessedUpdate)
                                          .where(ProcessedUpdate.done_at.is_(None)))
        if not open_updates:
            return
        assert time.monotonic() < deadline, f"{open_updates} updates still being handled"
        time.sleep(0.2)


def live(story: Story, telegram: TelegramStandIn, api_port: int) -> None:
    """Voice mode, own words, a whole application, a caregiver, a push to both, then erasure."""
    chat = Conversation(telegram, story.applicant)
    chat.say("음성으로 들려주세요", until="음성 안내를 켰어요")
    telegram.push_text(story.applicant, OWN_WORDS)  # any answer will do: this is what the user said
    chat.seen += len(telegram.wait_until(story.applicant, lambda m: True, after=chat.seen))
    chat.say("구직 신청할래요", until="1/16")
    chat.tap("동의해요", until="2/16")
    chat.say(NAME, until="3/16")
    chat.say(BIRTH_DATE, until="4/16")
    chat.say(PHONE, until="5/16")
    chat.say(REGION, until="6/16")
    chat.tap("동의해요", until="7/16")
    assert "시각" in chat.say(DISABILITY, until="8/16")[0].text
    chat.tap("심한 장애", until="9/16")
    chat.tap("고등학교 졸업", until="10/16")
    chat.tap("네", until="학교 이름")
    chat.say(SCHOOL, until="11/16")
    chat.say(JOBS, until="12/16")
    chat.tap("시간제", until="13/16")
    chat.tap("지원고용", until="14/16")
    chat.tap("메신저로", until="15/16")
    chat.tap("동의해요", until="16/16")
    chat.tap("네, 보내 주세요", until="교육청")
    summary = "\n".join(m.text for m in chat.tap("네, 보내 주세요", until="이대로 제출할까요"))
    assert NAME in summary and "충청남도 공주시" in summary and SCHOOL in summary
    done = chat.tap("제출", until="접수되었어요")
    story.number = re.search(r"IEM-\d{4}-\d{6}", done[-1].text)[0]  # type: ignore[index]
    shown = "\n".join(m.text for m in chat.say("내 정보 보여 주세요", until="이 채팅에 저장된 정보예요"))
    assert NAME in shown and story.number in shown

    chat.say("보호자 연결하고 싶어요", until="연결된 보호자는 0명")
    issued = chat.tap("신청 상태만", until="보호자 연결 코드:")[-1].text
    story.code = re.search(r"코드: (\d{6})", issued)[1]  # type: ignore[index]
    caregiver = Conversation(telegram, story.caregiver)
    caregiver.say("보호자예요", until="연결 코드 6자리")
    caregiver.say(story.code, until="보호자로 연결되었어요")
    assert story.number in caregiver.say("신청 상태 알려 주세요", until="신청하신 분의")[-1].text

    sessions = session_factory(story.stack.database_url)
    token = AgencyTokenService(sessions).create("KEAD")
    response = httpx.post(f"http://127.0.0.1:{api_port}/api/v1/applications/{story.number}/status",
                          json={"status": "ASSIGNED", "note": STAFF_NOTE}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    chat._wait("점자 자료")  # the applicant's push, with the note
    caregiver.seen += len(telegram.wait_until(story.caregiver, lambda m: "담당자 배정" in m.text, after=caregiver.seen))
    with sessions() as session:
        story.seq = session.scalar(sa.text("SELECT seq FROM applications WHERE number = :n"), {"n": story.number})
    wait_until_updates_are_done(story)
    story.before = scan_databases(story)

    chat.say("내 정보 지워 주세요", until="지울까요")
    chat.tap("모두 지워 주세요", until="지웠어요")
    # In voice mode each text is followed by its voice note: the last one ends the turn.
    telegram.wait_for(story.applicant, len(telegram.messages_to(story.applicant)), method="sendVoice", timeout=120)
    # The caregiver's conversation goes on (Rasa reads its blanked events) and knows of no application.
    caregiver.say("신청 상태 알려 주세요", until="아직 접수된 신청이 없어요")
    wait_until_updates_are_done(story)


@pytest.fixture(scope="module")
def story(stack_per_database: RunningStack) -> Iterator[Story]:
    """The whole story once per database, with every process writing into the run's var/."""
    stack = stack_per_database
    var_dir = stack.log_dir.parent
    telegram = TelegramStandIn().start()
    env = dict(stack.env, TTS_ENGINE="espeak", IEOMOA_VAR_DIR=str(var_dir))
    api_port = free_port()
    applicant = int(uuid.uuid4().int % 10**9 + 10**9)
    result = Story(stack=stack, telegram=telegram, applicant=applicant, caregiver=applicant + 7_654_321)
    processes: list[ManagedProcess] = []
    try:
        processes.append(start_bot(telegram, env, stack.log_dir))
        relay_env = dict(env, TELEGRAM_BOT_TOKEN=telegram.token, TELEGRAM_API_BASE_URL=telegram.base_url,
                         TELEGRAM_API_FILE_URL=telegram.file_url)
        relay = relay_process(env=relay_env, log_dir=stack.log_dir)
        api = agency_api_process(env=dict(env, AGENCY_API_PORT=str(api_port)), log_dir=stack.log_dir)
        processes += [relay, api]
        relay.start()
        api.start()
        wait_until_ready(f"http://127.0.0.1:{api_port}/docs", api)
        live(result, telegram, api_port)
        yield result
    finally:
        for process in processes:
            process.stop()
        telegram.stop()


def test_before_the_erasure_the_scan_finds_the_applicant_everywhere(story: Story) -> None:
    places = {finding.where for finding in story.before}
    # The same scan, run before "네": it sees the application, its steps and pushes, the
    # chat, the caregiver link and the conversation, so its silence afterwards means something.
    assert {"applications.name", "timeline_entries.note", "timeline_entries.application_seq",
            "outbox.application_seq", "chats.sender_id", "caregiver_links.applicant_sender_id",
            "events.sender_id", "events.data"} <= places
    assert Finding("events.data", "몽실이") in story.before  # their own words, decrypted
    assert Finding("applications.name", NAME) in story.before


def test_no_row_of_either_database_names_the_applicant_after_erasure(story: Story) -> None:
    leftovers = scan_databases(story)
    assert not leftovers, "\n".join(f"{f.where}: {f.what}" for f in leftovers)
    # The caregiver's own chat stays, knowing nothing of the application.
    engine = sa.create_engine(story.stack.database_url)
    with engine.connect() as connection:
        chats = list(connection.execute(sa.text("SELECT sender_id FROM chats")).scalars())
        erased = list(connection.execute(sa.text(
            "SELECT agency, action FROM audit_log WHERE application_number = :n AND action = 'erased'"),
            {"n": story.number}))
    engine.dispose()
    assert chats == [f"tg-{story.caregiver}"]
    assert erased == [("APPLICANT", "erased")]


def test_no_file_under_var_names_the_applicant_after_erasure(story: Story) -> None:
    var_dir = story.stack.log_dir.parent
    names = {path.name for path in var_dir.rglob("*") if path.is_file()}
    assert {"rasa.log", "actions.log", "bot.log", "relay.log", "agency-api.log", "endpoints.yml"} <= names
    assert any(name.endswith(".ogg") for name in names)  # voice clips were cached (fixed texts only)
    leftovers = scan_files(story, var_dir)
    assert not leftovers, "\n".join(f"{f.where}: {f.what}" for f in leftovers)
