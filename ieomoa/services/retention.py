"""Retention: how long each kind of personal data is kept, and the sweep that deletes it after.

The periods come from ieomoa/data/privacy.json, the one place PRIVACY.md and the consent
questions take them from too. The sweep (``RetentionSweep.run``) deletes

- conversations (Rasa's tracker store, drafts included) idle for the conversation period;
- closed applications once their period after closing has passed (timeline and pushes go
  with them), and then the caregiver links of applicants with no application left;
- unlinked caregiver links and expired caregiver codes;
- chat settings (voice, 쉬운 말, last keyboards) of chats with no conversation, application or
  link left, idle for the same period, and buttons past their lifetime;
- audit entries older than the audit log's period;

and records how many of each went in the audit log: counts only, never a number or a name.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, exists, inspect, or_, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.db import forget_deleted
from ieomoa.db_results import rows_matched
from ieomoa.korean_time import Clock, utc_now
from ieomoa.models import (
    Application,
    AuditEntry,
    ButtonToken,
    CaregiverCode,
    CaregiverLink,
    Chat,
    TimelineEntry,
)
from ieomoa.statuses import Status

logger = logging.getLogger(__name__)

POLICY_FILE = Path(__file__).resolve().parents[1] / "data" / "privacy.json"
# Rasa's SQLTrackerStore table (see ieomoa/services/erasure.py).
EVENTS_TABLE = "events"
AUDIT_AGENCY = "SYSTEM"
AUDIT_ACTION = "retention"
# The periods with a length that the sweep applies (the others end with an event).
KEPT_FOR = ("conversation", "chat_settings", "closed_application", "audit_log")


def period_label(days: int | None = None, hours: int | None = None) -> str:
    """How a period is said in every text: "30일", "90일", "2년", "24시간"."""
    if hours is not None:
        return f"{hours}시간"
    assert days is not None
    if days >= 365 and days % 365 == 0:
        return f"{days // 365}년"
    return f"{days}일"


@dataclass(frozen=True)
class Period:
    """One kind of data and how long it is kept (``length`` None: until an event, ``until``)."""

    key: str
    name: str
    length: timedelta | None
    label: str
    counted_from: str | None
    until: str | None
    decided_by: str


@dataclass(frozen=True)
class PrivacyPolicy:
    """ieomoa/data/privacy.json, read once."""

    periods: dict[str, Period]
    document: dict[str, Any]

    def length(self, key: str) -> timedelta:
        """The length of a period that has one."""
        length = self.periods[key].length
        if length is None:
            raise KeyError(f"{key} is kept until an event, not for a length of time")
        return length

    def label(self, key: str) -> str:
        """"30일" for the conversation period, and so on."""
        return self.periods[key].label


def _period(key: str, entry: dict[str, Any]) -> Period:
    days, hours = entry.get("days"), entry.get("hours")
    if days is None and hours is None:
        length, label = None, entry["until"]
    else:
        length = timedelta(days=days or 0, hours=hours or 0)
        label = period_label(days, hours)
    return Period(key, entry["name"], length, label, entry.get("counted_from"), entry.get("until"),
                  entry["decided_by"])


@lru_cache(maxsize=4)
def load_policy(path: Path = POLICY_FILE) -> PrivacyPolicy:
    """The privacy policy data file."""
    document = json.loads(path.read_text(encoding="utf-8"))
    periods = {key: _period(key, entry) for key, entry in document["retention"].items()}
    return PrivacyPolicy(periods, document)


@dataclass(frozen=True)
class SweepReport:
    """How many of each kind one sweep deleted."""

    conversations: int = 0
    conversation_events: int = 0
    closed_applications: int = 0
    caregiver_links: int = 0
    caregiver_codes: int = 0
    chat_settings: int = 0
    button_tokens: int = 0
    audit_entries: int = 0

    def deleted_anything(self) -> bool:
        """True when the sweep deleted at least one row."""
        return any(asdict(self).values())

    def detail(self) -> str:
        """"conversations=2 conversation_events=31 …": the audit log's detail, counts only."""
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


def _utc(moment: datetime) -> datetime:
    """UTC, as every moment is stored (SQLite compares the wall time it is given)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC)


class RetentionSweep:
    """Deletes what has outlived its period; ``clock`` is injectable so tests can move time."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        tracker_store_url: str | None,
        *,
        policy: PrivacyPolicy | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._tracker_store_url = tracker_store_url
        self._policy = policy or load_policy()
        self._clock = clock

    def run(self) -> SweepReport:
        """One sweep; the audit log gets one row with the counts when anything was deleted."""
        now = _utc(self._clock())
        before = {key: now - self._policy.length(key) for key in KEPT_FOR}
        conversations, events, active = self._sweep_conversations(before["conversation"])
        with self._sessions.begin() as session:
            applications = self._sweep_closed_applications(session, before["closed_application"])
            links = self._sweep_caregiver_links(session)
            codes = rows_matched(session.execute(
                delete(CaregiverCode).where(CaregiverCode.expires_at < now)
            ))
            chats = 0
            if active is not None:  # without the tracker store, who is still talking is unknown
                chats = self._sweep_chat_settings(session, before["chat_settings"], active)
            # Buttons past their lifetime (ieomoa/services/buttons.py) or used a day ago.
            buttons = rows_matched(session.execute(delete(ButtonToken).where(
                or_(ButtonToken.expires_at < now, ButtonToken.used_at < now - timedelta(days=1))
            )))
            audit = rows_matched(session.execute(
                delete(AuditEntry).where(AuditEntry.at < before["audit_log"])
            ))
            report = SweepReport(conversations, events, applications, links, codes, chats, buttons, audit)
            if report.deleted_anything():
                session.add(AuditEntry(at=now, agency=AUDIT_AGENCY, action=AUDIT_ACTION,
                                       detail=report.detail()))
        if report.deleted_anything():
            with self._sessions() as session:
                forget_deleted(session.connection())
        logger.info("Retention sweep: %s", report.detail())
        return report

    def _sweep_conversations(self, cutoff: datetime) -> tuple[int, int, set[str] | None]:
        """Delete conversations whose last event is older than ``cutoff``.

        Returns (conversations, events deleted, senders still talking); the last is None when
        there is no tracker store to look at.
        """
        if self._tracker_store_url is None:
            return 0, 0, None
        engine = _tracker_engine(self._tracker_store_url)
        if engine is None:
            return 0, 0, set()  # Rasa never ran here: no conversation exists
        try:
            if not inspect(engine).has_table(EVENTS_TABLE):
                return 0, 0, set()
            with engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA secure_delete=ON")
                # One statement, so an event written meanwhile is judged with the rest.
                deleted = connection.execute(
                    text(
                        f"DELETE FROM {EVENTS_TABLE} WHERE sender_id IN ("
                        f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id "
                        'HAVING MAX("timestamp") < :cutoff) RETURNING sender_id'
                    ),
                    {"cutoff": cutoff.timestamp()},
                ).scalars().all()
                active = set(connection.execute(
                    text(f"SELECT DISTINCT sender_id FROM {EVENTS_TABLE}")
                ).scalars())
            if deleted:
                with engine.connect() as connection:
                    forget_deleted(connection)  # SQLite's write-ahead log still holds them
            return len(set(deleted)), len(deleted), active
        finally:
            engine.dispose()

    @staticmethod
    def _sweep_closed_applications(session: Session, cutoff: datetime) -> int:
        """Closed applications past their period, with their timelines; their pushes go by cascade.

        By id only: nothing is loaded or decrypted, so the sweep needs no encryption key.
        """
        expired = list(session.scalars(
            select(Application.seq)
            .where(Application.status == Status.CLOSED, Application.updated_at < cutoff)
        ))
        if not expired:
            return 0
        session.execute(delete(TimelineEntry).where(TimelineEntry.application_seq.in_(expired)))
        deleted = session.execute(delete(Application).where(Application.seq.in_(expired)))
        return rows_matched(deleted)

    @staticmethod
    def _sweep_caregiver_links(session: Session) -> int:
        """Unlinked caregivers, and links of applicants who have no application left."""
        no_application = ~exists().where(Application.sender_id == CaregiverLink.applicant_sender_id)
        return rows_matched(session.execute(
            delete(CaregiverLink).where(or_(CaregiverLink.removed_at.is_not(None), no_application))
            .execution_options(synchronize_session=False)
        ))

    @staticmethod
    def _sweep_chat_settings(session: Session, cutoff: datetime, active: set[str]) -> int:
        """Chats with nothing left to serve: no conversation, application or link, idle."""
        candidates = list(session.scalars(
            select(Chat.sender_id).where(
                Chat.last_seen_at < cutoff,
                ~exists().where(Application.sender_id == Chat.sender_id),
                ~exists().where(or_(CaregiverLink.applicant_sender_id == Chat.sender_id,
                                    CaregiverLink.caregiver_sender_id == Chat.sender_id)),
            )
        ))
        idle = [sender for sender in candidates if sender not in active]
        if not idle:
            return 0
        session.execute(delete(ButtonToken).where(ButtonToken.sender_id.in_(idle)))
        return rows_matched(session.execute(delete(Chat).where(Chat.sender_id.in_(idle))))


def _tracker_engine(url: str) -> Engine | None:
    """An engine on the tracker store, or None when its database was never created."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not Path(database).exists():
            engine.dispose()
            return None  # do not create an empty file where Rasa will put its own
        return engine
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        engine.dispose()
        if "does not exist" in str(error.orig):
            return None
        raise
    return engine
