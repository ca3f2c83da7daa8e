"""gTTS against a fake Google endpoint on 127.0.0.1: real HTTP, no internet."""

from __future__ import annotations

import base64
import io
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import soundfile

from ieomoa.speech.engines import AutoEngine, EspeakEngine, GttsEngine


def mp3_tone(seconds: float) -> bytes:
    """An MP3 like the ones Google returns (24 kHz mono)."""
    rate = 24000
    t = np.arange(int(rate * seconds)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, 0.3 * np.sin(2 * np.pi * 220 * t), rate, format="MP3")
    return buffer.getvalue()


class FakeGoogle(ThreadingHTTPServer):
    """Answers gTTS's batchexecute call the way translate.google.com does, or never."""

    def __init__(self, hang: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), FakeGoogleHandler)
        self.hang = hang
        self.requests: list[list] = []
        self.release = threading.Event()
        self.audio = mp3_tone(1.5)


class FakeGoogleHandler(BaseHTTPRequestHandler):
    server: FakeGoogle

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        rpc = json.loads(urllib.parse.parse_qs(body)["f.req"][0])
        self.server.requests.append(json.loads(rpc[0][0][1]))  # [text, lang, speed, "null"]
        if self.server.hang:
            self.server.release.wait(30)
            return
        audio = base64.b64encode(self.server.audio).decode()
        payload = ")]}'\n\n" + json.dumps(
            [["wrb.fr", "jQ1olc", json.dumps([audio]), None, None, None, "generic"]], separators=(",", ":")
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def google(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    server = FakeGoogle(hang=getattr(request, "param", False))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address
    monkeypatch.setattr(
        "gtts.tts._translate_url", lambda tld="com", path="": f"http://{host}:{port}/{path}"
    )
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_gtts_asks_google_for_korean_and_sends_ogg_opus(google: FakeGoogle) -> None:
    audio = GttsEngine().synthesize("음성 안내를 켰어요.")
    info = soundfile.info(io.BytesIO(audio))
    assert (info.format, info.subtype) == ("OGG", "OPUS")
    assert 1.3 < info.duration < 1.7  # the clip Google sent, re-encoded whole
    [(text, lang, _speed, _)] = google.requests
    assert (text, lang) == ("음성 안내를 켰어요.", "ko")


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
