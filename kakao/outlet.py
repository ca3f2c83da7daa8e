"""The core's outlet for one KakaoTalk request: it collects the turn's messages for one response."""

from __future__ import annotations

from collections.abc import Sequence

from ieomoa.conversation.outgoing import OutgoingMessage
from kakao.render import TEXT_LIMIT


class KakaoOutlet:
    """Collects what the core sends; KakaoTalk gets it as one skill response (kakao/render.py)."""

    text_limit = TEXT_LIMIT
    speaks = False  # a skill response has no audio output: voice notes are a Telegram feature

    def __init__(self) -> None:
        self.messages: list[OutgoingMessage] = []

    async def show_typing(self) -> None:
        """KakaoTalk shows its own waiting dots while the skill works."""

    async def send(self, outgoing: Sequence[OutgoingMessage]) -> None:
        """Keep the messages for the response."""
        self.messages.extend(outgoing)

    async def send_voice(self, audio: bytes) -> None:
        """Never called: ``speaks`` is False."""

    async def retire_keyboard(self) -> None:
        """Quick replies disappear by themselves once the user answers."""
