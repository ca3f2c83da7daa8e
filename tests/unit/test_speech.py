"""Voice notes: text prepared for listening and the offline engine's OGG/Opus."""

from __future__ import annotations

import io
from pathlib import Path

import soundfile

from ieomoa.speech.engines import AutoEngine, CachedSpeech, EspeakEngine
from ieomoa.speech.text import speech_text


def test_ids_phones_and_codes_are_read_digit_by_digit() -> None:
    spoken = speech_text("접수번호는 IEM-2026-000123이에요. 연락처 010-1234-5678, 코드 483920")
    assert "이 영 이 육 영 영 영 일 이 삼" in spoken
    assert "영 일 영 일 이 삼 사 오 육 칠 팔" in spoken
    assert "사 팔 삼 구 이 영" in spoken
    assert "IEM" not in spoken and "-" not in spoken


def test_dates_are_read_as_dates() -> None:
    spoken = speech_text("생년월일 1990-03-05, 접수일 2026.11.25")
    assert spoken == "생년월일 1990년 3월 5일, 접수일 2026년 11월 25일"


def test_emoji_removed_progress_spoken_and_buttons_read_in_order() -> None:
    spoken = speech_text("3/16. 이름을 알려 주세요 😀", ["1번 네", "2번 아니요"])
    assert spoken.startswith("16개 중 3번째 질문.")
    assert "😀" not in spoken
    assert spoken.endswith("1번 네. 2번 아니요.")


def test_offline_engine_makes_ogg_opus_of_plausible_length() -> None:
    audio = EspeakEngine().synthesize("안녕하세요. 이어모아 취업지원 챗봇이에요.")
    assert audio[:4] == b"OggS" and b"OpusHead" in audio[:64]
    info = soundfile.info(io.BytesIO(audio))
    assert info.format == "OGG" and info.subtype == "OPUS"
    assert 1.0 < info.duration < 10.0
    slow = soundfile.info(io.BytesIO(EspeakEngine().synthesize("안녕하세요. 이어모아 취업지원 챗봇이에요.", slow=True)))
    assert slow.duration > info.duration


class Unreachable:
    name = "gtts"

    def synthesize(self, text: str, slow: bool = False) -> bytes:
        raise OSError("no route to Google")


def test_auto_falls_back_to_the_offline_engine() -> None:
    audio = AutoEngine(primary=Unreachable(), fallback=EspeakEngine()).synthesize("네")
    assert audio[:4] == b"OggS"


class Counting:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def synthesize(self, text: str, slow: bool = False) -> bytes:
        self.calls += 1
        return f"{text}|{slow}".encode()


def test_cache_reuses_clips_and_stays_bounded(tmp_path: Path) -> None:
    engine = Counting()
    speech = CachedSpeech(engine, tmp_path, max_files=3)
    assert speech.say("하나") == speech.say("하나") and engine.calls == 1
    assert speech.say("하나", slow=True) != speech.say("하나")  # speed is part of the key
    for word in ("둘", "셋", "넷", "다섯"):
        speech.say(word)
    assert len(list(tmp_path.glob("*.ogg"))) == 3
