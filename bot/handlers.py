"""Telegram handlers: relay each message or button press to Rasa and send the replies."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import messages
from bot.rasa_client import RasaClient, RasaUnavailable, asks_to_erase
from bot.render import OutgoingMessage, render_replies
from ieomoa.channels import telegram_sender
from ieomoa.conversation.typed_choices import Choice, keyboards_in, match_typed_choice, without_command_prefix
from ieomoa.services.buttons import ButtonRegistry
from ieomoa.services.chats import ChatPreferences, ChatService
from ieomoa.services.erasure import ErasureService
from ieomoa.services.keyboards import KeyboardService
from ieomoa.speech.engines import CachedSpeech
from ieomoa.speech.fixed_texts import RasaFixedTexts
from ieomoa.speech.text import speech_text
from ieomoa.services.updates import UpdateLedger

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 1000
START_PAYLOAD = "/greet"
HELP_PAYLOAD = "/help"
# Commands answered by a Rasa intent without a handler of their own (they reach help_command).
COMMAND_PAYLOADS = {"privacy": "/privacy_summary"}


@dataclass(frozen=True)
class BotServices:
    """What the handlers need, kept in ``application.bot_data``."""

    rasa: RasaClient
    buttons: ButtonRegistry
    keyboards: KeyboardService
    ledger: UpdateLedger
    chats: ChatService
    speech: CachedSpeech
    erasure: ErasureService
    tracker_store_url: str
    # Which replies carry no user value and may be read by the online voice.
    fixed_texts: RasaFixedTexts


def services_of(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    """The services stored in bot_data at start-up."""
    return context.application.bot_data["services"]


def metadata_for(preferences: ChatPreferences) -> dict[str, Any]:
    """Per-message metadata Rasa receives with the text (the database stays the source)."""
    return {"channel": "telegram", "voice": preferences.voice, "easy_read": preferences.easy_read}


async def preferences_of(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> ChatPreferences:
    """This chat's voice, speed and easy-read choices."""
    return await asyncio.to_thread(services_of(context).chats.preferences, telegram_sender(chat_id))


async def say(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message: str, *,
    keyboard: InlineKeyboardMarkup | None = None, preferences: ChatPreferences | None = None,
) -> None:
    """One of the bot's own messages, in 쉬운 말 and read aloud when the chat chose so.

    ``message`` is one of the constants in bot/messages.py, so it carries no user value.
    """
    preferences = preferences or await preferences_of(context, chat_id)
    outgoing = OutgoingMessage(messages.for_reader(message, preferences.easy_read), keyboard, personal=False)
    await context.bot.send_message(chat_id, outgoing.text, reply_markup=outgoing.keyboard)
    if preferences.voice:
        await send_voice(context, chat_id, outgoing, preferences.slow)


async def converse(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *, typed: bool = False) -> None:
    """Send text (or a button payload) to Rasa and render every reply.

    Typed text that names a button of the last reply ("1", "제출") is sent as that button.
    """
    chat = update.effective_chat
    assert chat is not None
    services = services_of(context)
    sender = telegram_sender(chat.id)
    await asyncio.to_thread(services.chats.resume_pushes, sender)  # it writes again: pushes resume
    await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    before = await preferences_of(context, chat.id)
    if typed:
        choice = match_typed_choice(text, await asyncio.to_thread(services.keyboards.current, sender))
        text = choice.payload if choice else text
    try:
        replies = await services.rasa.send(sender, text, metadata_for(before))
    except RasaUnavailable as error:
        logger.error("Rasa unavailable for an update: %s", error)
        await say(context, chat.id, messages.RASA_DOWN, preferences=before)
        return
    keyboards = await asyncio.to_thread(services.buttons.issue_keyboards, sender, keyboards_in(replies))
    tokens = iter([choice.token for keyboard in keyboards for choice in keyboard])
    fixed = await services.fixed_texts.load()
    outgoing = render_replies(replies, lambda payload, title: next(tokens), fixed)
    await asyncio.to_thread(services.keyboards.remember, sender, keyboards)
    if not outgoing:
        await services.rasa.listen_again(sender)
        await say(context, chat.id, messages.NO_REPLY, preferences=before)
        return
    erased = asks_to_erase(replies)
    if erased:
        # Rasa saved the turn before answering, so the whole conversation can go now.
        await asyncio.to_thread(services.erasure.finish, services.tracker_store_url, sender)
    for message in outgoing:
        await context.bot.send_message(chat.id, message.text, reply_markup=message.keyboard)
    # Read again: this very turn may have switched voice notes or their speed (after an
    # erasure the choices are gone, but its confirmation is still read the way it was asked).
    after = before if erased else await preferences_of(context, chat.id)
    if after.voice:
        for message in outgoing:
            await send_voice(context, chat.id, message, after.slow)


async def send_voice(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message: OutgoingMessage, slow: bool = False
) -> None:
    """The message read aloud, after its text; buttons are read as "1번 …, 2번 …".

    A personal message is spoken offline and never cached (``CachedSpeech``).
    """
    titles = [row[0].text for row in message.keyboard.inline_keyboard] if message.keyboard else []
    spoken = speech_text(message.text, titles)
    try:
        audio = await asyncio.to_thread(services_of(context).speech.say, spoken, slow, personal=message.personal)
    except Exception:
        logger.exception("Speech synthesis failed; the text was sent")
        return
    await context.bot.send_voice(chat_id, audio)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: greet and say what the bot can do."""
    await converse(update, context, START_PAYLOAD)


async def voice_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/voice: switch voice notes on or off."""
    chat = update.effective_chat
    assert chat is not None
    preferences = await preferences_of(context, chat.id)
    await converse(update, context, "/voice_off" if preferences.voice else "/voice_on")


def command_of(text: str | None) -> str:
    """"privacy" for "/privacy" or "/privacy@ieomoa_bot …"."""
    first = (text or "").split(maxsplit=1)[0] if (text or "").strip() else ""
    return first.removeprefix("/").split("@", 1)[0].lower()


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help and unknown commands: what the bot can do; /privacy: the privacy summary."""
    message = update.effective_message
    command = command_of(message.text if message is not None else None)
    await converse(update, context, COMMAND_PAYLOADS.get(command, HELP_PAYLOAD))


async def relay_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Relay a text message to Rasa."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = without_command_prefix(message.text).strip()
    if not text:
        await say(context, message.chat_id, messages.EMPTY_TEXT)
    elif len(text) > MAX_TEXT_LENGTH:
        preferences = await preferences_of(context, message.chat_id)
        template = messages.for_reader(messages.TOO_LONG, preferences.easy_read)
        await say(context, message.chat_id, template.format(limit=MAX_TEXT_LENGTH), preferences=preferences)
    else:
        await converse(update, context, text, typed=True)


async def relay_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Relay a button press: the stored payload goes to Rasa."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    await query.answer()
    services, sender = services_of(context), telegram_sender(chat.id)
    # Only a button of this chat's latest keyboards, and only once: an old question, an
    # answered confirmation or a token from another chat changes nothing.
    shown = await asyncio.to_thread(services.keyboards.shows, sender, query.data or "")
    button = await asyncio.to_thread(services.buttons.press, sender, query.data or "") if shown else None
    if button is None:
        await say(context, chat.id, messages.OLD_BUTTON)
        return
    try:
        # The keyboard goes away once used, so a second tap cannot answer twice.
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest:
        pass  # message too old to edit, or already without keyboard
    await converse(update, context, button.payload)


async def unsupported_content(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, files and the like: say kindly what the bot can read."""
    message = update.effective_message
    if message is None:
        return
    if not message.voice:
        await say(context, message.chat_id, messages.UNSUPPORTED_CONTENT)
        return
    # Someone who speaks may want to listen too: offer voice mode.
    services, sender = services_of(context), telegram_sender(message.chat_id)
    offer = await asyncio.to_thread(
        services.buttons.issue_keyboards, sender, [[Choice(messages.VOICE_OFFER_BUTTON, "/voice_on")]]
    )
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(messages.VOICE_OFFER_BUTTON, callback_data=offer[0][0].token)]])
    await say(context, message.chat_id, messages.VOICE_NOT_READ, keyboard=keyboard)
    await asyncio.to_thread(services.keyboards.remember, sender, offer)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (no message content) and apologise to the user."""
    logger.error("Error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        chat_id = update.effective_chat.id
        try:
            preferences = await preferences_of(context, chat_id)
        except Exception:  # noqa: BLE001 - the database may be what failed; apologise plainly
            preferences = ChatPreferences()
        try:
            await say(context, chat_id, messages.RASA_DOWN, preferences=preferences)
        except Exception:  # noqa: BLE001 - the apology itself failed; already logged above
            logger.warning("Could not send the apology")
