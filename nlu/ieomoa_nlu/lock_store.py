"""Rasa's Redis lock store with every change of a lock made atomically, for several replicas.

Rasa 3.6's ``RedisLockStore`` changes a conversation's ticket lock by GET, change in Python,
SET. Inside one Rasa process that is safe (the calls block the event loop), but two replicas
can interleave: both read "no lock", both issue ticket 0 and both process the same
conversation at once, and then Rasa's SQL tracker store, which saves "the events past the
number already stored", drops one replica's turn. A replica finishing its turn can likewise
delete the lock another has just taken a ticket on. Here issuing a ticket, dropping expired
tickets and finishing a ticket each run as a Redis transaction (WATCH / MULTI / EXEC, retried
when another replica changed the lock meanwhile), so tickets are unique and served in order.

Endpoints: ``lock_store: {type: ieomoa_nlu.lock_store.AtomicRedisLockStore, url: <host>,
port: 6379, db: 1, key_prefix: <letters and digits>}`` with the settings of Rasa's ``redis``
type (``password`` too).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose read-change-write steps are Redis transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
        settings.update(kwargs)
        if endpoint_config is not None and endpoint_config.url:
            settings.setdefault("host", endpoint_config.url)
        super().__init__(**settings)

    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], tuple[TicketLock | None, T]]) -> T:
        """Apply ``change`` to the stored lock atomically; None from it deletes the lock."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            changed, result = change(lock)
            pipe.multi()
            if changed is None:
                pipe.delete(key)
            else:
                pipe.set(key, changed.dumps())
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket, numbered after every ticket still held or waiting."""
        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:  # Rasa's contract: a LockError, whatever went wrong
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (a replica that died holding one)."""
        def prune(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, prune)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Give up one ticket."""
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give up one ticket, and delete the lock in the same step when no ticket is left."""
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)
