"""The outbox: queueing pushes and every database step of their delivery.

A change that announces itself queues its pushes in its own transaction (:func:`queue_push`);
the relays (relay/) deliver them through :class:`OutboxService`: leased claims, one short
transaction per outcome, the per-chat spacing, the shared send rate and 429 pause, and chats
that blocked the bot. The relays run no SQL of their own. (An erasure deletes a chat's pushes
with the rest of its data: ieomoa/services/erasure.py.)

- **Claims are leases.** A relay takes up to a batch of due rows by writing its claim token
  and ``lease_until`` on them (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
  conditional UPDATE itself is the guard, writes being serialised). Leased rows stay
  PENDING, so a relay that dies mid-batch leaves them to the others once the lease ends.
- **Each outcome is its own transaction**, written right after Telegram answered: a row
  Telegram accepted is SENT before the next row is tried, and a SENT row is never claimed
  again. The only repeat left is a relay dying between Telegram's answer and that commit
  (the one push in flight), which no Bot API call can rule out.
- **A 429 pauses every relay.** ``retry_after`` is written to the single ``relay_state``
  row, which every relay reads before each send: one row rather than the outbox rows,
  because pushes queued after the 429 must wait too and a pending row of every chat
  would otherwise need rewriting.
- **One send rate for every relay.** Telegram's overall limit (about 30 messages/s per
  bot) holds for the bot, not for each relay: every send takes the next slot from the same
  ``relay_state`` row (:meth:`OutboxService.reserve_send`, one UPDATE, so two relays never get
  the same slot), and the relay waits for its slot before sending. The 429 pause is read in
  the same statement.
- **A 403 blocks the chat** (``blocked_chats``, keyed by Telegram chat id like the outbox):
  its pending pushes and any later ones become UNDELIVERABLE with a clear reason, without a
  call to Telegram, until the chat writes to the bot again (:meth:`ChatService.resume_pushes`).

- **Texts live only until delivery.** Push texts carry personal data (staff notes): the
  ``text`` column is encrypted under the outbox key (``OutboxMessage.text``), and the same
  transaction that marks a row SENT removes its text and any error message, so a delivered
  push keeps only its state, times and number of attempts. Undelivered rows keep their
  text, encrypted. Nothing here logs a text.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from ieomoa.db_results import rows_matched
from ieomoa.models import BlockedChat, OutboxMessage, RelayState, utcnow
from ieomoa.statuses import OutboxState

BLOCKED = "403: the chat blocked the bot; not sent (pushes resume when it writes again)"
RELAY_STATE_ID = 1

Clock = Callable[[], datetime]


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch (UTC): exact in any database's BIGINT."""
    return round(aware(moment).timestamp() * 1_000_000)


def from_micros(micros: int) -> datetime:
    """The moment ``to_micros`` gave."""
    return datetime.fromtimestamp(micros / 1_000_000, tz=UTC)


@dataclass(frozen=True)
class Push:
    """A claimed row, detached from its session (the text is never part of a repr).

    Its chat is a Telegram ``chat_id`` or, on a messenger without numeric ids (KakaoTalk),
    a ``recipient`` sender id: ``address`` is whichever it has.
    """

    id: int
    chat_id: int | None
    text: str = field(repr=False)
    voice: bool = False
    voice_slow: bool = False
    attempts: int = 0
    recipient: str | None = None

    @property
    def address(self) -> int | str:
        """The chat the relay's sender delivers to."""
        return self.chat_id if self.chat_id is not None else self.recipient or ""


@dataclass(frozen=True)
class Claim:
    """Rows leased by one relay until ``lease_until``; ``token`` proves the lease."""

    token: str
    lease_until: datetime
    pushes: list[Push]


def queue_push(
    session: Session, *, key: str, text: str, chat_id: int | None = None, recipient: str | None = None,
    application_seq: int | None = None, voice: bool = False, voice_slow: bool = False,
) -> None:
    """Queue one push in the caller's transaction: it exists exactly when the change it announces does.

    ``key`` is unique, so one push is never queued twice; ``application_seq`` names the
    application the push is about, so erasing the application erases the push too. The chat
    is a Telegram ``chat_id`` or another messenger's ``recipient`` sender id, one of the two.
    """
    if (chat_id is None) == (recipient is None):
        raise ValueError("a push goes to a chat_id or a recipient, one of the two")
    session.add(OutboxMessage(idempotency_key=key, chat_id=chat_id, recipient=recipient, text=text,
                              application_seq=application_seq, voice=voice, voice_slow=voice_slow))


def claimable(now: datetime, limit: int) -> Select[int]:
    """Ids of up to ``limit`` due, unleased rows, each the oldest pending row of its chat.

    Served by the partial indexes on pending rows (migration 0016): the scan in id order and
    the "older pending row of the same chat" probe never touch delivered rows.
    """
    free = or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now)
    older = aliased(OutboxMessage)
    # The same chat by either name (NULL never equals NULL, so a Telegram row never matches
    # a KakaoTalk row through its empty recipient).
    same_chat = or_(older.chat_id == OutboxMessage.chat_id, older.recipient == OutboxMessage.recipient)
    older_pending = exists().where(
        and_(same_chat, older.state == OutboxState.PENDING, older.id < OutboxMessage.id)
    )
    blocked = exists().where(BlockedChat.chat_id == OutboxMessage.chat_id)
    return (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.next_attempt_at <= now, free)
        .where(~older_pending, ~blocked)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )


def same_chat_as(push: Push) -> ColumnElement[bool]:
    """The rows of the push's chat, by the name it has."""
    if push.chat_id is not None:
        return OutboxMessage.chat_id == push.chat_id
    return OutboxMessage.recipient == push.recipient


class OutboxService:
    """Every database step of a relay, each in its own short transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    # -- the shared pause ------------------------------------------------------
    def paused_until(self) -> datetime | None:
        """End of the pause Telegram asked for (429), if it has not ended yet."""
        with self._sessions() as session:
            until = session.scalar(
                select(RelayState.paused_until)
                .where(RelayState.id == RELAY_STATE_ID, RelayState.paused_until > self._clock())
            )
        return None if until is None else aware(until)

    def reserve_send(self, interval: float) -> datetime | None:
        """When this relay may make its next send, or None while the 429 pause lasts.

        The slot starts ``interval`` after the one any relay reserved last (or now, if that
        is past): one UPDATE of the shared row, which the database applies one relay at a
        time, so the slots of all relays together are ``interval`` apart.
        """
        now = self._clock()
        now_us, step = to_micros(now), round(interval * 1_000_000)
        slot_end = case((RelayState.next_send_us > now_us, RelayState.next_send_us), else_=now_us) + step
        for _ in range(2):
            with self._sessions.begin() as session:
                reserved = session.execute(
                    update(RelayState)
                    .where(RelayState.id == RELAY_STATE_ID)
                    .where(or_(RelayState.paused_until.is_(None), RelayState.paused_until <= now))
                    .values(next_send_us=slot_end)
                    .returning(RelayState.next_send_us)
                ).scalar()
                if reserved is not None:
                    return from_micros(reserved - step)
                if session.get(RelayState, RELAY_STATE_ID) is not None:
                    return None  # paused
            self._create_state_row()
        return None

    def _create_state_row(self) -> None:
        """The shared row, if no relay has made it yet (migration 0016 does)."""
        try:
            with self._sessions.begin() as session:
                session.add(RelayState(id=RELAY_STATE_ID, next_send_us=0))
        except IntegrityError:
            pass  # another relay made it at the same moment

    def pause(self, seconds: float, reason: str = "429") -> datetime:
        """Make every relay wait ``seconds`` from now (a longer pause already set stays)."""
        until = self._clock() + timedelta(seconds=seconds)
        for _ in range(2):
            try:
                with self._sessions.begin() as session:
                    changed = rows_matched(session.execute(
                        update(RelayState)
                        .where(RelayState.id == RELAY_STATE_ID)
                        .where(or_(RelayState.paused_until.is_(None), RelayState.paused_until < until))
                        .values(paused_until=until, pause_reason=reason)
                    ))
                    if not changed and session.get(RelayState, RELAY_STATE_ID) is None:
                        session.add(RelayState(id=RELAY_STATE_ID, paused_until=until, pause_reason=reason))
                return until
            except IntegrityError:
                continue  # another relay created the row at the same moment: update it
        return until

    # -- blocked chats ---------------------------------------------------------
    def block_chat(self, chat_id: int, reason: str) -> int:
        """The chat blocked the bot: record it and give up its pending pushes (how many)."""
        now = self._clock()
        for _ in range(2):
            try:
                with self._sessions.begin() as session:
                    if session.get(BlockedChat, chat_id) is None:
                        session.add(BlockedChat(chat_id=chat_id, blocked_at=now, reason=reason[:200]))
                        session.flush()
                    return rows_matched(session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.state == OutboxState.PENDING)
                        .values(state=OutboxState.UNDELIVERABLE, last_error=BLOCKED, lease_token=None, lease_until=None)
                    ))
            except IntegrityError:
                continue  # recorded concurrently; the second pass only marks the rows
        return 0

    # -- claims ----------------------------------------------------------------
    def claim(self, limit: int, lease: timedelta) -> Claim:
        """Lease up to ``limit`` due rows, each the oldest pending row of its chat."""
        now = self._clock()
        token = uuid.uuid4().hex
        with self._sessions.begin() as session:
            # Pushes queued for a blocked chat are given up without a call to Telegram.
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.PENDING)
                .where(OutboxMessage.chat_id.in_(select(BlockedChat.chat_id)))
                .values(state=OutboxState.UNDELIVERABLE, last_error=BLOCKED, lease_token=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
            free = or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now)
            ids = list(session.scalars(claimable(now, limit)))
            if not ids:
                return Claim(token, now + lease, [])
            # Conditional, so a row another relay leased meanwhile (SQLite) is not taken twice;
            # the leased rows come back from the same statement, found by primary key.
            rows = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.state == OutboxState.PENDING)
                .where(OutboxMessage.next_attempt_at <= now, free)
                .values(lease_token=token, lease_until=now + lease)
                .returning(OutboxMessage.id, OutboxMessage.chat_id, OutboxMessage.text, OutboxMessage.voice,
                           OutboxMessage.voice_slow, OutboxMessage.attempts, OutboxMessage.recipient)
                .execution_options(synchronize_session=False)
            ).all()
        # A pending row always has its text; only delivery removes it.
        pushes = [Push(row_id, chat_id, text or "", voice, slow, attempts, recipient)
                  for row_id, chat_id, text, voice, slow, attempts, recipient in rows]
        return Claim(token, now + lease, sorted(pushes, key=lambda push: push.id))

    def release(self, claim: Claim, pushes: list[Push]) -> None:
        """Hand back rows this relay will not try now (only while it still holds them)."""
        if not pushes:
            return
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([p.id for p in pushes]), OutboxMessage.lease_token == claim.token)
                .values(lease_token=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )

    # -- outcomes, each committed at once --------------------------------------
    def mark_sent(self, push: Push, per_chat_interval: float) -> None:
        """The messenger accepted the push: SENT now, its text gone; the chat's next push waits the interval."""
        now = self._clock()
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == push.id, OutboxMessage.state == OutboxState.PENDING)
                .values(state=OutboxState.SENT, sent_at=now, attempts=OutboxMessage.attempts + 1,
                        text=None, last_error=None, lease_token=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
            after = now + timedelta(seconds=per_chat_interval)
            session.execute(
                update(OutboxMessage)
                .where(same_chat_as(push), OutboxMessage.state == OutboxState.PENDING)
                .where(OutboxMessage.next_attempt_at < after)
                .values(next_attempt_at=after)
                .execution_options(synchronize_session=False)
            )

    def retry_later(self, claim: Claim, push: Push, delay: float, error: str, *, count_attempt: bool) -> None:
        """Not delivered this time: due again after ``delay`` seconds."""
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == push.id, OutboxMessage.lease_token == claim.token)
                .values(
                    next_attempt_at=self._clock() + timedelta(seconds=delay),
                    last_error=error[:200],
                    attempts=OutboxMessage.attempts + (1 if count_attempt else 0),
                    lease_token=None,
                    lease_until=None,
                )
                .execution_options(synchronize_session=False)
            )

    def give_up(self, push: Push, error: str) -> None:
        """Telegram refused this push for good (400)."""
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == push.id, OutboxMessage.state == OutboxState.PENDING)
                .values(state=OutboxState.UNDELIVERABLE, last_error=error[:200], lease_token=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
