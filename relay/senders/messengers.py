"""The relay's one sender over every messenger: a push goes to the sender of its chat's messenger.

A Telegram chat is named by its numeric chat id, a KakaoTalk chat by its sender id
("kakao-<botUserKey>", ieomoa/channels.py). A push for a messenger this relay has no sender
for is refused with that reason (kept on the row), never sent elsewhere.
"""

from __future__ import annotations

from ieomoa.channels import kakao_user_key
from relay.senders.base import Refused, Sender
from relay.senders.kakao import KakaoSender


class MessengerSenders:
    """Routes each push to Telegram's or KakaoTalk's sender by how its chat is named."""

    def __init__(self, telegram: Sender | None = None, kakao: KakaoSender | None = None) -> None:
        self.telegram = telegram
        self.kakao = kakao

    async def send_text(self, chat: int | str, text: str) -> None:
        """Send one push's text to its chat's messenger."""
        if isinstance(chat, int):
            await self._telegram().send_text(chat, text)
        else:
            await self._kakao().send_text(self._user_key(chat), text)

    async def send_voice(self, chat: int | str, audio: bytes) -> None:
        """A voice note after its text (Telegram only: a KakaoTalk chat never has voice mode on)."""
        if isinstance(chat, int):
            await self._telegram().send_voice(chat, audio)

    def _telegram(self) -> Sender:
        if self.telegram is None:
            raise Refused("no Telegram sender: TELEGRAM_BOT_TOKEN is not set for the relay")
        return self.telegram

    def _kakao(self) -> KakaoSender:
        if self.kakao is None:
            raise Refused(
                "no KakaoTalk sender: KAKAO_BOT_ID and KAKAO_REST_API_KEY are not set for the relay"
            )
        return self.kakao

    @staticmethod
    def _user_key(chat: str) -> str:
        user_key = kakao_user_key(chat)
        if user_key is None:
            raise Refused("a recipient of no known messenger")
        return user_key
