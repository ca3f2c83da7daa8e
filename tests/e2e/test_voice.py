"""Voice mode end to end: every bot message also arrives as a real OGG/Opus voice note."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import soundfile

from tests.e2e.conftest import start_bot
from tests.e2e.conversation import Conversation
from tests.support.stack import RunningStack, free_port
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess


def assert_voice_note(data: bytes) -> None:
    info = soundfile.info(io.BytesIO(data))
    assert (info.format, info.subtype) == ("OGG", "OPUS") and info.duration > 0.5


def test_voice_mode_speaks_every_message_and_survives_a_bot_restart(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    chat.say("음성으로 들려주세요", until="음성 안내를 켰어요")
    [confirmation] = telegram.wait_for(chat_id, 1, method="sendVoice")
    assert_voice_note(next(iter(confirmation.files.values())))

    chat.say("구직 신청할래요", until="1/16")  # the intro and the first question, then their voices
    voices = telegram.wait_for(chat_id, 3, method="sendVoice")
    assert_voice_note(next(iter(voices[-1].files.values())))
    texts = telegram.messages_to(chat_id)
    assert texts[-1].text.startswith("1/16.")  # text first, then the voice note

    bot.stop()
    bot.start()
    chat.say("그만할래요", until="지웠어요")
    telegram.wait_for(chat_id, 4, method="sendVoice")  # still in voice mode after the restart

    telegram.push_command(chat_id, "/voice")
    chat._wait("음성 안내를 껐어요")
    chat.say("도움말", until="이렇게 도와드려요")
    assert len(telegram.messages_to(chat_id, method="sendVoice")) == 4  # nothing spoken once off


def test_a_voice_note_from_the_user_gets_voice_mode_offered(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    chat = Conversation(telegram, chat_id)
    telegram.push_voice(chat_id)
    [offer] = chat._wait("음성 메시지는 아직")
    assert offer.buttons and "음성으로 듣기" in offer.buttons[0]["text"]
    chat.tap("음성으로 듣기", until="음성 안내를 켰어요")
    telegram.wait_for(chat_id, 1, method="sendVoice")


def test_auto_engine_speaks_offline_when_google_cannot_be_reached(
    stack: RunningStack, tmp_path: Path, chat_id: int
) -> None:
    telegram = TelegramStandIn().start()
    # Google is reached over HTTPS; a proxy that refuses connections is the machine offline.
    env = dict(stack.env, TTS_ENGINE="auto", HTTPS_PROXY=f"http://127.0.0.1:{free_port()}",
               IEOMOA_VAR_DIR=str(tmp_path / f"var-{uuid.uuid4().hex[:6]}"))
    bot = start_bot(telegram, env, tmp_path)
    try:
        chat = Conversation(telegram, chat_id)
        chat.say("음성으로 들려주세요", until="음성 안내를 켰어요")
        [voice] = telegram.wait_for(chat_id, 1, method="sendVoice")
        assert_voice_note(next(iter(voice.files.values())))
        assert "gtts failed" in bot.log_path.read_text(encoding="utf-8")  # tried Google first
    finally:
        bot.stop()
        telegram.stop()
