"""Rasa's SQL tracker store with every event's data encrypted at rest (Fernet).

Conversations carry 민감정보 (disability answers, typed in the user's own words), so the
``data`` column of Rasa's ``events`` table holds Fernet tokens instead of JSON. The key is
the "rasa-events" purpose key of IEOMOA_SECRET_KEY (ieomoa_nlu/keys.py, derived exactly as
ieomoa/crypto.py does): written under the newest secret, read under any listed one, so
``make rotate-key`` can re-encrypt the rows while Rasa runs. Tokens under the key used before
per-purpose keys, and plain JSON from before encryption, still read. Sender ids, event
types, intent and action names stay readable: Rasa queries by them and erasure deletes by
them.

A turn must not cost more as a conversation grows, so three things Rasa's SQL store does per
turn are done once (bench/long_conversation.py measures the 10th turn against the 150th):

- Rasa finds the session start with a subquery PostgreSQL may run again for every event row
  (a plan quadratic in the conversation's length, in the load and in the save's count);
  here it is one scalar subquery, computed once per query.
- Each stored event is decrypted once per Rasa process: a bounded cache maps the token's
  SHA-256 to its plaintext (in memory only; a rotated or erased row is a new token, or no
  token, so the cache never answers for data that changed).
- Events are rebuilt with their classes looked up once (Rasa walks every Event subclass for
  each stored event).
- Rasa gets a bounded history. Past ``COMPACT_ABOVE`` events in the session, the tracker it
  processes starts at a quiet moment (no form active, the bot listening) at least
  ``KEEP_AT_LEAST`` events back: the state of that moment (every slot that differs from its
  initial value) stands in for what came before, as when Rasa starts a new session with its
  slots carried over. Rasa's policies look 5 turns back and our actions at most at the
  previous turn, so nothing they see changes; every event stays stored and the HTTP API's
  tracker has them all. The state at the cut is replayed once per Rasa process and then
  moved forward from the last cut, so a turn reads and replays only the recent events.

Endpoints: ``tracker_store: {type: ieomoa_nlu.tracker_store.EncryptedSQLTrackerStore, ...}``
with the same settings as Rasa's ``SQL`` type.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import MultiFernet
from rasa.core.tracker_store import SQLTrackerStore, _create_sequence
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.ext.declarative import declarative_base

from ieomoa_nlu.keys import events_cipher

logger = logging.getLogger(__name__)


def fernet_from_environment() -> MultiFernet:
    """The events cipher for IEOMOA_SECRET_KEY (every listed secret, newest writes)."""
    return events_cipher()


# About the events of the few hundred longest-running conversations (a few KB each).
PLAINTEXT_CACHE_SIZE = 50_000
# Bounded history: compact a session's tracker past this many events, keeping at least the
# last KEEP_AT_LEAST events (about ten turns) as they are.
COMPACT_ABOVE = 120
KEEP_AT_LEAST = 60
# Conversations whose state at the cut (and newest event handed out) a Rasa process remembers.
REMEMBERED_CONVERSATIONS = 10_000


class PlaintextCache:
    """Least recently used plaintexts of event tokens, keyed by the token's SHA-256."""

    def __init__(self, size: int = PLAINTEXT_CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> tuple[bytes, str | None]:
        key = hashlib.sha256(token.encode("ascii")).digest()
        with self._lock:
            plaintext = self._entries.get(key)
            if plaintext is not None:
                self._entries.move_to_end(key)
        return key, plaintext

    def put(self, key: bytes, plaintext: str) -> None:
        with self._lock:
            self._entries[key] = plaintext
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)


class EncryptedText(sa.types.TypeDecorator):
    """Text encrypted on write and decrypted on read; rows from before encryption still read."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fernet: MultiFernet | None = None
        self._plaintexts = PlaintextCache()

    def _cipher(self) -> MultiFernet:
        if self._fernet is None:
            self._fernet = fernet_from_environment()
        return self._fernet

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return self._cipher().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or value.startswith("{"):
            return value  # plain JSON written before the store was encrypted
        key, plaintext = self._plaintexts.get(value)
        if plaintext is None:
            plaintext = self._cipher().decrypt(value.encode("ascii")).decode("utf-8")
            self._plaintexts.put(key, plaintext)
        return plaintext


def deserialise_events(serialised: list[dict[str, Any]]) -> list[Event]:
    """Rasa's ``deserialise_events``, each event class looked up once per type."""
    classes: dict[str, type[Event] | None] = {}
    events = []
    for parameters in serialised:
        name = parameters.get("event")
        if name is None:
            continue
        if name not in classes:
            classes[name] = Event.resolve_by_type(name, None)
        event_class = classes[name]
        event = event_class._from_parameters(parameters) if event_class is not None else None
        if event is not None:
            events.append(event)
    return events


class Remembered(OrderedDict):  # type: ignore[type-arg]
    """A dict that forgets its least recently stored keys past ``size``."""

    def __init__(self, size: int = REMEMBERED_CONVERSATIONS) -> None:
        super().__init__()
        self._size = size

    def remember(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > self._size:
            self.popitem(last=False)


def quiet_state(tracker: DialogueStateTracker) -> list[Event] | None:
    """Events that recreate the tracker's state, when no form is active and the bot listens."""
    if tracker.active_loop_name or tracker.is_paused() or tracker.latest_action_name != ACTION_LISTEN_NAME:
        return None
    if tracker.followup_action not in (None, ACTION_LISTEN_NAME):
        return None
    started = next((e for e in reversed(tracker.events) if isinstance(e, SessionStarted)), None)
    timestamp = started.timestamp if started is not None else None
    slots = [SlotSet(slot.name, slot.value, timestamp=timestamp) for slot in tracker.slots.values()
             if slot.value != slot.initial_value]
    return [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=timestamp), SessionStarted(timestamp=timestamp),
            *slots, ActionExecuted(ACTION_LISTEN_NAME, timestamp=timestamp)]


class EncryptedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore on the same ``events`` table, with ``data`` encrypted."""

    Base = declarative_base()

    class SQLEvent(Base):  # type: ignore[misc, valid-type]
        """One conversation event; the same columns as Rasa's, ``data`` encrypted."""

        __tablename__ = "events"

        id = sa.Column(sa.Integer, _create_sequence(__tablename__), primary_key=True)
        sender_id = sa.Column(sa.String(255), nullable=False, index=True)
        type_name = sa.Column(sa.String(255), nullable=False)
        timestamp = sa.Column(sa.Float)
        intent_name = sa.Column(sa.String(255))
        action_name = sa.Column(sa.String(255))
        data = sa.Column(EncryptedText)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fernet_from_environment()  # fail at start, not on the first message
        super().__init__(*args, **kwargs)
        # sender -> ((cut row id, its timestamp), events recreating the state just before it)
        self._cuts: Remembered = Remembered()
        # sender -> the newest stored event of each bounded tracker handed out and not saved yet
        self._handed_out: Remembered = Remembered()

    def _event_query(self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        """Rasa's query (the latest session's events, or all), the session start computed once."""
        query = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            session_start = (
                session.query(sa.func.max(self.SQLEvent.timestamp))
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            query = query.filter(sa.or_(self.SQLEvent.timestamp >= session_start, session_start.is_(None)))
        return query.order_by(self.SQLEvent.id)

    def _events(self, session: Any, sender_id: str, all_sessions: bool, from_id: int | None = None,
                 before_id: int | None = None) -> list[Event]:
        """Stored events (the latest session's, or all), decrypted and rebuilt, optionally a range of ids."""
        query = self._event_query(session, sender_id, all_sessions)
        if from_id is not None:
            query = query.filter(self.SQLEvent.id >= from_id)
        if before_id is not None:
            query = query.filter(self.SQLEvent.id < before_id)
        return deserialise_events([json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data).all()])

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """The conversation's tracker: all its events, or past COMPACT_ABOVE a bounded history."""
        if not self.domain:
            return None
        with self.session_scope() as session:
            if fetch_events_from_all_sessions:
                events = self._events(session, sender_id, all_sessions=True)
            else:
                index = self._event_query(session, sender_id, False).with_entities(
                    self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.timestamp
                ).all()
                if len(index) <= COMPACT_ABOVE:
                    self._cuts.pop(sender_id, None)  # a short (or erased) conversation: nothing to remember
                bounded = self._bounded(session, sender_id, index) if len(index) > COMPACT_ABOVE else None
                if bounded is not None:
                    return bounded
                events = self._events(session, sender_id, all_sessions=False)
        if not events:
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _bounded(self, session: Any, sender_id: str, index: list[Any]) -> DialogueStateTracker | None:
        """The state at a quiet cut and the events since; None when no quiet cut is found."""
        cut = next((position for position in range(len(index) - KEEP_AT_LEAST, 0, -1)
                    if index[position].type_name == UserUttered.type_name), None)
        if cut is None:
            return None
        cut_key = (index[cut].id, index[cut].timestamp)
        known = self._cuts.get(sender_id)
        present = {(row.id, row.timestamp) for row in index}
        if known is not None and known[0] == cut_key:
            state = known[1]
        else:
            if known is not None and known[0] in present and known[0][0] < cut_key[0]:
                # Move the remembered state forward: only the events between the two cuts.
                before = known[1] + self._events(session, sender_id, False, from_id=known[0][0], before_id=cut_key[0])
            else:
                before = self._events(session, sender_id, False, before_id=cut_key[0])
            state = quiet_state(DialogueStateTracker.from_events(sender_id, before, self.domain.slots))
            if state is None:
                return None  # a form was active there: this turn gets the whole session
            self._cuts.remember(sender_id, (cut_key, state))
        recent = self._events(session, sender_id, False, from_id=cut_key[0])
        if not recent:
            return None
        # A few at most (a read-only retrieve is never saved); the oldest are forgotten.
        self._handed_out.remember(sender_id, [*self._handed_out.get(sender_id, [])[-7:], recent[-1]])
        # Slot values may be lists or dicts: the remembered state is never handed out itself.
        return DialogueStateTracker.from_events(sender_id, copy.deepcopy(state) + recent, self.domain.slots)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        """The tracker's events past those already stored.

        For a bounded tracker: the events after the newest stored one it was given (found by
        identity, so a copy of the tracker works too). Otherwise Rasa's way: past as many
        events as the session has stored (counted without reading them).
        """
        handed_out = self._handed_out.get(tracker.sender_id, [])
        if handed_out:
            events = list(tracker.events)
            for position in range(len(events) - 1, -1, -1):
                newest = next((event for event in handed_out if event is events[position]), None)
                if newest is not None:
                    handed_out.remove(newest)
                    return iter(events[position + 1:])
        session_events = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
        stored = session_events.with_entities(sa.func.count(self.SQLEvent.id)).order_by(None).scalar()
        if stored > len(tracker.events) and handed_out:
            # A bounded tracker whose newest stored event is not found (never expected): keep
            # what happened after the newest stored event rather than losing the turn.
            latest = session_events.with_entities(sa.func.max(self.SQLEvent.timestamp)).order_by(None).scalar()
            logger.error("A bounded tracker came back without its marker; saving its events by time")
            return iter([event for event in tracker.events if event.timestamp > latest])
        return itertools.islice(tracker.events, stored, len(tracker.events))
