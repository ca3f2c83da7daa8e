"""Logging for every process: readable lines, no personal data, no bot token.

Our own log calls carry ids and error kinds only. What could still bring a person into a
line is withheld for every record the process creates, whichever library logs it and
whatever handlers it configures later (uvicorn, Sanic, rasa_sdk): a record factory masks
tokens, application numbers and phone numbers in the message, and replaces a traceback's
exception message (a database error lists the values of its statement; an HTTP error its
URL) by the exception's type. Libraries' debug output, which dumps requests and trackers,
stays off. The rules themselves are in ``log_privacy/records.py``, which the Rasa server
applies too (``nlu/ieomoa_nlu/log_privacy.py``).
"""

from __future__ import annotations

import logging

from ieomoa.config import load_settings
from log_privacy import records

# Libraries whose debug lines dump requests, events or slots: never below INFO.
QUIET_BELOW_INFO = ("rasa_sdk", "sanic", "uvicorn", "telegram", "sqlalchemy", "multipart")
# HTTP clients (their URLs contain the bot token) and SQL statements with their values.
QUIET_BELOW_WARNING = ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler", "sqlalchemy.engine")


def withhold(record: logging.LogRecord) -> logging.LogRecord:
    """The record as it may be written: message masked, exception message withheld."""
    return records.withhold(record, QUIET_BELOW_INFO)


def install_log_privacy() -> None:
    """Withhold personal data from every log record this process creates (idempotent)."""
    records.install_record_factory(withhold)
    records.raise_levels(QUIET_BELOW_INFO, logging.INFO)
    for name in QUIET_BELOW_WARNING:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str | None = None) -> None:
    """Plain one-line logs, with personal data withheld (see ``install_log_privacy``)."""
    logging.basicConfig(
        level=(level or load_settings().log_level).upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    install_log_privacy()
