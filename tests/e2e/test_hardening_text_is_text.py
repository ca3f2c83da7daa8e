"""Typed text is text, and only clear words send an application (issue 9, defects 2 and 3).

Through the real bot, Rasa and action server on PostgreSQL, as the hostile tester typed it:
"/intent{json}" behind a space, a newline, U+3000, a zero-width character or a second "/";
a hand-made ``{"answer": true}`` at the name and birth-date questions; and noise (zero-width
and filler characters, ㅋㅋㅋ, emoji, "...") at a yes/no question and at the summary, which
used to send the application. No reply of any of these chats may show a placeholder or None.
"""

from __future__ import annotations

import pytest

from ieomoa.conversation import messages
from ieomoa.db import session_factory
from ieomoa.services.applications import ApplicationService
from tests.support.applications import draft
from tests.support.stack import RasaApi, RunningStack
from tests.support.telegram_standin import TelegramStandIn
from tests.support.turns import Turns, unfilled_in
from tools.stack import ManagedProcess

ERASE_NOW = '/delete_my_data{"answer": "확인"}'
TRUE_ANSWER = '/inform{"answer": true}'
# Before the "/": what lets a message pass Telegram's command entity and the bot's filter.
PREFIXES = [" ", "\n", "\u3000", "\u200b", "/ ", "\t\u200b/\u3000"]
SUBMIT_UNCLEAR = "제출하신다는 뜻인지 확실하지 않아서 아직 보내지 않았어요. 1번 제출, 2번 수정, 3번 취소 중에 골라 주세요."
NOISE = ["\u200b\u200b\u200b", "\u3164\u3164", "ㅋㅋㅋ", "😀", "👍", "..."]


def turns(stack: RunningStack, telegram: TelegramStandIn, chat_id: int) -> Turns:
    return Turns(telegram, session_factory(stack.database_url), chat_id)


def joined(replies: list) -> str:  # noqa: ANN001 - SentMessage list
    return "\n".join(reply.text for reply in replies)


@pytest.mark.parametrize("prefix", PREFIXES, ids=["space", "newline", "U+3000", "zero-width", "second slash", "mixed"])
def test_an_intent_typed_behind_a_prefix_erases_nothing(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int, prefix: str
) -> None:
    applications = ApplicationService(session_factory(stack.database_url))
    number = applications.submit(f"tg-{chat_id}", draft(), f"hardening-prefix-{chat_id}").number
    chat = turns(stack, telegram, chat_id)
    replies = chat.say(prefix + ERASE_NOW)
    assert replies and "지웠어요" not in joined(replies)
    application = applications.latest_for(f"tg-{chat_id}")
    assert application is not None and application.number == number
    [user_text] = [e["text"] for e in RasaApi(stack).tracker(f"tg-{chat_id}")["events"] if e["event"] == "user"]
    assert not user_text.lstrip().startswith("/")  # Rasa saw text, never an intent
    assert unfilled_in(chat.texts()) == []


def test_a_hand_made_true_answer_is_neither_a_name_nor_a_crash(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = turns(stack, telegram, chat_id)
    assert "1/16" in joined(chat.say("구직 신청할래요"))
    assert "2/16" in joined(chat.say("네"))
    for prefix in (" ", "/ "):
        replies = chat.say(prefix + TRUE_ANSWER)
        assert "2/16" in joined(replies) and "3/16" not in joined(replies)  # the name question again
    slots = RasaApi(stack).tracker(f"tg-{chat_id}")["slots"]
    assert slots["applicant_name"] is None
    assert "3/16" in joined(chat.say("김하나"))
    for prefix in (" ", "\u3000"):
        replies = chat.say(prefix + TRUE_ANSWER)
        assert messages.RASA_DOWN not in joined(replies) and messages.NO_REPLY not in joined(replies)
        assert "3/16" in joined(replies) and "4/16" not in joined(replies)  # the birth date again
    assert "4/16" in joined(chat.say("1990년 3월 5일"))  # and the form goes on
    slots = RasaApi(stack).tracker(f"tg-{chat_id}")["slots"]
    assert slots["applicant_name"] == "김하나" and slots["birth_date"] == "1990-03-05"
    assert unfilled_in(chat.texts()) == []


def fill_until_summary(chat: Turns) -> None:
    """Short valid answers up to the summary; noise at the first yes/no question on the way."""
    assert "1/16" in joined(chat.say("구직 신청할래요"))
    for noise in NOISE:
        replies = chat.say(noise)
        assert "1/16" in joined(replies) and "2/16" not in joined(replies), noise  # asked again
    for text, question in [
        ("네", "2/16"), ("오세훈", "3/16"), ("19801010", "4/16"), ("01012341234", "5/16"), ("제주시", "6/16"),
        ("네", "7/16"), ("1", "8/16"), ("2", "9/16"), ("3", "10/16"), ("2", "11/16"), ("모르겠어요", "12/16"),
        ("1", "13/16"), ("8", "14/16"), ("2", "15/16"), ("1", "16/16"), ("2", "이대로 제출할까요"),
    ]:
        assert question in joined(chat.say(text)), (text, chat.texts()[-3:])


def test_noise_at_the_summary_sends_nothing_and_clear_words_send_once(
    stack: RunningStack, bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    applications = ApplicationService(session_factory(stack.database_url))
    sender = f"tg-{chat_id}"
    chat = turns(stack, telegram, chat_id)
    fill_until_summary(chat)
    for noise in NOISE:
        replies = chat.say(noise)
        assert "접수되었어요" not in joined(replies), noise
        # The question again, with its buttons, and nothing after it.
        assert [m.text for m in replies] == [SUBMIT_UNCLEAR], noise
        assert [b["text"] for b in replies[-1].buttons] == ["1번 제출", "2번 수정", "3번 취소"]
        assert applications.count_for(sender) == 0, noise
    replies = chat.say("1번 제출")
    assert "접수되었어요" in joined(replies)
    assert applications.count_for(sender) == 1
    assert unfilled_in(chat.texts()) == []
