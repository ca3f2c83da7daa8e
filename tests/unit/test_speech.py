"""Voice notes: text prepared for listening and the offline engine's OGG/Opus."""

from __future__ import annotations

import hashlib
import hmac
import io
from pathlib import Path

import pytest
import soundfile

from ieomoa.crypto import purpose_key
from ieomoa.speech.cache import clip_name, purge_unkeyed
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
    """An engine that counts what it was asked to say."""

    def __init__(self, name: str = "counting") -> None:
        self.name = name
        self.said: list[str] = []

    def synthesize(self, text: str, slow: bool = False) -> bytes:
        self.said.append(text)
        return f"{self.name}|{text}|{slow}".encode()


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    value = "speech-test-secret-0123456789abcdef"
    monkeypatch.setenv("IEOMOA_SECRET_KEY", value)
    return value


def test_fixed_texts_are_cached_and_the_cache_stays_bounded(tmp_path: Path, secret: str) -> None:
    online = Counting("online")
    speech = CachedSpeech(online, tmp_path, max_files=3, offline=Counting("offline"))
    assert speech.say("하나", personal=False) == speech.say("하나", personal=False) and online.said == ["하나"]
    assert speech.say("하나", slow=True, personal=False) != speech.say("하나", personal=False)  # speed is in the key
    for word in ("둘", "셋", "넷", "다섯"):
        speech.say(word, personal=False)
    assert len(list(tmp_path.glob("*.ogg"))) == 3


def test_personal_texts_are_spoken_offline_and_never_written(tmp_path: Path, secret: str) -> None:
    online, offline = Counting("online"), Counting("offline")
    speech = CachedSpeech(online, tmp_path, offline=offline)
    summary = "이름: 박서진, 연락처 영 일 영 사 팔 이 일 칠 삼 구 영"
    assert speech.say(summary, personal=True) == f"offline|{summary}|False".encode()
    assert speech.say("접수번호는 이 영 이 육") == "offline|접수번호는 이 영 이 육|False".encode()  # personal unless told
    assert online.said == [] and offline.said == [summary, "접수번호는 이 영 이 육"]
    assert not any(tmp_path.rglob("*"))  # nothing on disk


def test_clip_names_are_keyed_by_the_secret_not_a_bare_hash(tmp_path: Path, secret: str, monkeypatch: pytest.MonkeyPatch) -> None:
    CachedSpeech(Counting("espeak"), tmp_path).say("음성 안내를 켰어요.", personal=False)
    [clip] = tmp_path.glob("*.ogg")
    bare = hashlib.sha256("espeak|False|음성 안내를 켰어요.".encode()).hexdigest()
    keyed = hmac.new(purpose_key("tts-cache", secret), "espeak|False|음성 안내를 켰어요.".encode(), hashlib.sha256).hexdigest()
    assert clip.name == f"fixed-{keyed}.ogg" and bare not in clip.name
    monkeypatch.setenv("IEOMOA_SECRET_KEY", "another-secret-0123456789abcdef")
    assert clip_name("espeak", False, "음성 안내를 켰어요.") != clip.name  # a guess needs the key


def test_clips_of_the_old_unkeyed_cache_are_deleted_at_start(tmp_path: Path, secret: str) -> None:
    old = tmp_path / f"{hashlib.sha256('espeak|False|이름: 박서진'.encode()).hexdigest()}.ogg"
    old.write_bytes(b"OggS old personal clip")
    CachedSpeech(Counting(), tmp_path).say("네", personal=False)
    assert not old.exists() and len(list(tmp_path.glob("fixed-*.ogg"))) == 1
    old.write_bytes(b"OggS old personal clip")
    assert purge_unkeyed(tmp_path) == 1 and not old.exists()
