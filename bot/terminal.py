"""Terminal adapter: the same conversation core as Telegram, read from stdin, printed to stdout."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Sequence

from ieomoa.channels import TERMINAL_PREFIX
from ieomoa.conversation.incoming import Incoming
from ieomoa.conversation.outgoing import OutgoingMessage
from ieomoa.conversation.rasa_client import RasaClient
from ieomoa.conversation.turn import ConversationCore, ConversationServices
from ieomoa.conversation.typed_choices import label_of
from ieomoa.db import session_factory
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.buttons import ButtonRegistry
from ieomoa.services.chats import ChatService
from ieomoa.services.erasure import ErasureService
from ieomoa.services.keyboards import KeyboardService

PROMPT = "나> "
QUIT_WORDS = {"/quit", "/exit", "/종료"}
INTRO = "이어모아 터미널 채팅이에요. '안녕하세요'라고 적어 보세요. 끝내려면 /quit 또는 Ctrl-D를 누르세요."
TYPED_BUTTONS_HINT = "    (번호나 버튼 글자를 적으면 그 버튼을 누른 것과 같아요)"
GOODBYE = "대화를 마쳤어요. 안녕히 가세요."


def format_messages(outgoing: Sequence[OutgoingMessage]) -> list[str]:
    """Lines to print: each text, then its buttons numbered as they are in every channel."""
    lines: list[str] = []
    for message in outgoing:
        lines.append(f"봇> {message.text}")
        lines.extend(f"    {number}번 {label_of(b.title)}" for number, b in enumerate(message.buttons, start=1))
    if any(message.buttons for message in outgoing):
        lines.append(TYPED_BUTTONS_HINT)
    return lines


class TerminalOutlet:
    """Prints the core's messages; buttons are pressed by typing their number or words."""

    text_limit = 100_000
    speaks = False

    async def show_typing(self) -> None:
        """Nothing to show in a terminal."""

    async def send(self, outgoing: Sequence[OutgoingMessage]) -> None:
        """Print one turn's messages."""
        print("\n".join(format_messages(outgoing)), flush=True)

    async def send_voice(self, audio: bytes) -> None:
        """A terminal does not play audio."""

    async def retire_keyboard(self) -> None:
        """Printed buttons cannot be taken back."""


async def chat(core: ConversationCore, sender: str) -> None:
    """Read lines from stdin until EOF or a quit word, printing the assistant's replies."""
    outlet = TerminalOutlet()
    print(INTRO, flush=True)
    while True:
        try:
            text = await asyncio.to_thread(input, PROMPT)
        except EOFError:
            return
        if text.strip() in QUIT_WORDS:
            return
        if text.strip():
            await core.handle(sender, Incoming.text(text), outlet)


def run_terminal_chat(database_url: str, rasa_url: str, sender: str | None = None) -> None:
    """Run the chat; the sender id is stable per OS user so a conversation can resume."""
    sessions = session_factory(database_url)
    rasa = RasaClient(rasa_url)
    services = ConversationServices(
        rasa=rasa, buttons=ButtonRegistry(sessions), keyboards=KeyboardService(sessions),
        chats=ChatService(sessions), erasure=ErasureService(sessions),
        tracker_store_url=tracker_store_url(database_url),
    )

    async def main() -> None:
        try:
            await chat(ConversationCore(services, channel="terminal"), sender or f"{TERMINAL_PREFIX}{getpass.getuser()}")
        finally:
            await rasa.aclose()

    asyncio.run(main())
    print(GOODBYE, flush=True)


if __name__ == "__main__":
    from ieomoa.config import load_settings

    settings = load_settings()
    run_terminal_chat(settings.database_url, settings.rasa_url)
