"""KakaoTalk's five seconds: each message one turn, answered directly, by callback or on resend.

A request starts its turn (one at a time per user) and waits for it until the deadline
(4.5 s from arrival, under Kakao's 5). A turn that is not done by then still completes:
its answer goes to the request's callbackUrl when the block has callbacks, otherwise the
user is told to send it again and the answer waits for the same words from the same user
(ten minutes). A request that repeats one still running (a Kakao retry, a double tap:
same user, same words, same block) joins that turn instead of starting another, so the
core answers it once. Nothing here logs what a user wrote.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from ieomoa.channels import kakao_sender
from ieomoa.conversation import messages
from ieomoa.conversation.incoming import Incoming
from ieomoa.conversation.outgoing import OutgoingMessage
from ieomoa.conversation.turn import Outlet
from kakao.outlet import KakaoOutlet
from kakao.payload import SkillRequest
from kakao.render import callback_pending, skill_response

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE = 4.5  # seconds from arrival; Kakao gives up at 5
RESEND_WINDOW = 600.0  # seconds an answer given too late waits for the same words again
CALLBACK_TIMEOUT = 10.0


class Core(Protocol):
    """What the adapter needs of ieomoa.conversation.turn.ConversationCore."""

    async def handle(self, sender: str, incoming: Incoming, outlet: Outlet) -> None: ...

    async def apologise(self, sender: str, outlet: Outlet) -> None: ...

    async def say(self, sender: str, message: str, outlet: Outlet) -> None: ...


RequestKey = tuple[str, str, str]  # user key, words, block


@dataclass
class Turn:
    """A running turn and where its answer goes when no request could wait for it."""

    task: asyncio.Task[dict[str, Any]]
    callback_url: str | None = None
    kept_for_resend: bool = False


class SkillTurns:
    """Answers skill requests through the conversation core within the deadline."""

    def __init__(
        self,
        core: Core,
        *,
        deadline: float = DEFAULT_DEADLINE,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        resend_window: float = RESEND_WINDOW,
    ) -> None:
        self.core = core
        self.deadline = deadline
        self.http = http or httpx.AsyncClient(timeout=CALLBACK_TIMEOUT)
        self.clock = clock
        self.resend_window = resend_window
        self._running: dict[RequestKey, Turn] = {}
        self._late: dict[RequestKey, tuple[dict[str, Any], float]] = {}  # answer, kept until
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._deliveries: set[asyncio.Task[Any]] = set()

    async def answer(self, request: SkillRequest, arrived: float | None = None) -> dict[str, Any]:
        """The skill response for one request, within the deadline counted from ``arrived``."""
        arrived = self.clock() if arrived is None else arrived
        key: RequestKey = (request.user_key, request.utterance.strip(), request.block_id)
        late = self._take_late(key)
        if late is not None:
            return late
        turn = self._running.get(key)
        if turn is None:
            turn = self._start(key, request)
        try:
            remaining = max(0.0, self.deadline - (self.clock() - arrived))
            return await asyncio.wait_for(asyncio.shield(turn.task), timeout=remaining)
        except TimeoutError:
            pass
        # Too late to answer here: the first request without an answer names where it goes.
        if request.callback_url:
            if turn.callback_url is None:
                turn.callback_url = request.callback_url
                self._deliver_later(self._post_callback(turn.task, request.callback_url))
            return callback_pending()
        if turn.callback_url is None and not turn.kept_for_resend:
            turn.kept_for_resend = True
            self._deliver_later(self._keep_for_resend(turn.task, key))
        return await self._still_working(kakao_sender(request.user_key))

    async def aclose(self) -> None:
        """Let running turns and callbacks finish, then close the HTTP client."""
        pending = [turn.task for turn in self._running.values()] + list(self._deliveries)
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await self.http.aclose()

    # -- one turn ----------------------------------------------------------------
    def _start(self, key: RequestKey, request: SkillRequest) -> Turn:
        task = asyncio.create_task(self._run(kakao_sender(request.user_key), request.utterance))
        turn = Turn(task)
        self._running[key] = turn
        task.add_done_callback(lambda _: self._finished(key, turn))
        return turn

    async def _run(self, sender: str, utterance: str) -> dict[str, Any]:
        lock = self._locks.get(sender)
        if lock is None:
            lock = self._locks[sender] = asyncio.Lock()
        async with lock:  # one turn at a time per user, in arrival order
            outlet = KakaoOutlet()
            try:
                await self.core.handle(sender, Incoming.text(utterance), outlet)
            except Exception:
                logger.exception("A KakaoTalk turn failed")
                outlet = KakaoOutlet()
                try:
                    await self.core.apologise(sender, outlet)
                except Exception:  # noqa: BLE001 - already logged; the plain apology follows
                    logger.warning("Could not prepare the apology")
            if not outlet.messages:
                outlet.messages.append(OutgoingMessage(messages.RASA_DOWN, personal=False))
            return skill_response(outlet.messages)

    def _finished(self, key: RequestKey, turn: Turn) -> None:
        if self._running.get(key) is turn:
            del self._running[key]

    # -- late answers --------------------------------------------------------------
    def _deliver_later(self, delivery: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(delivery)
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _post_callback(self, turn: asyncio.Task[dict[str, Any]], url: str) -> None:
        """The answer to Kakao's single-use callback URL (valid one minute)."""
        reply = await turn
        try:
            response = await self.http.post(url, json=reply)
        except httpx.HTTPError as error:
            logger.warning("KakaoTalk callback failed: %s", type(error).__name__)
            return
        if response.status_code >= 300:
            logger.warning("KakaoTalk callback answered %d", response.status_code)

    async def _keep_for_resend(self, turn: asyncio.Task[dict[str, Any]], key: RequestKey) -> None:
        """The answer waits for the same words from the same user."""
        self._late[key] = (await turn, self.clock() + self.resend_window)

    def _take_late(self, key: RequestKey) -> dict[str, Any] | None:
        now = self.clock()
        for stale in [k for k, (_, until) in self._late.items() if until < now]:
            del self._late[stale]
        # Other words from the same user start a new turn: the late answer is dropped.
        for other in [k for k in self._late if k[0] == key[0] and k != key]:
            del self._late[other]
        late = self._late.pop(key, None)
        return late[0] if late else None

    async def _still_working(self, sender: str) -> dict[str, Any]:
        outlet = KakaoOutlet()
        try:
            await self.core.say(sender, messages.STILL_WORKING, outlet)
        except Exception:  # noqa: BLE001 - the database is slow or down: say it plainly
            logger.warning("Could not read the chat's preferences for the wait message")
            outlet.messages[:] = [OutgoingMessage(messages.STILL_WORKING, personal=False)]
        return skill_response(outlet.messages)
