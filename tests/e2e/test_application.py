"""The guided application, end to end: Telegram stand-in → bot → Rasa → actions → database."""

from __future__ import annotations

from pathlib import Path

from ieomoa.crypto import unseal
from ieomoa.db import session_factory
from ieomoa.services.applications import ApplicationService
from tests.e2e.conversation import Conversation
from tests.support.stack import RunningStack
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess


def applications(stack: RunningStack) -> ApplicationService:
    return ApplicationService(session_factory(stack.database_url))


def test_full_application_by_buttons(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("안녕하세요", until="무엇을 도와드릴까요")
    chat.tap("구직 신청하기", until="1/16")
    chat.tap("동의해요", until="2/16")
    chat.say("김하나", until="3/16")
    chat.say("1995-07-01", until="4/16")
    chat.say("01022223333", until="5/16")
    chat.say("서울 강남구", until="6/16")
    chat.tap("동의해요", until="7/16")
    replies = chat.tap("13번 지적", until="8/16")
    assert "지적 장애로 적어 둘게요" in replies[0].text
    chat.tap("심한 장애", until="9/16")
    chat.tap("고등학교 졸업", until="10/16")
    chat.tap("네", until="학교 이름")
    chat.say("한빛학교 전공과", until="11/16")
    chat.say("제과제빵", until="12/16")
    chat.tap("시간제", until="13/16")
    chat.tap("지원고용", until="14/16")
    chat.tap("행정복지센터 방문", until="15/16")
    chat.tap("동의해요", until="16/16")
    chat.tap("네, 보내 주세요", until="교육청")
    summary = chat.tap("네, 보내 주세요", until="이대로 제출할까요")
    summary_text = "\n".join(m.text for m in summary)
    assert "장애 유형: 지적" in summary_text and "사는 곳: 서울특별시 강남구" in summary_text
    assert "한국장애인고용공단, 행정복지센터와 교육청" in summary_text

    done = chat.tap("제출", until="추천해요")
    assert "IEM-2026-" in done[0].text and "접수되었어요" in done[0].text
    assert "지원고용" in done[-1].text  # severe intellectual disability → supported employment

    application = applications(stack).latest_for(f"tg-{chat_id}")
    assert application is not None and application.status == "RECEIVED"
    assert application.routed_to == ["KEAD", "LOCAL_CENTER", "EDU_OFFICE"]
    assert application.region == "서울특별시 강남구" and application.school == "한빛학교 전공과"
    assert "지적" not in application.sensitive  # encrypted at rest
    assert unseal(application.sensitive, stack.env["IEOMOA_SECRET_KEY"])["disability_types"] == ["지적"]
    assert [e.status for e in application.timeline] == ["RECEIVED"]


def test_free_text_application_with_two_corrections_and_a_question(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("구직 신청하고 싶어요", until="1/16")
    chat.say("네 동의해요", until="2/16")
    chat.say("제 이름은 이민준이에요", until="3/16")
    chat.say("1988년 12월 3일", until="4/16")
    chat.say("아 생년월일 틀렸어", until="3/16")
    chat.say("881204", until="4/16")
    chat.say("010 3333 4444", until="5/16")
    chat.say("부산 해운대구에 살아요", until="6/16")
    faq = chat.say("개인정보는 어디에 쓰여요?", until="6/16")
    assert "구직 지원과 진행 알림에만" in faq[0].text  # answered, then the same question again
    chat.say("네", until="7/16")
    chat.say("귀가 잘 안 들려요", until="8/16")
    chat.say("5급이에요", until="9/16")
    chat.say("대학교 졸업했어요", until="10/16")
    chat.say("아니요", until="11/16")
    chat.say("사무보조나 디자인", until="12/16")
    chat.say("상관없어요", until="13/16")
    chat.say("수어 통역이 필요해요", until="14/16")
    chat.say("메신저로 해 주세요", until="15/16")
    chat.say("네", until="16/16")
    chat.say("아니요", until="이대로 제출할까요")
    chat.say("주소 잘못 말했어요", until="5/16")
    summary = chat.say("부산 수영구", until="이대로 제출할까요")
    summary_text = "\n".join(m.text for m in summary)
    assert "생년월일: 1988년 12월 4일" in summary_text
    assert "사는 곳: 부산광역시 수영구" in summary_text
    assert "신청서를 받는 곳: 한국장애인고용공단" in summary_text
    done = chat.say("네 제출할게요", until="수어")
    assert "접수되었어요" in done[0].text

    application = applications(stack).latest_for(f"tg-{chat_id}")
    assert application is not None
    assert application.birth_date.isoformat() == "1988-12-04"
    assert application.region == "부산광역시 수영구" and application.routed_to == ["KEAD"]
    assert unseal(application.sensitive, stack.env["IEOMOA_SECRET_KEY"])["severity"] == "심하지않은"


def test_wrong_answer_gets_one_explanation_and_the_question_once(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("구직 신청할래요", until="1/16")
    chat.say("네", until="2/16")
    chat.say("최가은", until="3/16")
    replies = chat.say("2020년 1월 1일", until="3/16")
    assert len(replies) == 2  # one explanation, then the question exactly once
    assert "만 15세" in replies[0].text and replies[1].text.startswith("3/16.")
    replies = chat.say("어제요", until="3/16")
    # The third ask in a row says how to answer and offers help and a counselor instead.
    assert len(replies) == 2 and "세 번째" in replies[0].text and "상담사" in replies[0].text
    chat.say("2000.2.29", until="4/16")


def test_refusing_sensitive_consent_stops_kindly_and_stores_nothing(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("구직 신청", until="1/16")
    chat.say("네", until="2/16")
    chat.say("정다은", until="3/16")
    chat.say("990101", until="4/16")
    chat.say("01044445555", until="5/16")
    chat.say("대전 유성구", until="6/16")
    replies = chat.say("아니요", until="멈출게요")
    assert "지웠어요" in replies[-1].text
    assert applications(stack).latest_for(f"tg-{chat_id}") is None
    chat.say("구직 신청할래요", until="1/16")  # a fresh start: nothing kept from before


def test_cancel_midway_forgets_the_draft(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("구직 신청할래요", until="1/16")
    chat.say("네", until="2/16")
    chat.say("그만할래요", until="지웠어요")
    chat.say("구직 신청할래요", until="구직 신청을 시작할게요")


def test_double_submit_creates_one_application(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = fill_until_summary(telegram, chat_id)
    summary = chat.last_with_buttons
    assert summary is not None
    submit = next(b for b in summary.buttons if "제출" in b["text"])
    telegram.press(chat_id, submit, on=summary)
    telegram.press(chat_id, submit, on=summary)  # a second tap on the same old keyboard
    chat._wait("접수되었어요")
    telegram.push_text(chat_id, "고마워요")
    chat._wait("천만에요")
    assert applications(stack).count_for(f"tg-{chat_id}") == 1


def test_restart_of_every_process_resumes_at_the_same_field(
    stack: RunningStack, telegram: TelegramStandIn, tmp_path: Path, chat_id: int, bot: ManagedProcess
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("구직 신청할래요", until="1/16")
    chat.say("네", until="2/16")
    chat.say("한지우", until="3/16")
    chat.say("1979년 5월 20일", until="4/16")

    bot.stop()
    stack.restart()
    bot.start()
    telegram.wait_for_call("getUpdates", bot)

    chat.say("01099998888", until="5/16")  # the conversation continues at the phone question
    chat.say("안녕하세요", until="5/16")  # greeting mid-form: resumes the same question
    assert "이어서" in chat.texts()[-2]


def fill_until_summary(telegram: TelegramStandIn, chat_id: int) -> Conversation:
    """Answer every question with short valid answers."""
    chat = Conversation(telegram, chat_id)
    answers = [
        ("구직 신청할래요", "1/16"), ("네", "2/16"), ("오세훈", "3/16"), ("19801010", "4/16"),
        ("01012341234", "5/16"), ("제주시", "6/16"), ("네", "7/16"), ("1", "8/16"), ("2", "9/16"),
        ("3", "10/16"), ("2", "11/16"), ("모르겠어요", "12/16"), ("1", "13/16"), ("8", "14/16"),
        ("2", "15/16"), ("1", "16/16"), ("2", "이대로 제출할까요"),
    ]
    for text, until in answers:
        chat.say(text, until=until)
    return chat
