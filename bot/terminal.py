"""Local terminal chat over the same Rasa + action server + database path as the bot."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Callable
from functools import partial

from bot import messages
from bot.rasa_client import RasaClient, RasaReply, RasaUnavailable, asks_to_erase
from ieomoa.channels import TERMINAL_PREFIX
from ieomoa.conversation.typed_choices import Choice, keyboards_in, label_of, match_typed_choice, without_command_prefix
from ieomoa.db import session_factory
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.erasure import ErasureService
from ieomoa.services.keyboards import KeyboardService

PROMPT = "나> "
QUIT_WORDS = {"/quit", "/exit", "/종료"}
INTRO = "이어모아 터미널 채팅이에요. '안녕하세요'라고 적어 보세요. 끝내려면 /quit 또는 Ctrl-D를 누르세요."


def format_replies(replies: list[RasaReply]) -> list[str]:
    """Lines to print: each text, then its buttons numbered as they are in every channel."""
    lines: list[str] = []
    for reply in replies:
        if reply.get("text"):
            lines.append(f"봇> {reply['text']}")
        for number, button in enumerate(reply.get("buttons") or [], start=1):
            lines.append(f"    {number}번 {label_of(button['title'])}")
    if keyboards_in(replies):
        lines.append("    (번호나 버튼 글자를 적으면 그 버튼을 누른 것과 같아요)")
    return lines


def resolve_input(text: str, keyboards: list[list[Choice]]) -> str:
    """The payload of the button the text names ("1", "제출"), else the text itself."""
    text = without_command_prefix(text).strip()
    choice = match_typed_choice(text, keyboards)
    return choice.payload if choice else text


async def chat(
    rasa_url: str, sender: str, finish_erasure: Callable[[str], None] | None = None,
    keyboards: KeyboardService | None = None,
) -> None:
    """Read lines from stdin until EOF or a quit word, printing the bot's replies."""
    client = RasaClient(rasa_url)
    shown = keyboards.current(sender) if keyboards else []
    print(INTRO, flush=True)
    try:
        while True:
            try:
                text = await asyncio.to_thread(input, PROMPT)
            except EOFError:
                return
            if text.strip() in QUIT_WORDS:
                return
            if not text.strip():
                continue
            try:
                replies = await client.send(sender, resolve_input(text, shown), {"channel": "terminal"})
            except RasaUnavailable:
                print(f"봇> {messages.RASA_DOWN}", flush=True)
                continue
            if asks_to_erase(replies) and finish_erasure is not None:
                await asyncio.to_thread(finish_erasure, sender)
            shown = keyboards_in(replies)
            if keyboards is not None:
                await asyncio.to_thread(keyboards.remember, sender, shown)
            lines = format_replies(replies)
            print("\n".join(lines) if lines else f"봇> {messages.NO_REPLY}", flush=True)
    finally:
        await client.aclose()


def run_terminal_chat(database_url: str, rasa_url: str, sender: str | None = None) -> None:
    """Run the chat; the sender id is stable per OS user so a conversation can resume."""
    sessions = session_factory(database_url)
    finish_erasure = partial(ErasureService(sessions).finish, tracker_store_url(database_url))
    sender = sender or f"{TERMINAL_PREFIX}{getpass.getuser()}"
    asyncio.run(chat(rasa_url, sender, finish_erasure, KeyboardService(sessions)))
    print("대화를 마쳤어요. 안녕히 가세요.", file=sys.stdout, flush=True)


if __name__ == "__main__":
    from ieomoa.config import load_settings

    settings = load_settings()
    run_terminal_chat(settings.database_url, settings.rasa_url)
