"""People who type instead of tapping, and who answer in whole sentences, can apply."""

from __future__ import annotations

from ieomoa.crypto import unseal
from ieomoa.db import session_factory
from ieomoa.services.applications import ApplicationService
from tests.e2e.conversation import Conversation
from tests.support.stack import RunningStack
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess


def latest_application(stack: RunningStack, chat_id: int):  # noqa: ANN201 - an ORM row
    return ApplicationService(session_factory(stack.database_url)).latest_for(f"tg-{chat_id}")


def test_applying_by_typing_only_the_buttons_words(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("안녕하세요", until="무엇을 도와드릴까요")
    chat.say("구직 신청하기", until="1/16")
    chat.say("동의해요", until="2/16")
    chat.say("김하나", until="3/16")
    chat.say("1995-07-01", until="4/16")
    chat.say("01022223333", until="5/16")
    chat.say("서울 강남구", until="6/16")
    chat.say("동의해요", until="7/16")
    chat.say("지적", until="8/16")
    chat.say("심한 장애", until="9/16")
    chat.say("고등학교 졸업", until="10/16")
    chat.say("아니요", until="11/16")
    chat.say("바리스타", until="12/16")
    chat.say("시간제", until="13/16")
    chat.say("6", until="14/16")  # 6번 지원고용, by its number
    chat.say("메신저로", until="15/16")
    chat.say("동의해요", until="16/16")
    chat.say("네, 보내 주세요", until="이대로 제출할까요")
    done = chat.say("제출", until="접수되었어요")
    assert "IEM-2026-" in done[-1].text

    application = latest_application(stack, chat_id)
    assert application is not None and application.routed_to == ["KEAD", "LOCAL_CENTER"]
    assert application.jobs == ["바리스타"] and application.employment_type == "시간제"
    sensitive = unseal(application.sensitive, stack.env["IEOMOA_SECRET_KEY"])
    assert sensitive["disability_types"] == ["지적"] and sensitive["support_needs"] == ["지원고용"]


def test_applying_in_whole_sentences(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("일자리 신청하려고 왔어요", until="1/16")
    chat.say("네 동의합니다", until="2/16")
    chat.say("제 이름은 박서준입니다", until="3/16")
    chat.say("2008년 3월 2일에 태어났어요", until="4/16")
    chat.say("제 번호는 010-2345-6789예요", until="5/16")
    replies = chat.say("인천 영종구에 살아요", until="6/16")
    assert not any("중구" in m.text for m in replies)
    chat.say("네 괜찮아요", until="7/16")
    replies = chat.say("눈이 거의 안 보여요", until="8/16")
    assert "시각 장애로 적어 둘게요" in replies[0].text
    chat.say("옛날 2급이에요", until="9/16")
    replies = chat.say("고등학교 다니고 있어요", until="10/16")
    assert any("중학교 졸업" in m.text for m in replies), [m.text for m in replies]  # not finished: said back
    chat.say("네 특수학교 다녀요", until="학교 이름")
    chat.say("인천 한빛학교 다녀요", until="11/16")
    chat.say("안마사나 콜센터 상담 일을 하고 싶어요", until="12/16")
    chat.say("몇 시간만 일하고 싶어요", until="13/16")
    chat.say("화면 읽어 주는 프로그램이 필요해요", until="14/16")
    chat.say("전화로 연락 주세요", until="15/16")
    chat.say("네 그렇게 해 주세요", until="16/16")
    chat.say("아니요 주민센터엔 안 보낼래요", until="16/16")
    summary = chat.say("네 교육청에도 보내 주세요", until="이대로 제출할까요")
    summary_text = "\n".join(m.text for m in summary)
    assert "사는 곳: 인천광역시 영종구" in summary_text
    assert "희망 직업: 안마사, 콜센터 상담" in summary_text
    done = chat.say("네 이대로 제출할게요", until="접수되었어요")
    assert "IEM-2026-" in "\n".join(m.text for m in done)

    application = latest_application(stack, chat_id)
    assert application is not None
    assert application.region == "인천광역시 영종구" and application.education == "중졸"
    assert application.special_education_student and application.routed_to == ["KEAD", "EDU_OFFICE"]
    assert application.phone == "01023456789" and application.contact_preference == "전화"
    sensitive = unseal(application.sensitive, stack.env["IEOMOA_SECRET_KEY"])
    assert sensitive["disability_types"] == ["시각"] and sensitive["severity"] == "심한"
    assert sensitive["support_needs"] == ["보조공학기기"]
