"""A local stand-in for the Telegram Bot API, served over real HTTP on 127.0.0.1.

The real bot process polls it exactly as it polls Telegram. Tests push updates (text,
button presses, stickers, redeliveries) and wait for what the bot sent. Once the bot calls
setWebhook, updates are POSTed to its webhook URL instead, one at a time and in order, with
the secret in the X-Telegram-Bot-Api-Secret-Token header, as Telegram does.
"""

from __future__ import annotations

import itertools
import json
import queue
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "이어모아", "username": "ieomoa_test_bot"}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_REGISTERED = object()  # post_update's default: the secret the bot gave in setWebhook
# The bot's webhook is on 127.0.0.1: never through a proxy the environment may name.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class SentMessage:
    """Something the bot sent: a method call with its parameters."""

    method: str
    chat_id: int
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    message_id: int = 0
    at: float = field(default_factory=time.monotonic)  # when the call arrived (benchmarks)

    @property
    def text(self) -> str:
        """Text of a sendMessage (empty otherwise)."""
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons, flattened in reading order."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class TelegramStandIn:
    """Bot API methods the bot uses, with a queue of updates and a log of outgoing calls."""

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._redeliver: list[dict[str, Any]] = []
        # Telegram's update ids only grow; a random start keeps stand-ins sharing a database apart.
        self._update_ids = itertools.count(random.randint(10**6, 10**9))
        self._message_ids = itertools.count(1000)
        self.sent: list[SentMessage] = []
        self.calls: list[str] = []
        self.fail_next: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.offsets: list[int] = []  # every getUpdates offset: what the bot confirmed
        self._holds: dict[str, threading.Event] = {}
        self.webhook: dict[str, Any] | None = None  # the last setWebhook's parameters, until deleteWebhook
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status) of each POST
        self._webhook_queue: queue.Queue[dict[str, Any]] = queue.Queue()
        self._webhook_thread: threading.Thread | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle -------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """Value for TELEGRAM_API_BASE_URL (the token is appended by the bot)."""
        return f"http://127.0.0.1:{self._server.server_port}/bot"

    @property
    def file_url(self) -> str:
        """Value for TELEGRAM_API_FILE_URL."""
        return f"http://127.0.0.1:{self._server.server_port}/file/bot"

    def start(self) -> TelegramStandIn:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    # -- what tests do ---------------------------------------------------------
    def push_text(self, chat_id: int, text: str) -> dict[str, Any]:
        """A user in ``chat_id`` sends text."""
        return self.push({"message": self._message(chat_id, text=text)})

    def push_command(self, chat_id: int, command: str) -> dict[str, Any]:
        """A user sends a bot command like /start."""
        message = self._message(chat_id, text=command)
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.push({"message": message})

    def push_sticker(self, chat_id: int) -> dict[str, Any]:
        """A user sends a sticker."""
        sticker = {
            "file_id": "sticker-file", "file_unique_id": "s1", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False,
        }
        return self.push({"message": self._message(chat_id, sticker=sticker)})

    def push_voice(self, chat_id: int) -> dict[str, Any]:
        """A user sends a voice note."""
        voice = {"file_id": "voice-in", "file_unique_id": "vi", "duration": 2, "mime_type": "audio/ogg"}
        return self.push({"message": self._message(chat_id, voice=voice)})

    def press(self, chat_id: int, button: dict[str, Any], on: SentMessage) -> dict[str, Any]:
        """A user taps ``button`` of the message ``on``."""
        query = {
            "id": str(next(self._update_ids) * 7919),
            "from": self._user(chat_id),
            "chat_instance": f"ci-{chat_id}",
            "data": button["callback_data"],
            "message": {
                "message_id": on.message_id, "date": int(time.time()),
                "chat": self._chat(chat_id), "from": BOT_USER, "text": on.text,
            },
        }
        return self.push({"callback_query": query})

    def push(self, body: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
        """Queue an update for the bot's next getUpdates, or POST it to the webhook once one is set."""
        update = {"update_id": update_id or next(self._update_ids), **body}
        with self._lock:
            if self.webhook is not None:
                self._webhook_queue.put(update)
                return update
            self._updates.append(update)
            self._lock.notify_all()
        return update

    def compose_text(self, chat_id: int, text: str) -> dict[str, Any]:
        """A text update as Telegram sends it, with a fresh id, without queueing it."""
        return {"update_id": next(self._update_ids), "message": self._message(chat_id, text=text)}

    def hold(self, method: str) -> None:
        """Calls of ``method`` wait (unanswered) until ``release``: the bot is stuck mid-update."""
        with self._lock:
            self._holds.setdefault(method, threading.Event())

    def release(self, method: str) -> None:
        """Answer the held calls of ``method`` and stop holding it."""
        with self._lock:
            held = self._holds.pop(method, None)
        if held is not None:
            held.set()

    def wait_until_confirmed(self, update_id: int, timeout: float = 60.0) -> None:
        """Block until the bot asked for updates after ``update_id``: Telegram forgets it then."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not any(offset > update_id for offset in self.offsets):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"the bot never confirmed update {update_id}")
                self._lock.wait(remaining)

    def redeliver(self, update: dict[str, Any]) -> None:
        """Deliver an already-delivered update again, whatever offset the bot asks for."""
        with self._lock:
            if self.webhook is not None:
                self._webhook_queue.put(update)
                return
            self._redeliver.append(update)
            self._lock.notify_all()

    # -- webhook ---------------------------------------------------------------
    def post_update(self, update: dict[str, Any], secret: Any = _REGISTERED, timeout: float = 30.0) -> int:
        """POST one update to the webhook now; the HTTP status the bot answered.

        ``secret`` is sent in the secret header: by default the one the bot registered, None
        for no header at all.
        """
        with self._lock:
            webhook = self.webhook
        assert webhook is not None, "the bot has not called setWebhook"
        if secret is _REGISTERED:
            secret = webhook.get("secret_token")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = str(secret)
        request = urllib.request.Request(
            str(webhook["url"]), data=json.dumps(update, ensure_ascii=False).encode("utf-8"),
            headers=headers, method="POST",
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with _DIRECT.open(request, timeout=timeout) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
            except (urllib.error.URLError, ConnectionError):
                # PTB registers the webhook just before its server listens: Telegram retries too.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _deliver_to_webhook(self) -> None:
        while True:
            update = self._webhook_queue.get()
            status = self.post_update(update)
            with self._lock:
                self.webhook_deliveries.append((update["update_id"], status))
                self._lock.notify_all()

    def _set_webhook(self, params: dict[str, Any]) -> None:
        with self._lock:
            self.webhook = dict(params) if params.get("url") else None
            if self.webhook is not None and self._webhook_thread is None:
                self._webhook_thread = threading.Thread(target=self._deliver_to_webhook, daemon=True)
                self._webhook_thread.start()
            self._lock.notify_all()

    def messages_to(self, chat_id: int, method: str = "sendMessage") -> list[SentMessage]:
        """Everything of one method sent to a chat so far."""
        with self._lock:
            return [m for m in self.sent if m.chat_id == chat_id and m.method == method]

    def wait_for(
        self, chat_id: int, count: int, method: str = "sendMessage", timeout: float = 60.0
    ) -> list[SentMessage]:
        """Block until ``count`` calls of ``method`` reached the chat; return them all."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [m for m in self.sent if m.chat_id == chat_id and m.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    texts = [m.text for m in found]
                    raise TimeoutError(f"chat {chat_id}: wanted {count} {method}, got {texts}")
                self._lock.wait(remaining)

    def wait_until(
        self, chat_id: int, predicate: Any, after: int = 0, timeout: float = 60.0
    ) -> list[SentMessage]:
        """Messages to the chat after the first ``after``, up to the first matching ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [m for m in self.sent if m.chat_id == chat_id and m.method == "sendMessage"]
                for index in range(after, len(found)):
                    if predicate(found[index]):
                        return found[after : index + 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    texts = [m.text[:60] for m in found[after:]]
                    raise TimeoutError(f"chat {chat_id}: no matching message; got {texts}")
                self._lock.wait(remaining)

    def wait_for_voices(self, chat_id: int, count: int, since: float, timeout: float = 60.0) -> None:
        """Block until the chat got ``count`` voice notes sent at or after ``since``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while sum(m.chat_id == chat_id and m.method == "sendVoice" and m.at >= since for m in self.sent) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"chat {chat_id}: fewer than {count} voice notes")
                self._lock.wait(remaining)

    def fail_next_sends(self, *answers: tuple[int, dict[str, Any]]) -> None:
        """Answer the next sendMessage calls with these (status, body) pairs, in order."""
        with self._lock:
            self.fail_next.setdefault("sendMessage", []).extend(answers)

    def wait_for_call(self, method: str, process: Any = None, timeout: float = 60.0) -> None:
        """Block until the bot has called ``method`` (fail early if its process died)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while method not in self.calls:
                if process is not None and not process.alive():
                    raise RuntimeError(f"bot exited; see {process.log_path}")
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"the bot never called {method}")
                self._lock.wait(0.5)

    # -- Bot API ---------------------------------------------------------------
    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "신청자", "language_code": "ko"}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": "신청자"}

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": self._chat(chat_id), "from": self._user(chat_id), **content,
        }

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self._lock:
            self.offsets.append(offset)
            self._lock.notify_all()
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._redeliver + self._updates
                if ready or time.monotonic() >= deadline:
                    self._redeliver = []
                    return ready
                self._lock.wait(max(0.0, deadline - time.monotonic()))

    def _record(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        message = SentMessage(method, chat_id, params, files, next(self._message_ids))
        with self._lock:
            self.sent.append(message)
            self._lock.notify_all()
        result = {
            "message_id": message.message_id, "date": int(time.time()),
            "chat": self._chat(chat_id), "from": BOT_USER,
        }
        if "text" in params:
            result["text"] = params["text"]
        if params.get("reply_markup"):
            result["reply_markup"] = params["reply_markup"]
        if method == "sendVoice":
            result["voice"] = {"file_id": f"voice-{message.message_id}", "file_unique_id": "v", "duration": 1}
        return result

    def call(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call."""
        with self._lock:
            self.calls.append(method)
            self._lock.notify_all()
            queued = self.fail_next.get(method)
            if queued:
                return queued.pop(0)
            held = self._holds.get(method)
        if held is not None:
            held.wait()
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        if method == "setWebhook":
            self._set_webhook(params)
            return 200, {"ok": True, "result": True}
        if method == "deleteWebhook":
            self._set_webhook({})
            return 200, {"ok": True, "result": True}
        if method in {"setMyCommands", "answerCallbackQuery", "sendChatAction"}:
            return 200, {"ok": True, "result": True}
        if method in {"sendMessage", "sendVoice", "sendAudio", "editMessageReplyMarkup", "editMessageText"}:
            return 200, {"ok": True, "result": self._record(method, params, files)}
        return 404, {"ok": False, "error_code": 404, "description": f"Not Found: {method}"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                self._answer()

            def do_GET(self) -> None:  # noqa: N802
                self._answer()

            def _answer(self) -> None:
                prefix = f"/bot{standin.token}/"
                if not self.path.startswith(prefix):
                    self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                method = self.path[len(prefix):].split("?")[0]
                params, files = self._parse_body()
                status, body = standin.call(method, params, files)
                self._send(status, body)

            def _parse_body(self) -> tuple[dict[str, Any], dict[str, bytes]]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                params: dict[str, Any] = {}
                files: dict[str, bytes] = {}
                if ctype.startswith("multipart/form-data"):
                    message = BytesParser(policy=HTTP).parsebytes(
                        f"Content-Type: {ctype}\r\n\r\n".encode() + raw
                    )
                    for part in message.iter_parts():
                        name = part.get_param("name", header="content-disposition")
                        payload = part.get_payload(decode=True) or b""
                        if part.get_filename():
                            files[name] = payload
                        else:
                            params[name] = payload.decode("utf-8")
                elif ctype.startswith("application/json"):
                    params = json.loads(raw or b"{}")
                else:
                    params = dict(parse_qsl(raw.decode("utf-8")))
                return {k: _decode(v) for k, v in params.items()}, files

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot stopped while long-polling

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _decode(value: Any) -> Any:
    """PTB sends nested parameters as JSON strings."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
