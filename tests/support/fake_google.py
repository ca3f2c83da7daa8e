"""Google's text-to-speech endpoint, faked on 127.0.0.1 behind an HTTPS proxy.

gTTS posts each chunk of text to ``https://translate.google.com/_/TranslateWebserverUi/
data/batchexecute`` through the proxy ``HTTPS_PROXY`` names (it does not verify the
certificate). Set ``HTTPS_PROXY`` to ``FakeGoogle.proxy_url``, in this process or in a
child's environment, and every call arrives here: the proxy accepts the CONNECT, speaks
TLS with a self-signed certificate, records the text and answers as Google does.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import ssl
import tempfile
import threading
import urllib.parse
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import soundfile


def mp3_tone(seconds: float) -> bytes:
    """An MP3 like the ones Google returns (24 kHz mono)."""
    rate = 24000
    t = np.arange(int(rate * seconds)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, 0.3 * np.sin(2 * np.pi * 220 * t), rate, format="MP3")
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _certificate_files() -> tuple[str, str]:
    """A self-signed certificate for translate.google.com (files in a temporary folder)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "translate.google.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("translate.google.com")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="fake-google-"))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(folder / "cert.pem"), str(folder / "key.pem")


class _SocketWriter(io.BufferedIOBase):
    """wfile over a TLS socket: every write sent whole."""

    def __init__(self, sock: ssl.SSLSocket) -> None:
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._sock.sendall(data)
        return len(data)


class FakeGoogle(ThreadingHTTPServer):
    """The proxy and the endpoint; ``requests`` holds each call's [text, lang, speed, "null"]."""

    daemon_threads = True

    def __init__(self, hang: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hang = hang
        self.requests: list[list] = []
        self.hosts: list[str] = []
        self.release = threading.Event()
        self.audio = mp3_tone(1.5)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(*_certificate_files())
        self._lock = threading.Lock()

    @property
    def proxy_url(self) -> str:
        """Value for HTTPS_PROXY."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def texts(self) -> list[str]:
        """Every text Google was asked to say, in order."""
        with self._lock:
            return [request[0] for request in self.requests]

    def record(self, request: list) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> FakeGoogle:
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving (releasing any hanging answer)."""
        self.release.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FakeGoogle
    protocol_version = "HTTP/1.1"

    def do_CONNECT(self) -> None:  # noqa: N802 - http.server's naming
        self.server.hosts.append(self.path)
        self.send_response(200, "Connection established")
        self.end_headers()
        tls = self.server.tls.wrap_socket(self.connection, server_side=True)
        self.connection = tls
        self.rfile = tls.makefile("rb")
        self.wfile = _SocketWriter(tls)
        self.close_connection = False
        while not self.close_connection:
            self.handle_one_request()

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        rpc = json.loads(urllib.parse.parse_qs(body)["f.req"][0])
        self.server.record(json.loads(rpc[0][0][1]))  # [text, lang, speed, "null"]
        if self.server.hang:
            self.server.release.wait(30)
            self.close_connection = True
            return
        audio = base64.b64encode(self.server.audio).decode()
        payload = (")]}'\n\n" + json.dumps(
            [["wrb.fr", "jQ1olc", json.dumps([audio]), None, None, None, "generic"]], separators=(",", ":")
        )).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass
