""""내 정보 지워 주세요": asked once, then the application, links and conversation are gone."""

from __future__ import annotations

from ieomoa.db import session_factory
from ieomoa.models import ErasureRequest
from ieomoa.services.applications import ApplicationService
from ieomoa.services.caregivers import CaregiverService
from ieomoa.services.chats import ChatService
from tests.e2e.conversation import Conversation
from tests.support.applications import draft
from tests.support.stack import RunningStack, stored_events
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess


def test_erasure_is_confirmed_then_removes_everything(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    sessions = session_factory(stack.database_url)
    sender = f"tg-{chat_id}"
    chat = Conversation(telegram, chat_id)
    chat.say("안녕하세요", until="무엇을 도와드릴까요")
    chat.say("쉬운 말로 해 주세요", until="쉬운 말로 할게요")
    chat.say("음성으로 들려주세요", until="소리로도 들려줄게요")
    assert stored_events(stack, sender)
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
    assert stored_events(stack, sender) == []  # the conversation is gone from Rasa's tracker store
    with sessions() as session:  # and nothing is left for the relay's sweep
        assert session.get(ErasureRequest, sender) is None

    [greeting, _offer] = chat.say("안녕하세요", until="쉬운 말로 볼 수도")  # a first visit again
    assert greeting.text.startswith("안녕하세요. 이어모아 취업지원 챗봇이에요.")
    [status] = chat.say("신청 상태 알려 주세요", until="신청")
    assert status.text.startswith("아직 접수된 신청이 없어요") and number not in status.text
    assert len(telegram.messages_to(chat_id, method="sendVoice")) == voices + 1  # the choices went too


def test_yes_to_erasure_at_the_summary_erases_instead_of_submitting(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("구직 신청할래요", until="1/16")
    for answer, next_question in [
        ("네", "2/16"), ("박서준", "3/16"), ("1992년 4월 8일", "4/16"), ("010-5555-6666", "5/16"),
        ("대전 유성구", "6/16"), ("네", "7/16"), ("지체", "8/16"), ("2", "9/16"), ("고졸", "10/16"),
        ("아니요", "11/16"), ("사무보조", "12/16"), ("전일제", "13/16"), ("없음", "14/16"),
        ("전화", "15/16"), ("네", "16/16"), ("아니요", "이대로 제출할까요"),
    ]:
        chat.say(answer, until=next_question)
    chat.say("내 정보 다 지워 주세요", until="지울까요")
    [done] = chat.say("네", until="지웠어요")
    assert "대화 기록과 설정을 지웠어요" in done.text  # nothing had been submitted
    assert ApplicationService(session_factory(stack.database_url)).latest_for(f"tg-{chat_id}") is None
    assert stored_events(stack, f"tg-{chat_id}") == []


def test_an_old_yes_button_of_an_answered_erasure_question_erases_nothing(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    sessions = session_factory(stack.database_url)
    sender = f"tg-{chat_id}"
    ApplicationService(sessions).submit(sender, draft(), f"e2e-old-{chat_id}")
    chat = Conversation(telegram, chat_id)
    [question] = chat.say("내 정보 지워 주세요", until="지울까요")
    chat.tap("아니요", until="알겠어요")
    yes = next(b for b in question.buttons if "네" in b["text"])
    telegram.press(chat_id, yes, on=question)  # long after "아니요": no longer pending
    chat._wait("이 버튼은")
    assert ApplicationService(sessions).latest_for(sender) is not None


def test_a_button_from_another_chat_does_nothing_here(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    sessions = session_factory(stack.database_url)
    victim, stranger = chat_id, chat_id + 500_000
    ApplicationService(sessions).submit(f"tg-{victim}", draft(), f"e2e-foreign-{victim}")
    [question] = Conversation(telegram, victim).say("내 정보 지워 주세요", until="지울까요")
    yes = next(b for b in question.buttons if "네" in b["text"])
    stranger_chat = Conversation(telegram, stranger)
    stranger_chat.say("안녕하세요", until="무엇을 도와드릴까요")
    telegram.press(stranger, yes, on=stranger_chat.last_with_buttons)  # the victim's token
    stranger_chat._wait("이 버튼은")
    assert ApplicationService(sessions).latest_for(f"tg-{victim}") is not None
