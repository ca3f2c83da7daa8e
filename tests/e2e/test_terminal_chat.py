"""`make run` without a token: the terminal chat over the real Rasa, actions and database."""

from __future__ import annotations

import subprocess
import sys
import uuid

from ieomoa.config import PROJECT_ROOT
from ieomoa.db import session_factory
from ieomoa.services.chats import ChatService
from tests.support.stack import RunningStack, stored_events

CHAT = """\
from bot.terminal import run_terminal_chat
import sys
run_terminal_chat(sys.argv[1], sys.argv[2], sender=sys.argv[3])
"""


def test_terminal_chat_takes_numbers_for_buttons_and_erases_on_request(stack: RunningStack) -> None:
    sender = f"cli-test-{uuid.uuid4().hex[:8]}"
    typed = "\n".join([
        "안녕하세요",
        "2",                       # the newest keyboard's "2번 쉬운 말로 보기", as in Telegram
        "신청 상태 알려 주세요",
        "내 정보 지워 주세요",
        "1",                       # "네, 모두 지워 주세요"
        "/quit",
    ]) + "\n"
    result = subprocess.run(
        [sys.executable, "-c", CHAT, stack.database_url, stack.rasa_url, sender],
        input=typed, capture_output=True, text=True, timeout=180, cwd=PROJECT_ROOT, env=stack.env,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "봇> 안녕하세요. 이어모아 취업지원 챗봇이에요." in out
    assert "    2번 쉬운 말로 보기" in out
    assert "봇> 이제 쉬운 말로 할게요." in out
    assert "봇> 아직 받은 신청이 없어요." in out  # in 쉬운 말 from then on
    assert "봇> 다 지웠어요. 대화와 설정을 지웠어요." in out
    assert ChatService(session_factory(stack.database_url)).get(sender) is None
    assert stored_events(stack, sender) == []
