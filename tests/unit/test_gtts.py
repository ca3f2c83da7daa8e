"""gTTS against a fake Google endpoint on 127.0.0.1: real HTTPS through a proxy, no internet."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import soundfile

from ieomoa.speech.engines import AutoEngine, EspeakEngine, GttsEngine
from tests.support.fake_google import FakeGoogle


@pytest.fixture
def google(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    server = FakeGoogle(hang=getattr(request, "param", False)).start()
    # gTTS takes its proxy from the environment, like any process the tests start.
    monkeypatch.setenv("HTTPS_PROXY", server.proxy_url)
    monkeypatch.setenv("https_proxy", server.proxy_url)
    yield server
    server.stop()


def test_gtts_asks_google_for_korean_and_sends_ogg_opus(google: FakeGoogle) -> None:
    audio = GttsEngine().synthesize("음성 안내를 켰어요.")
    info = soundfile.info(io.BytesIO(audio))
    assert (info.format, info.subtype) == ("OGG", "OPUS")
    assert 1.3 < info.duration < 1.7  # the clip Google sent, re-encoded whole
    [(text, lang, _speed, _)] = google.requests
    assert (text, lang) == ("음성 안내를 켰어요.", "ko")
    assert google.hosts == ["translate.google.com:443"]  # the real address, through the proxy


def test_gtts_slow_speed_is_requested_from_google(google: FakeGoogle) -> None:
    GttsEngine().synthesize("천천히", slow=False)
    GttsEngine().synthesize("천천히", slow=True)
    normal, slow = (request[2] for request in google.requests)
    assert normal != slow and slow  # gTTS sends a truthy speed flag only for the slow voice


@pytest.mark.parametrize("google", [True], indirect=True)
@pytest.mark.timeout(60)  # a hang here means gTTS's timeout is not applied
def test_auto_speaks_offline_when_google_does_not_answer(google: FakeGoogle) -> None:
    audio = AutoEngine(primary=GttsEngine(timeout=1.0), fallback=EspeakEngine()).synthesize("네, 알겠어요.")
    assert google.requests  # Google was tried first
    info = soundfile.info(io.BytesIO(audio))
    assert (info.format, info.subtype) == ("OGG", "OPUS") and info.duration > 0.3
