"""KakaoTalk end to end: Kakao stand-in → skill server (python -m kakao) → Rasa → actions → DB.

Every answer of every test passes the stand-in's checks of Kakao's format and limits.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bench.support.kakao_standin import BOT_ID, REST_API_KEY, KakaoStandIn, KakaoUser
from ieomoa.channels import kakao_sender
from ieomoa.db import session_factory
from ieomoa.models import OutboxMessage
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.applications import ApplicationService
from ieomoa.statuses import OutboxState
from tests.support.applications import draft
from tests.support.stack import RasaApi, RunningStack, free_port
from tools.stack import (
    ManagedProcess,
    agency_api_process,
    kakao_process,
    relay_process,
    wait_until_ready,
)

SKILL_SECRET = secrets.token_urlsafe(24)


def user_key() -> str:
    """A botUserKey as Kakao issues them: 66 hexadecimal characters."""
    return secrets.token_hex(33)


def start_skill(stack: RunningStack, log_dir: Path, **extra: str) -> tuple[ManagedProcess, str]:
    """The skill server on a free port; its /kakao/skill URL."""
    port = free_port()
    env = dict(stack.env, KAKAO_SKILL_SECRET=SKILL_SECRET, KAKAO_SKILL_PORT=str(port), **extra)
    process = kakao_process(env=env, log_dir=log_dir)
    process.start()
    wait_until_ready(f"http://127.0.0.1:{port}/health", process)
    return process, f"http://127.0.0.1:{port}/kakao/skill"


@pytest.fixture(scope="module")
def kakao(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KakaoStandIn]:
    """The stand-in talking to a skill server that answers within its 4.5 s."""
    process, url = start_skill(stack, tmp_path_factory.mktemp("kakao"))
    standin = KakaoStandIn(url, SKILL_SECRET).start()
    yield standin
    standin.stop()
    process.stop()
    assert standin.violations == []


@pytest.fixture(scope="module")
def slow_kakao(
    stack: RunningStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KakaoStandIn]:
    """A skill server whose direct-answer deadline is 0 s: every turn is too slow to answer."""
    process, url = start_skill(
        stack, tmp_path_factory.mktemp("kakao-slow"), IEOMOA_KAKAO_DEADLINE_SECONDS="0"
    )
    standin = KakaoStandIn(url, SKILL_SECRET).start()
    yield standin
    standin.stop()
    process.stop()
    assert standin.violations == []


@pytest.fixture(scope="module")
def agency_api(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The agency API on a free port; its base URL."""
    port = free_port()
    process = agency_api_process(
        env=dict(stack.env, AGENCY_API_PORT=str(port)), log_dir=tmp_path_factory.mktemp("api")
    )
    process.start()
    wait_until_ready(f"http://127.0.0.1:{port}/docs", process)
    yield f"http://127.0.0.1:{port}"
    process.stop()


@pytest.fixture(scope="module")
def kakao_relay(
    stack: RunningStack, kakao: KakaoStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The outbox relay with KakaoTalk's Event API (the stand-in's) and no Telegram at all."""
    env = {k: v for k, v in stack.env.items() if not k.startswith("TELEGRAM_BOT_TOKEN")}
    env.update(
        KAKAO_BOT_ID=BOT_ID,
        KAKAO_REST_API_KEY=REST_API_KEY,
        KAKAO_EVENT_API_URL=kakao.event_api_url,
    )
    process = relay_process(env=env, log_dir=tmp_path_factory.mktemp("relay"))
    process.start()
    yield
    process.stop()


def applications(stack: RunningStack) -> ApplicationService:
    return ApplicationService(session_factory(stack.database_url))


def test_whole_application_typed_and_tapped_then_its_status(
    stack: RunningStack, kakao: KakaoStandIn
) -> None:
    key = user_key()
    user = KakaoUser(
        kakao, key, callback=True
    )  # a turn slower than 4.5 s on a busy machine comes by callback
    greeting = user.say("안녕하세요", until="무엇을 도와드릴까요")
    assert greeting.quick_reply("구직 신청하기")["messageText"] == "구직 신청하기"
    labels = [r["label"] for r in greeting.quick_replies]
    assert "쉬운 말로 보기" in labels and not any(
        "음성" in label for label in labels
    )  # no voice notes here
    user.tap("구직 신청하기", until="1/16")
    user.tap("동의해요", until="2/16")
    user.say("김하나", until="3/16")
    user.say("1995-07-01", until="4/16")
    user.say("01022223333", until="5/16")
    user.say("서울 강남구", until="6/16")
    types = user.tap("동의해요", until="7/16")
    assert not types.quick_replies and "13번 지적" in types.text  # more than ten: numbered text
    assert "지적 장애로 적어 둘게요" in user.say("지적", until="8/16").text
    user.tap("심한 장애", until="9/16")
    user.tap("고등학교 졸업", until="10/16")
    user.tap("네", until="학교 이름")
    user.say("한빛학교 전공과", until="11/16")
    user.say("제과제빵", until="12/16")
    user.tap("시간제", until="13/16")
    user.tap("지원고용", until="14/16")
    user.tap("행정복지센터 방문", until="15/16")
    user.tap("동의해요", until="16/16")
    user.tap("네, 보내 주세요", until="교육청")
    summary = user.tap("네, 보내 주세요", until="이대로 제출할까요")
    assert "장애 유형: 지적" in summary.text and "사는 곳: 서울특별시 강남구" in summary.text
    done = user.tap("제출", until="접수되었어요")
    assert "지원고용" in done.text

    number = re.search(r"IEM-\d{4}-\d{6}", done.text)
    application = applications(stack).latest_for(kakao_sender(key))
    assert number is not None and application is not None and application.number == number.group(0)
    assert application.routed_to == ["KEAD", "LOCAL_CENTER", "EDU_OFFICE"]

    status = user.say("신청 상태 알려 주세요", until=number.group(0))
    assert "접수" in status.text
    assert kakao.violations == []


def test_voice_notes_are_a_telegram_feature_and_easy_read_works(kakao: KakaoStandIn) -> None:
    user = KakaoUser(kakao, user_key(), callback=True)
    reply = user.say("음성으로 들려주세요", until="텔레그램")
    assert "켰어요" not in reply.text
    user.say("쉬운 말로 해 주세요", until="쉬운 말로 할게요")
    user.say("음성으로 들려주세요", until="텔레그램에서만 돼요")  # the same, in 쉬운 말
    assert kakao.violations == []


def test_a_slow_turn_is_delivered_through_the_callback(slow_kakao: KakaoStandIn) -> None:
    user = KakaoUser(slow_kakao, user_key(), callback=True)
    greeting = user.say("안녕하세요", until="무엇을 도와드릴까요")
    assert greeting.via_callback and greeting.seconds < 5
    started = user.tap("구직 신청하기", until="1/16")
    assert started.via_callback
    assert slow_kakao.violations == []


def test_without_a_callback_the_late_answer_comes_when_the_words_come_again(
    stack: RunningStack, slow_kakao: KakaoStandIn
) -> None:
    key = user_key()
    first = slow_kakao.send(key, "안녕하세요")
    assert "잠시 후 다시 보내 주세요" in first.text and not first.via_callback
    # Sent again while the turn runs, the words join it; once it is done they get its answer.
    deadline = time.monotonic() + 60
    reply = first
    while "무엇을 도와드릴까요" not in reply.text and time.monotonic() < deadline:
        time.sleep(0.2)
        reply = slow_kakao.send(key, "안녕하세요")
    assert "무엇을 도와드릴까요" in reply.text
    events = RasaApi(stack).tracker(kakao_sender(key))["events"]
    assert [e.get("text") for e in events if e["event"] == "user"] == ["안녕하세요"]  # one turn
    assert slow_kakao.violations == []


def test_a_status_change_reaches_applicant_and_caregiver_through_the_event_api_once(
    stack: RunningStack, kakao: KakaoStandIn, agency_api: str, kakao_relay: None
) -> None:
    sessions = session_factory(stack.database_url)
    applicant_key, caregiver_key = user_key(), user_key()
    number = (
        ApplicationService(sessions)
        .submit(kakao_sender(applicant_key), draft(), f"e2e-{applicant_key[:16]}")
        .number
    )
    applicant = KakaoUser(kakao, applicant_key, callback=True)
    caregiver = KakaoUser(kakao, caregiver_key, callback=True)
    applicant.say("보호자 연결하고 싶어요", until="연결된 보호자는 0명")
    issued = applicant.tap("신청 상태만", until="보호자 연결 코드:")
    code = re.search(r"코드: (\d{6})", issued.text)
    assert code is not None
    caregiver.say("보호자예요", until="연결 코드 6자리")
    caregiver.say(code.group(1), until="보호자로 연결되었어요")

    token = AgencyTokenService(sessions).create("KEAD")
    response = httpx.post(
        f"{agency_api}/api/v1/applications/{number}/status",
        json={"status": "ASSIGNED"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text

    # Both pushes delivered (SENT), then exactly one Event API call for each of them.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with sessions() as session:
            states = session.scalars(
                select(OutboxMessage.state).where(
                    OutboxMessage.recipient.in_(
                        [kakao_sender(applicant_key), kakao_sender(caregiver_key)]
                    )
                )
            ).all()
        if len(states) == 2 and set(states) == {OutboxState.SENT}:
            break
        time.sleep(0.2)
    assert sorted(states) == [OutboxState.SENT] * 2
    [to_applicant] = kakao.events_to(applicant_key)
    [to_caregiver] = kakao.events_to(caregiver_key)
    assert "담당자 배정" in to_applicant.data["text"] and number in to_applicant.data["text"]
    assert "신청하신 분의 신청" in to_caregiver.data["text"]
    assert kakao.violations == []
