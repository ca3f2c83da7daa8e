"""Staff move an application through the agency API; the applicant hears each step by message."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ieomoa.db import session_factory
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.applications import ApplicationService
from tests.support.applications import draft
from tests.support.stack import RunningStack, free_port
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess, agency_api_process, relay_process, wait_until_ready


@pytest.fixture(scope="module")
def agency_api(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The agency API process on a free port; yields its base URL."""
    port = free_port()
    process = agency_api_process(env=dict(stack.env, AGENCY_API_PORT=str(port)), log_dir=tmp_path_factory.mktemp("api"))
    process.start()
    base = f"http://127.0.0.1:{port}"
    wait_until_ready(f"{base}/docs", process)
    yield base
    process.stop()


@pytest.fixture(scope="module")
def relay(stack: RunningStack, telegram: TelegramStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedProcess]:
    """The outbox relay process pushing through the stand-in."""
    env = dict(stack.env, TELEGRAM_BOT_TOKEN=telegram.token, TELEGRAM_API_BASE_URL=telegram.base_url,
               TELEGRAM_API_FILE_URL=telegram.file_url)
    process = relay_process(env=env, log_dir=tmp_path_factory.mktemp("relay"))
    process.start()
    yield process
    process.stop()


def test_three_status_changes_reach_the_applicant_in_order(
    stack: RunningStack, agency_api: str, relay: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    sessions = session_factory(stack.database_url)
    number = ApplicationService(sessions).submit(f"tg-{chat_id}", draft(), f"e2e-{chat_id}").number
    token = AgencyTokenService(sessions).create("KEAD")
    headers = {"Authorization": f"Bearer {token}"}
    for status, note in [("ASSIGNED", "담당: 김상담"), ("COUNSELING", None), ("PLAN", None)]:
        response = httpx.post(f"{agency_api}/api/v1/applications/{number}/status",
                              json={"status": status, "note": note}, headers=headers)
        assert response.status_code == 200, response.text

    pushes = telegram.wait_for(chat_id, 3)
    assert ["담당자 배정" in pushes[0].text, "초기상담" in pushes[1].text, "고용서비스계획" in pushes[2].text] == [True] * 3
    assert all(number in p.text and "문의해 주세요" in p.text for p in pushes)
    assert "담당: 김상담" in pushes[0].text

    refused = httpx.post(f"{agency_api}/api/v1/applications/{number}/status",
                         json={"status": "CLOSED_FOREVER"}, headers=headers)
    assert refused.status_code == 422
    assert httpx.get(f"{agency_api}/api/v1/applications", headers={"Authorization": "Bearer x"}).status_code == 401


def test_caregiver_links_by_code_sees_status_and_gets_the_same_pushes_until_removed(
    stack: RunningStack, agency_api: str, relay: ManagedProcess, telegram: TelegramStandIn, bot: ManagedProcess,
    chat_id: int,
) -> None:
    import re

    from sqlalchemy import func, select

    from ieomoa.models import OutboxMessage
    from tests.e2e.conversation import Conversation

    sessions = session_factory(stack.database_url)
    number = ApplicationService(sessions).submit(f"tg-{chat_id}", draft(), f"e2e-{chat_id}").number
    applicant = Conversation(telegram, chat_id)
    caregiver_chat = chat_id + 500_000
    caregiver = Conversation(telegram, caregiver_chat)

    applicant.say("보호자 연결하고 싶어요", until="연결된 보호자는 0명")
    issued = applicant.tap("신청 상태만", until="보호자 연결 코드:")[-1].text
    code = re.search(r"코드: (\d{6})", issued).group(1)  # type: ignore[union-attr]
    assert " ".join(code) in issued  # also read digit by digit

    caregiver.say("보호자예요", until="연결 코드 6자리")
    caregiver.say("000000" if code != "000000" else "111111", until="맞지 않거나")
    caregiver.say(code, until="보호자로 연결되었어요")
    status = caregiver.say("신청 상태 알려 주세요", until="신청하신 분의")[-1].text
    assert number in status and "접수" in status and "시각" not in status  # no 민감정보

    headers = {"Authorization": f"Bearer {AgencyTokenService(sessions).create('KEAD')}"}
    for step in ("ASSIGNED", "COUNSELING", "PLAN"):
        response = httpx.post(f"{agency_api}/api/v1/applications/{number}/status", json={"status": step}, headers=headers)
        assert response.status_code == 200, response.text
    caregiver_pushes = telegram.wait_until(caregiver_chat, lambda m: "고용서비스계획" in m.text, after=caregiver.seen)
    assert len(caregiver_pushes) == 3 and all("신청하신 분의 신청" in p.text for p in caregiver_pushes)
    applicant_pushes = telegram.wait_until(chat_id, lambda m: "고용서비스계획" in m.text, after=applicant.seen)
    assert len(applicant_pushes) == 3
    applicant.seen += 3

    applicant.say("보호자 연결 끊어 주세요", until="연결된 보호자는 1명")
    [choices] = applicant.tap("보호자 연결 끊기", until="어느 보호자")
    assert len(choices.buttons) == 1 and choices.buttons[0]["text"].endswith("에 연결한 보호자")
    applicant.tap("연결한 보호자", until="연결을 끊었어요")
    response = httpx.post(f"{agency_api}/api/v1/applications/{number}/status", json={"status": "SERVICES"}, headers=headers)
    assert response.status_code == 200
    with sessions() as session:
        rows = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == caregiver_chat))
    assert rows == 3  # nothing new is queued for the removed caregiver


def test_wrong_codes_link_nothing_and_are_limited(
    stack: RunningStack, telegram: TelegramStandIn, bot: ManagedProcess, chat_id: int
) -> None:
    from tests.e2e.conversation import Conversation

    stranger = Conversation(telegram, chat_id)
    stranger.say("보호자 코드 받았어요", until="연결 코드 6자리")
    # Switching to 쉬운 말 mid-way is not a try at a code; the question comes again.
    stranger.say("쉬운 말로 해 주세요", until="숫자 6개를 보내 주세요")
    stranger.say("일이삼사오육", until="숫자 6개예요")  # not a code: a hint, not a wrong try
    for _ in range(5):
        stranger.say("123123", until="맞지 않아요")
    stranger.say("123124", until="한 시간 뒤에")  # the sixth try in an hour is refused
    stranger.say("신청 상태 알려 주세요", until="아직 받은 신청이 없어요")
