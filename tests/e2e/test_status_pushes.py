"""Staff move an application through the agency API; the applicant hears each step by message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ieomoa.db import session_factory
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.applications import ApplicationService
from ieomoa.stack import ManagedProcess, agency_api_process, relay_process, wait_until_ready
from tests.support.applications import draft
from tests.support.stack import RunningStack, free_port
from tests.support.telegram_standin import TelegramStandIn


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
