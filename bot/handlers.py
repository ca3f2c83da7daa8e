"""Telegram adapter: PTB updates into the conversation core, the core's messages into PTB calls."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from ieomoa.channels import telegram_sender
from ieomoa.conversation.incoming import Incoming
from ieomoa.conversation.outgoing import OutgoingMessage
from ieomoa.conversation.turn import ConversationCore

logger = logging.getLogger(__name__)

TELEGRAM_TEXT_LIMIT = 4096


class TelegramOutlet:
    """Sends the core's messages to one Telegram chat."""

    text_limit = TELEGRAM_TEXT_LIMIT
    speaks = True

    def __init__(self, bot: Bot, chat_id: int, query: CallbackQuery | None = None) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.query = query

    async def show_typing(self) -> None:
        """"입력 중…" while Rasa works."""
        await self.bot.send_chat_action(self.chat_id, ChatAction.TYPING)

    async def send(self, outgoing: Sequence[OutgoingMessage]) -> None:
        """Each message with its buttons as an inline keyboard, one button per row."""
        for message in outgoing:
            await self.bot.send_message(self.chat_id, message.text, reply_markup=keyboard_of(message))

    async def send_voice(self, audio: bytes) -> None:
        """A voice note."""
        await self.bot.send_voice(self.chat_id, audio)

    async def retire_keyboard(self) -> None:
        """The pressed keyboard goes away, so a second tap cannot answer twice."""
        if self.query is None:
            return
        try:
            await self.query.edit_message_reply_markup(reply_markup=None)
        except BadRequest:
            pass  # message too old to edit, or already without keyboard


def keyboard_of(message: OutgoingMessage) -> InlineKeyboardMarkup | None:
    """One button per row: read in order by screen readers, no cut-off Korean titles."""
    if not message.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=b.token)] for b in message.buttons])


def core_of(context: ContextTypes.DEFAULT_TYPE) -> ConversationCore:
    """The conversation core stored in bot_data at start-up."""
    return context.application.bot_data["core"]


def incoming_of(update: Update) -> Incoming | None:
    """The update as the core sees it, or None for what carries no message."""
    message = update.effective_message
    if update.callback_query is not None:
        return Incoming.button(update.callback_query.data or "")
    if message is None:
        return None
    if message.text is not None:
        is_command = bool(message.entities) and message.entities[0].type == "bot_command" and message.entities[0].offset == 0
        return Incoming.command(message.text) if is_command else Incoming.text(message.text)
    return Incoming.voice() if message.voice else Incoming.other()


async def handle_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update with a chat: text, commands, button presses, voice notes, anything else."""
    chat = update.effective_chat
    incoming = incoming_of(update)
    if chat is None or incoming is None:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    outlet = TelegramOutlet(context.bot, chat.id, update.callback_query)
    await core_of(context).handle(telegram_sender(chat.id), incoming, outlet)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (no message content) and apologise to the user."""
    logger.error("Error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        chat_id = update.effective_chat.id
        try:
            await core_of(context).apologise(telegram_sender(chat_id), TelegramOutlet(context.bot, chat_id))
        except Exception:  # noqa: BLE001 - the apology itself failed; already logged above
            logger.warning("Could not send the apology")
