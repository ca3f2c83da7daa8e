""""내 정보 보여 주세요": the owner sees what is stored, a caregiver the status only.

action_show_my_data runs on the real services and database (SQLite and PostgreSQL), as the
action server runs it; the tracker is built the way Rasa sends it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, sessionmaker

from actions import services
from actions.privacy import ActionShowMyData
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService
from ieomoa.services.chats import ChatService
from ieomoa.services.status import Caller, StatusService
from tests.support.applications import draft

APPLICANT, CAREGIVER = "tg-7001", "tg-7002"
DOMAIN_DIR = Path(__file__).resolve().parents[2] / "nlu" / "domain"


@cache
def domain() -> dict[str, Any]:
    """The responses of nlu/domain/*.yml, as the action server receives them."""
    responses: dict[str, Any] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        responses.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return {"responses": responses}


@pytest.fixture
def wired(sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    """The action's services on the test database, with a known key."""
    monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("IEOMOA_SECRET_KEY", "show-my-data-test-secret-0123456789")
    monkeypatch.setattr(services, "applications", lambda: ApplicationService(sessions))
    monkeypatch.setattr(services, "caregivers", lambda: CaregiverService(sessions))
    monkeypatch.setattr(services, "chats", lambda: ChatService(sessions))
    return sessions


def asked_by(sender: str, slots: dict[str, Any] | None = None) -> Tracker:
    text = "내 정보 보여 주세요"
    message = {"text": text, "intent": {"name": "show_my_data", "confidence": 0.95}, "entities": []}
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": message}]
    return Tracker(sender, dict(slots or {}), message, events, False, None, {}, "action_listen")


async def shown(sender: str, slots: dict[str, Any] | None = None) -> tuple[str, str]:
    """(response name, the text a user reads) of the action's one message."""
    dispatcher = CollectingDispatcher()
    assert await ActionShowMyData().run(dispatcher, asked_by(sender, slots), domain()) == []
    [message] = dispatcher.messages
    name = message["response"]
    template = next(v["text"] for v in domain()["responses"][name] if not v.get("condition"))
    needed = set(re.findall(r"{(\w+)}", template))
    assert needed <= set(message), f"{name} needs {needed - set(message)}"
    return name, template.format(**{key: message[key] for key in needed})


async def test_the_applicant_sees_every_field_caregivers_by_time_and_choices(wired: sessionmaker[Session]) -> None:
    number = ApplicationService(wired).submit(APPLICANT, draft(consent_local_center=True), "show-1").number
    StatusService(wired).change(Caller("KEAD"), number, "ASSIGNED", "담당: 김상담")
    caregivers = CaregiverService(wired)
    caregivers.redeem(CAREGIVER, caregivers.issue_code(APPLICANT, share_sensitive=True).code)
    ChatService(wired).set_voice_speed(APPLICANT, "telegram", slow=True)

    name, text = await shown(APPLICANT)

    assert name == "utter_my_data"
    for stored in (number, "'담당자 배정' 단계", "홍길동", "1990년 3월 5일", "010-1234-5678", "경기도 수원시",
                   "장애 유형: 시각", "장애 정도: 심한 장애", "희망 직업: 바리스타", "필요한 지원: 보조공학기기",
                   "한국장애인고용공단과 행정복지센터", "담당: 김상담"):
        assert stored in text, stored
    assert "연결된 보호자: 1명" in text and "에 연결, 신청 상태와 장애 정보를 봐요" in text
    assert "7002" not in text  # a caregiver is known by when they were linked, never by their chat
    assert "음성 메시지: 켜짐, 천천히" in text and "쉬운 말: 꺼짐" in text
    assert "90일" in text and "30일" in text


async def test_a_caregiver_sees_the_status_and_nothing_more(wired: sessionmaker[Session]) -> None:
    number = ApplicationService(wired).submit(APPLICANT, draft(), "show-2").number
    caregivers = CaregiverService(wired)
    # Even with disability details shared for status messages, "my data" shows the status only.
    caregivers.redeem(CAREGIVER, caregivers.issue_code(APPLICANT, share_sensitive=True).code)

    name, text = await shown(CAREGIVER)

    assert name == "utter_my_data_caregiver"
    assert "'접수' 단계" in text and "보호자로 연결" in text and "음성 메시지: 꺼짐" in text
    for private in (number, "홍길동", "1990", "010", "수원", "시각", "심한", "바리스타", "7001"):
        assert private not in text, private


async def test_a_draft_in_progress_is_shown_as_not_sent(wired: sessionmaker[Session]) -> None:
    slots = {"draft_id": "d-1", "applicant_name": "김하나", "birth_date": "1995-07-01", "phone": "01022223333",
             "severity": "심하지않은", "disability_types": ["지적", "자폐성"]}

    name, text = await shown(APPLICANT, slots)

    assert name == "utter_my_data" and "보낸 신청서: 없음" in text
    assert "작성 중인 신청서(아직 보내지 않았어요)" in text
    for answer in ("이름: 김하나", "생년월일: 1995년 7월 1일", "휴대전화 번호: 010-2222-3333",
                   "장애 유형: 지적, 자폐성", "장애 정도: 심하지 않은 장애"):
        assert answer in text, answer


async def test_a_chat_with_nothing_stored_hears_so(wired: sessionmaker[Session]) -> None:
    ChatService(wired).set_easy_read(APPLICANT, "telegram", True)

    name, text = await shown(APPLICANT)

    assert name == "utter_my_data"
    assert "보낸 신청서: 없음" in text and "쉬운 말: 켜짐" in text
    assert "작성 중인" not in text and "연결된 보호자" not in text

