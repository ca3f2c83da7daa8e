"""Logging for every process: readable lines, no personal data, no bot token.

Our own log calls carry ids and error kinds only. What could still bring a person into a
line is withheld for every record the process creates, whichever library logs it and
whatever handlers it configures later (uvicorn, Sanic, rasa_sdk): a record factory masks
tokens, application numbers and phone numbers in the message, and replaces a traceback's
exception message (a database error lists the values of its statement; an HTTP error its
URL) by the exception's type. Libraries' debug output, which dumps requests and trackers,
stays off. The Rasa server has its own counterpart, ``nlu/ieomoa_nlu/log_privacy.py``.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections.abc import Callable
from types import TracebackType

WITHHELD = "<withheld>"
# What a message may name although nobody meant it to: a credential in a URL, an
# application number in a request path, a mobile number.
MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"bot\d+:[A-Za-z0-9_-]+"), f"bot{WITHHELD}"),
    (re.compile(r"(token=)[^&\s'\"]+"), rf"\g<1>{WITHHELD}"),
    (re.compile(r"IEM-\d{4}-\d{6}"), f"IEM-{WITHHELD}"),
    (re.compile(r"(?<!\d)01[016789][- .]?\d{3,4}[- .]?\d{4}(?!\d)"), WITHHELD),
)
# Libraries whose debug lines dump requests, events or slots: never below INFO.
QUIET_BELOW_INFO = ("rasa_sdk", "sanic", "uvicorn", "telegram", "sqlalchemy", "multipart")
# HTTP clients (their URLs contain the bot token) and SQL statements with their values.
QUIET_BELOW_WARNING = ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler", "sqlalchemy.engine")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def mask(text: str) -> str:
    """``text`` with tokens, application numbers and phone numbers withheld."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def traceback_without_messages(exc_info: ExcInfo) -> str:
    """A traceback with its frames and exception types, but no exception message."""
    lines: list[str] = []
    error: BaseException | None = exc_info[1]
    while error is not None:
        frames = traceback.extract_tb(error.__traceback__)
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in traceback.format_list(frames))
        lines.append(f"{type(error).__module__}.{type(error).__qualname__}: ({WITHHELD})")
        cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        if cause is not None:
            lines.append("raised while handling:")
        error = cause
    return "\n".join(lines)


def _masked_args(args: object) -> object:
    if isinstance(args, tuple):
        return tuple(mask(arg) if isinstance(arg, str) else arg for arg in args)
    if isinstance(args, dict):
        return {key: mask(value) if isinstance(value, str) else value for key, value in args.items()}
    return args


def withhold(record: logging.LogRecord) -> logging.LogRecord:
    """The record as it may be written: message masked, exception message withheld.

    Arguments are masked one by one, so formatters that read them (uvicorn's access log)
    keep working; only when the joined message still shows something is it replaced whole.
    """
    if record.levelno < logging.INFO and record.name.startswith(QUIET_BELOW_INFO):
        record.msg, record.args = f"(debug detail {WITHHELD})", ()  # in case a level was lowered again
    if isinstance(record.msg, str):
        record.msg = mask(record.msg)
    record.args = _masked_args(record.args)  # type: ignore[assignment]
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string: keep its template only
        record.args = ()
        message = str(record.msg)
    if mask(message) != message:
        record.msg, record.args = mask(message), ()
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = traceback_without_messages(record.exc_info)  # type: ignore[arg-type]
        record.exc_info = None
    return record


_installed_factory: Callable[..., logging.LogRecord] | None = None


def install_log_privacy() -> None:
    """Withhold personal data from every log record this process creates (idempotent)."""
    global _installed_factory
    current = logging.getLogRecordFactory()
    if current is _installed_factory:
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return withhold(current(*args, **kwargs))

    _installed_factory = factory
    logging.setLogRecordFactory(factory)
    for name in QUIET_BELOW_INFO:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    for name in QUIET_BELOW_WARNING:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str | None = None) -> None:
    """Plain one-line logs, with personal data withheld (see ``install_log_privacy``)."""
    logging.basicConfig(
        level=(level or os.environ.get("LOG_LEVEL") or "INFO").upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    install_log_privacy()
