"""쉬운 말 end to end: offered at /start, switched by words, kept across a bot restart."""

from __future__ import annotations

import io

import soundfile

from ieomoa.conversation import messages
from tests.e2e.conversation import Conversation
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess


def test_start_offers_voice_and_easy_read_in_one_message(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    telegram.push_command(chat_id, "/start")
    greeting, offer = chat._wait("쉬운 말로")
    assert greeting.text.startswith("안녕하세요")
    assert [b["text"] for b in offer.buttons] == ["1번 음성으로 듣기", "2번 쉬운 말로 보기"]

    chat.tap("쉬운 말로 보기", until="쉬운 말로 할게요")
    telegram.push_command(chat_id, "/start")
    [welcome_back] = chat._wait("반가워요")
    assert "예를 들면" in welcome_back.text
    [help_text] = chat.say("도움말", until="도와줘요")  # chosen once: not offered again
    assert help_text.text.startswith("이런 일을 도와줘요")


def test_easy_read_words_every_step_and_survives_a_bot_restart(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("쉬운 말로 해 주세요", until="쉬운 말로 할게요")
    intro, question = chat.say("구직 신청할래요", until="1/16")
    assert intro.text.startswith("구직 신청을 시작해요.")
    assert "먼저 허락을 받을게요" in question.text
    assert [b["text"] for b in question.buttons] == ["1번 네, 괜찮아요", "2번 아니요"]

    retry, asked_again = chat.say("글쎄", until="1/16")  # validation in 쉬운 말, then the question
    assert "예를 들면 '네'라고 적어요" in retry.text
    assert asked_again.text == question.text

    telegram.push_sticker(chat_id)
    [sticker_reply] = chat._wait("사진이나 스티커")
    assert sticker_reply.text == messages.EASY_READ[messages.UNSUPPORTED_CONTENT]

    bot.stop()
    bot.start()
    [name_question] = chat.say("네", until="2/16")
    assert name_question.text.startswith("2/16. 이름이 무엇인가요?")
    answer, again = chat.say("돈이 드나요?", until="2/16")  # an FAQ inside the form, then the question
    assert answer.text.startswith("돈은 들지 않아요")

    off, way_out, standard = chat.say("보통 말로 해 주세요", until="2/16")
    assert off.text.startswith("쉬운 말 안내를 껐어요")
    # The third ask of the name in a row (start, after the FAQ, now) says how to answer.
    assert way_out.text.startswith("같은 질문을 세 번째 드려요")
    assert standard.text == "2/16. 이름을 알려 주세요. 예를 들면 '홍길동'처럼 적어 주세요."


def duration(data: bytes) -> float:
    return soundfile.info(io.BytesIO(data)).duration


def test_slow_speech_and_repeat_in_voice(bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("천천히 말해 주세요", until="천천히 읽어 드릴게요")  # turns voice notes on too
    telegram.wait_for(chat_id, 1, method="sendVoice")

    chat.say("도움말", until="이렇게 도와드려요")
    [slow_help] = telegram.wait_for(chat_id, 2, method="sendVoice")[1:]
    [repeated] = chat.say("다시 말해 주세요", until="이렇게 도와드려요")
    assert repeated.text.startswith("이렇게 도와드려요")
    [repeated_voice] = telegram.wait_for(chat_id, 3, method="sendVoice")[2:]
    assert repeated_voice.files == slow_help.files  # the same words, read the same way

    chat.say("보통 속도로 읽어 주세요", until="보통 빠르기로")
    chat.say("도움말", until="이렇게 도와드려요")
    normal_help = telegram.wait_for(chat_id, 5, method="sendVoice")[4]
    slow_audio, normal_audio = (next(iter(m.files.values())) for m in (slow_help, normal_help))
    assert duration(slow_audio) > duration(normal_audio) * 1.15
