""""내 정보 지워 주세요": asked once, then the application, links and conversation are gone."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from ieomoa.db import session_factory
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService
from ieomoa.services.chats import ChatService
from ieomoa.stack import ManagedProcess
from tests.e2e.conversation import Conversation
from tests.support.applications import draft
from tests.support.stack import RunningStack
from tests.support.telegram_standin import TelegramStandIn


def stored_events(stack: RunningStack, sender: str) -> int:
    engine = create_engine(tracker_store_url(stack.database_url))
    with engine.connect() as connection:
        found = connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    engine.dispose()
    return int(found or 0)


def test_erasure_is_confirmed_then_removes_everything(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    sessions = session_factory(stack.database_url)
    sender = f"tg-{chat_id}"
    chat = Conversation(telegram, chat_id)
    chat.say("안녕하세요", until="무엇을 도와드릴까요")
    chat.say("쉬운 말로 해 주세요", until="쉬운 말로 할게요")
    chat.say("음성으로 들려주세요", until="소리로도 들려줄게요")
    assert stored_events(stack, sender) > 0
    applications, caregivers = ApplicationService(sessions), CaregiverService(sessions)
    number = applications.submit(sender, draft(), f"e2e-{chat_id}").number
    caregivers.redeem(f"tg-{chat_id + 1}", caregivers.issue_code(sender, share_sensitive=False).code)

    [question] = chat.say("내 정보 지워 주세요", until="지울까요")
    assert [b["text"] for b in question.buttons] == ["1번 네, 모두 지워 주세요", "2번 아니요, 그대로 둘게요"]
    chat.tap("아니요", until="알겠어요")
    assert applications.latest_for(sender) is not None  # "no" keeps everything

    chat.say("개인정보 삭제해 주세요", until="지울까요")
    voices = len(telegram.wait_for(chat_id, 4, method="sendVoice"))  # one per reply since voice went on
    [done] = chat.say("네", until="지웠어요")
    assert done.text.startswith("다 지웠어요. 신청서 1개")  # still in 쉬운 말 for this last reply
    telegram.wait_for(chat_id, voices + 1, method="sendVoice")  # and still read aloud
    assert applications.latest_for(sender) is None
    assert caregivers.caregivers_of(sender) == []
    assert ChatService(sessions).get(sender) is None
    assert stored_events(stack, sender) == 0  # the conversation is gone from Rasa's tracker store

    [greeting, _offer] = chat.say("안녕하세요", until="쉬운 말로 볼 수도")  # a first visit again
    assert greeting.text.startswith("안녕하세요. 이어모아 취업지원 챗봇이에요.")
    [status] = chat.say("신청 상태 알려 주세요", until="신청")
    assert status.text.startswith("아직 접수된 신청이 없어요") and number not in status.text
    assert len(telegram.messages_to(chat_id, method="sendVoice")) == voices + 1  # the choices went too
