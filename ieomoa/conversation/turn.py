"""One conversation turn, whatever the messenger: from an incoming message to sent replies.

A channel adapter turns its updates into ``Incoming`` and gives an ``Outlet`` that knows how
to send there; this module applies the chat's choices (쉬운 말, voice notes), talks to
Rasa, renders replies and buttons, and finishes an erasure once Rasa saved its turn.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from ieomoa.conversation import messages
from ieomoa.conversation.incoming import Incoming, IncomingKind
from ieomoa.conversation.outgoing import OutgoingButton, OutgoingMessage, render_replies
from ieomoa.conversation.rasa_client import RasaClient, RasaUnavailable, asks_to_erase
from ieomoa.conversation.typed_choices import (
    Choice,
    keyboards_in,
    match_typed_choice,
    without_command_prefix,
)
from ieomoa.services.buttons import ButtonRegistry
from ieomoa.services.chats import ChatPreferences, ChatService
from ieomoa.services.erasure import ErasureService
from ieomoa.services.keyboards import KeyboardService
from ieomoa.speech.engines import CachedSpeech
from ieomoa.speech.fixed_texts import FixedTexts, RasaFixedTexts
from ieomoa.speech.text import speech_text

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 1000
# Commands that are Rasa intents; any other command gets the help text.
COMMAND_PAYLOADS = {"start": "/greet", "help": "/help", "privacy": "/privacy_summary"}
HELP_PAYLOAD = COMMAND_PAYLOADS["help"]
SPEECH_NICENESS = 10


def _lower_priority() -> None:
    """Run this thread at a lower CPU priority (Linux sets it per thread; elsewhere nothing)."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + SPEECH_NICENESS))
    except (AttributeError, OSError):
        pass


# Speech has threads of its own, at a lower priority: a voice note takes a CPU for a few
# hundred milliseconds. In asyncio's default pool (CPUs + 4 threads) a few voice-mode chats
# would hold every other chat's database calls, and at normal priority they would take the
# CPU Rasa needs for everyone's next reply (make bench-load, README "Performance"). The
# voice note follows its text anyway.
SPEECH_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="speech", initializer=_lower_priority)


class Outlet(Protocol):
    """How one channel sends to one chat."""

    text_limit: int  # the longest text one message may carry
    speaks: bool  # whether the channel can send voice notes

    async def show_typing(self) -> None:
        """Show that an answer is being prepared (where the channel can)."""

    async def send(self, outgoing: Sequence[OutgoingMessage]) -> None:
        """Send one turn's messages, in order, each with its buttons."""

    async def send_voice(self, audio: bytes) -> None:
        """Send an OGG/Opus voice note."""

    async def retire_keyboard(self) -> None:
        """Take the pressed button's keyboard away, so it cannot answer twice."""


@dataclass(frozen=True)
class ConversationServices:
    """What a turn needs from the rest of the system."""

    rasa: RasaClient
    buttons: ButtonRegistry
    keyboards: KeyboardService
    chats: ChatService
    erasure: ErasureService
    tracker_store_url: str
    speech: CachedSpeech | None = None  # None: this deployment sends no voice notes
    # Which replies carry no user value and may be read by the online voice.
    fixed_texts: RasaFixedTexts | None = None


class ConversationCore:
    """Handles every incoming message of one channel (``channel`` names it for Rasa)."""

    def __init__(self, services: ConversationServices, channel: str) -> None:
        self.services = services
        self.channel = channel

    async def handle(self, sender: str, incoming: Incoming, outlet: Outlet) -> None:
        """Answer one incoming message of ``sender`` through ``outlet``."""
        match incoming.kind:
            case IncomingKind.TEXT:
                await self._typed(sender, incoming.value, outlet)
            case IncomingKind.BUTTON:
                await self._pressed(sender, incoming.value, outlet)
            case IncomingKind.COMMAND:
                await self._command(sender, incoming.value, outlet)
            case IncomingKind.VOICE:
                await self._offer_voice(sender, outlet)
            case _:
                await self.say(sender, messages.UNSUPPORTED_CONTENT, outlet)

    async def apologise(self, sender: str, outlet: Outlet) -> None:
        """Say that something failed, even when the database is what failed."""
        try:
            preferences = await self.preferences(sender)
        except Exception:  # noqa: BLE001 - the database may be what failed; apologise plainly
            preferences = ChatPreferences()
        await self.say(sender, messages.RASA_DOWN, outlet, preferences=preferences)

    async def preferences(self, sender: str) -> ChatPreferences:
        """This chat's voice, speed and easy-read choices."""
        return await asyncio.to_thread(self.services.chats.preferences, sender)

    async def say(
        self, sender: str, message: str, outlet: Outlet, *, buttons: tuple[OutgoingButton, ...] = (),
        preferences: ChatPreferences | None = None, **values: Any,
    ) -> None:
        """One of the assistant's own messages (ieomoa/conversation/messages.py), in the chat's register."""
        preferences = preferences or await self.preferences(sender)
        text = messages.for_reader(message, preferences.easy_read)
        text = text.format(**values) if values else text
        outgoing = [OutgoingMessage(text, buttons, personal=False)]
        await outlet.send(outgoing)
        await self._speak(outgoing, outlet, preferences)

    async def _typed(self, sender: str, text: str, outlet: Outlet) -> None:
        text = without_command_prefix(text).strip()
        if not text:
            await self.say(sender, messages.EMPTY_TEXT, outlet)
        elif len(text) > MAX_TEXT_LENGTH:
            await self.say(sender, messages.TOO_LONG, outlet, limit=MAX_TEXT_LENGTH)
        else:
            await self.converse(sender, text, outlet, typed=True)

    async def _pressed(self, sender: str, token: str, outlet: Outlet) -> None:
        # Only a button of this chat's latest keyboards, and only once: an old question, an
        # answered confirmation or a token from another chat changes nothing.
        services = self.services
        shown = await asyncio.to_thread(services.keyboards.shows, sender, token)
        button = await asyncio.to_thread(services.buttons.press, sender, token) if shown else None
        if button is None:
            await self.say(sender, messages.OLD_BUTTON, outlet)
            return
        await outlet.retire_keyboard()
        await self.converse(sender, button.payload, outlet)

    async def _command(self, sender: str, command: str, outlet: Outlet) -> None:
        if command == "voice":
            preferences = await self.preferences(sender)
            await self.converse(sender, "/voice_off" if preferences.voice else "/voice_on", outlet)
        else:
            await self.converse(sender, COMMAND_PAYLOADS.get(command, HELP_PAYLOAD), outlet)

    async def _offer_voice(self, sender: str, outlet: Outlet) -> None:
        # Someone who speaks may want to listen too: offer voice mode.
        services = self.services
        [[offer]] = await asyncio.to_thread(
            services.buttons.issue_keyboards, sender, [[Choice(messages.VOICE_OFFER_BUTTON, "/voice_on")]]
        )
        button = OutgoingButton(offer.title, offer.token)
        await self.say(sender, messages.VOICE_NOT_READ, outlet, buttons=(button,))
        await asyncio.to_thread(services.keyboards.remember, sender, [[offer]])

    async def converse(self, sender: str, text: str, outlet: Outlet, *, typed: bool = False) -> None:
        """Send text (or a button payload) to Rasa and send every reply.

        Typed text that names a button of the last reply ("1", "제출") is sent as that button.
        """
        services = self.services
        # "typing…" goes out while the turn is prepared (a round trip to the messenger need not
        # hold the reply); it is awaited before anything is sent, so it never follows a reply.
        typing = asyncio.create_task(outlet.show_typing())
        try:
            await asyncio.to_thread(services.chats.resume_pushes, sender)  # it writes again: pushes resume
            before = await self.preferences(sender)
            if typed:
                choice = match_typed_choice(text, await asyncio.to_thread(services.keyboards.current, sender))
                text = choice.payload if choice else text
            replies = await services.rasa.send(sender, text, self._metadata(before))
        except RasaUnavailable as error:
            logger.error("Rasa unavailable for an update: %s", error)
            await self._finished(typing)
            await self.say(sender, messages.RASA_DOWN, outlet, preferences=before)
            return
        except BaseException:
            typing.cancel()
            raise
        await self._finished(typing)
        keyboards = await asyncio.to_thread(services.buttons.issue_keyboards, sender, keyboards_in(replies))
        tokens = iter([choice.token for keyboard in keyboards for choice in keyboard])
        fixed = await services.fixed_texts.load() if services.fixed_texts else FixedTexts()
        outgoing = render_replies(replies, lambda payload, title: next(tokens), fixed, outlet.text_limit)
        await asyncio.to_thread(services.keyboards.remember, sender, keyboards)
        if not outgoing:
            await services.rasa.listen_again(sender)
            await self.say(sender, messages.NO_REPLY, outlet, preferences=before)
            return
        erased = asks_to_erase(replies)
        if erased:
            # Rasa saved the turn before answering, so the whole conversation can go now.
            await asyncio.to_thread(services.erasure.finish, services.tracker_store_url, sender)
        await outlet.send(outgoing)
        # Read again: this very turn may have switched voice notes or their speed (after an
        # erasure the choices are gone, but its confirmation is still read the way it was asked).
        await self._speak(outgoing, outlet, before if erased else await self.preferences(sender))

    @staticmethod
    async def _finished(typing: asyncio.Task[None]) -> None:
        """Wait for the "typing…" indicator; its failure only costs the indicator."""
        try:
            await typing
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a missing indicator must not lose the reply
            logger.warning("Could not show the typing indicator")

    def _metadata(self, preferences: ChatPreferences) -> dict[str, Any]:
        """Per-message metadata Rasa receives with the text (the database stays the source)."""
        return {"channel": self.channel, "voice": preferences.voice, "easy_read": preferences.easy_read}

    async def _speak(self, outgoing: Sequence[OutgoingMessage], outlet: Outlet, preferences: ChatPreferences) -> None:
        """Each message read aloud after its text; buttons are read as "1번 …, 2번 …".

        A personal message is spoken offline and never cached (``CachedSpeech``).
        """
        speech = self.services.speech
        if not (preferences.voice and outlet.speaks and speech is not None):
            return
        for message in outgoing:
            spoken = speech_text(message.text, [button.title for button in message.buttons])
            try:
                say = functools.partial(speech.say, spoken, preferences.slow, personal=message.personal)
                audio = await asyncio.get_running_loop().run_in_executor(SPEECH_THREADS, say)
            except Exception:
                logger.exception("Speech synthesis failed; the text was sent")
                continue
            await outlet.send_voice(audio)
