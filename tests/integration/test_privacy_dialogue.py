"""Privacy in the dialogue, on the real Rasa server and action server.

"/privacy" (the command's payload) and "개인정보 어떻게 써요?" answer with the summary and its
periods; "내 정보 보여 주세요" shows what is stored; "내 정보 보여 주지 마세요" shows nothing; the
consent question says how long data is kept and that refusing is allowed.
"""

from __future__ import annotations

import uuid

import pytest

from ieomoa.conversation.turn import COMMAND_PAYLOADS
from ieomoa.db import session_factory
from ieomoa.services.applications import ApplicationService
from ieomoa.services.retention import load_policy
from tests.support.applications import draft
from tests.support.stack import RasaApi, RunningStack

POLICY = load_policy()
PERIODS = (POLICY.label("closed_application"), POLICY.label("conversation"))


@pytest.fixture(scope="module")
def rasa(stack: RunningStack) -> RasaApi:
    return RasaApi(stack)


def new_sender() -> str:
    return f"tg-{uuid.uuid4().int % 10**9}"


def texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text") or "" for reply in replies)


def test_the_privacy_command_and_the_question_give_the_summary(rasa: RasaApi) -> None:
    command = texts(rasa.send(new_sender(), COMMAND_PAYLOADS["privacy"]))
    asked = texts(rasa.send(new_sender(), "개인정보 어떻게 써요?"))
    for summary in (command, asked):
        assert all(period in summary for period in PERIODS), summary
        assert "한국장애인고용공단" in summary and "내 정보 지워 주세요" in summary
    assert command == asked


def test_my_data_is_shown_to_its_owner_and_a_negation_shows_nothing(rasa: RasaApi, stack: RunningStack) -> None:
    sender = new_sender()
    number = ApplicationService(session_factory(stack.database_url)).submit(sender, draft(name="이보기"), sender).number

    shown = texts(rasa.send(sender, "내 정보 보여 주세요"))
    assert number in shown and "이름: 이보기" in shown and "장애 유형: 시각" in shown

    refused = texts(rasa.send(sender, "내 정보 보여 주지 마세요"))
    assert "이보기" not in refused and number not in refused


def test_the_first_consent_question_says_how_long_and_that_no_is_allowed(rasa: RasaApi) -> None:
    question = texts(rasa.send(new_sender(), "구직 신청하고 싶어요"))
    assert all(period in question for period in PERIODS), question
    assert POLICY.document["consents"]["consent_collection"]["refusal"]["normal"] in question
