"""What a log record may show: masked messages, tracebacks without exception messages."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Iterable

WITHHELD = "<withheld>"
# What a message may name although nobody meant it to: a credential in a URL, an
# application number in a request path, a mobile number.
MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"bot\d+:[A-Za-z0-9_-]+"), f"bot{WITHHELD}"),
    (re.compile(r"(token=)[^&\s'\"]+"), rf"\g<1>{WITHHELD}"),
    (re.compile(r"IEM-\d{4}-\d{6}"), f"IEM-{WITHHELD}"),
    (re.compile(r"(?<!\d)01[016789][- .]?\d{3,4}[- .]?\d{4}(?!\d)"), WITHHELD),
)

RecordRule = Callable[[logging.LogRecord], logging.LogRecord]


def mask(text: str) -> str:
    """``text`` with credentials, application numbers and phone numbers withheld."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def traceback_without_messages(error: BaseException | None) -> str:
    """A traceback with its frames and exception types, but no exception message or locals."""
    lines: list[str] = []
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
        return {key: mask(val) if isinstance(val, str) else val for key, val in args.items()}
    return args


def withhold(record: logging.LogRecord, quiet_below_info: tuple[str, ...],
             rewrite: Callable[[str], str] = mask) -> logging.LogRecord:
    """The record as it may be written: message masked, exception message withheld.

    Debug records of the loggers ``quiet_below_info`` names lose their message (in case a
    level was lowered again). Arguments are masked one by one, so formatters that read them
    (uvicorn's access log) keep working; only when ``rewrite`` still changes the joined
    message is it replaced whole.
    """
    if record.levelno < logging.INFO and record.name.startswith(quiet_below_info):
        record.msg, record.args = f"(debug detail {WITHHELD})", ()
    if isinstance(record.msg, str):
        record.msg = mask(record.msg)
    record.args = _masked_args(record.args)  # type: ignore[assignment]
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string: keep its template only
        record.args = ()
        message = str(record.msg)
    if rewrite(message) != message:
        record.msg, record.args = rewrite(message), ()
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = traceback_without_messages(record.exc_info[1])
        record.exc_info = None
    return record


def install_record_factory(rule: RecordRule) -> None:
    """Every record this process creates passes ``rule`` (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "ieomoa_rule", None) is rule:
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return rule(current(*args, **kwargs))

    factory.ieomoa_rule = rule  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def raise_levels(names: Iterable[str], level: int) -> None:
    """The loggers ``names`` log nothing below ``level``, whatever they were set to."""
    for name in names:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < level:
            logger.setLevel(level)
