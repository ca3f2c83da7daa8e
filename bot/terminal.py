"""Local terminal chat over the same Rasa + action server + database path as the bot."""

from __future__ import annotations

import asyncio
import getpass
import re
import sys
from collections.abc import Callable
from functools import partial

from bot import messages
from bot.rasa_client import RasaClient, RasaReply, RasaUnavailable, asks_to_erase
from ieomoa.channels import TERMINAL_PREFIX
from ieomoa.db import session_factory
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.erasure import ErasureService

PROMPT = "나> "
NUMBERED = re.compile(r"^\d+번\.?\s*")
QUIT_WORDS = {"/quit", "/exit", "/종료"}
INTRO = "이어모아 터미널 채팅이에요. '안녕하세요'라고 적어 보세요. 끝내려면 /quit 또는 Ctrl-D를 누르세요."


def format_replies(replies: list[RasaReply]) -> tuple[list[str], list[dict[str, str]]]:
    """Lines to print and the buttons offered, numbered from 1."""
    lines: list[str] = []
    buttons: list[dict[str, str]] = []
    for reply in replies:
        if reply.get("text"):
            lines.append(f"봇> {reply['text']}")
        for button in reply.get("buttons") or []:
            buttons.append(button)
            # Numbered across all replies of the turn, so "1번 …" of a second keyboard is renumbered.
            lines.append(f"    {len(buttons)}번 {NUMBERED.sub('', button['title'])}")
    if buttons:
        lines.append("    (번호를 적으면 그 버튼을 누른 것과 같아요)")
    return lines, buttons


def resolve_input(text: str, buttons: list[dict[str, str]]) -> str:
    """A number picks the button with that number; anything else is sent as typed."""
    choice = text.strip().removesuffix("번")
    if choice.isdigit() and 1 <= int(choice) <= len(buttons):
        return buttons[int(choice) - 1]["payload"]
    return text


async def chat(rasa_url: str, sender: str, finish_erasure: Callable[[str], None] | None = None) -> None:
    """Read lines from stdin until EOF or a quit word, printing the bot's replies."""
    client = RasaClient(rasa_url)
    buttons: list[dict[str, str]] = []
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
                replies = await client.send(sender, resolve_input(text, buttons), {"channel": "terminal"})
            except RasaUnavailable:
                print(f"봇> {messages.RASA_DOWN}", flush=True)
                continue
            if asks_to_erase(replies) and finish_erasure is not None:
                await asyncio.to_thread(finish_erasure, sender)
            lines, buttons = format_replies(replies)
            print("\n".join(lines) if lines else f"봇> {messages.NO_REPLY}", flush=True)
    finally:
        await client.aclose()


def run_terminal_chat(database_url: str, rasa_url: str, sender: str | None = None) -> None:
    """Run the chat; the sender id is stable per OS user so a conversation can resume."""
    finish_erasure = partial(ErasureService(session_factory(database_url)).finish, tracker_store_url(database_url))
    asyncio.run(chat(rasa_url, sender or f"{TERMINAL_PREFIX}{getpass.getuser()}", finish_erasure))
    print("대화를 마쳤어요. 안녕히 가세요.", file=sys.stdout, flush=True)


if __name__ == "__main__":
    from ieomoa.config import load_settings

    settings = load_settings()
    run_terminal_chat(settings.database_url, settings.rasa_url)
