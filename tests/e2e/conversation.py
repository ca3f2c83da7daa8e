"""A user's side of a chat with the bot, turn by turn, over the Bot API stand-in."""

from __future__ import annotations

from tests.support.telegram_standin import SentMessage, TelegramStandIn


class Conversation:
    """Sends text or taps buttons, then waits for the reply that shows the turn is done."""

    def __init__(self, telegram: TelegramStandIn, chat_id: int) -> None:
        self.telegram = telegram
        self.chat_id = chat_id
        self.seen = 0
        self.last_with_buttons: SentMessage | None = None

    def _wait(self, until: str) -> list[SentMessage]:
        replies = self.telegram.wait_until(self.chat_id, lambda m: until in m.text, after=self.seen)
        self.seen += len(replies)
        for reply in replies:
            if reply.buttons:
                self.last_with_buttons = reply
        return replies

    def say(self, text: str, until: str) -> list[SentMessage]:
        """Type ``text``; return the replies up to the one containing ``until``."""
        self.telegram.push_text(self.chat_id, text)
        return self._wait(until)

    def tap(self, title: str, until: str) -> list[SentMessage]:
        """Tap the button whose title contains ``title`` on the latest keyboard."""
        message = self.last_with_buttons
        assert message is not None, "no keyboard has been shown"
        button = next(b for b in message.buttons if title in b["text"])
        self.telegram.press(self.chat_id, button, on=message)
        return self._wait(until)

    def texts(self) -> list[str]:
        """Every text the bot sent in this chat."""
        return [m.text for m in self.telegram.messages_to(self.chat_id)]
