"""Rasa's logs without people in them: no user text, slot value or event dump in any line.

Installed by ``ieomoa_nlu.rasa_cli`` around Rasa's own logging set-up. Rasa writes what
people said in three ways, and each is closed here:

- structured events (structlog): every field but the event's name and description is
  withheld (``user_text``, ``slot_values``, ``rasa_events``, ``response`` …), and an
  exception is logged as its type and frames, never with the locals Rasa's JSON renderer
  would dump (the interpolator's dumped every slot);
- Python warnings: "Failed to parse arguments in line '/…'" quotes a message that starts
  with "/" word for word, so it is replaced by a sentence without it;
- standard log records: Rasa's debug lines (parsed messages, events, slots) stay off even
  with LOG_LEVEL=DEBUG, credentials and numbers in messages are masked, and tracebacks
  keep their frames but not their exception messages.

The record rules are the app's too: both come from ``log_privacy/records.py``, a package
of its own because this one runs in Rasa's environment, which does not have ``ieomoa``.
"""

from __future__ import annotations

import logging
import re
import sys
import warnings
from collections.abc import Callable, MutableMapping
from typing import Any

from log_privacy import records
from log_privacy.records import WITHHELD, mask, traceback_without_messages

# Rasa's parser quotes the whole message ("Failed to parse arguments in line '/…'").
QUOTED_MESSAGE = re.compile(r"Failed to parse arguments in line", re.S)
PARSE_WARNING = ("A message starting with '/' is not a known intent with valid arguments; "
                 "it was read as text (message withheld).")
# Fields of Rasa's structured events that never carry what a person said or gave.
SAFE_EVENT_FIELDS = frozenset({"event", "event_key", "event_info", "level", "log_level", "timestamp",
                               "logger", "action_name", "len_extraction_events", "filename"})
# Loggers whose debug lines dump messages, events and slots: never below INFO.
QUIET_BELOW_INFO = ("rasa", "rasa_sdk", "sanic", "ieomoa_nlu")


# -- structured events ------------------------------------------------------------------------


def withhold_event_fields(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: fields other than the event's name and description are withheld."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info:
        error = exc_info[1] if isinstance(exc_info, tuple) else (
            exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1])
        if error is not None:
            event_dict["exception"] = traceback_without_messages(error)
    for key in list(event_dict):
        if key not in SAFE_EVENT_FIELDS and key != "exception":
            event_dict[key] = WITHHELD
        elif isinstance(event_dict[key], str):
            event_dict[key] = mask(event_dict[key])
    return event_dict


def install_structlog_processor() -> None:
    """Put ``withhold_event_fields`` into structlog's chain, before anything renders."""
    import structlog

    processors = structlog.get_config()["processors"]  # the live list, shared by cached loggers
    if withhold_event_fields in processors:
        return
    try:
        # After set_exc_info (it turns .exception() into exc_info), before the tracebacks.
        position = processors.index(structlog.dev.set_exc_info) + 1
    except ValueError:
        position = max(0, len(processors) - 1)
    processors.insert(position, withhold_event_fields)


# -- warnings ---------------------------------------------------------------------------------


def _show_warning_without_text(show: Callable[..., None]) -> Callable[..., None]:
    def showwarning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                    file: Any = None, line: str | None = None) -> None:
        text = str(message)
        if QUOTED_MESSAGE.search(text):
            text = PARSE_WARNING
        show(category(mask(text)), category, filename, lineno, file, line)

    showwarning.ieomoa_privacy = True  # type: ignore[attr-defined]
    return showwarning


def install_warning_filter() -> None:
    """Warnings are shown without the message text Rasa quotes in them."""
    if not getattr(warnings.showwarning, "ieomoa_privacy", False):
        warnings.showwarning = _show_warning_without_text(warnings.showwarning)


# -- standard records -------------------------------------------------------------------------


def _rewrite(message: str) -> str:
    return PARSE_WARNING if QUOTED_MESSAGE.search(message) else mask(message)


def withhold(record: logging.LogRecord) -> logging.LogRecord:
    """The record as it may be written: message masked, exception message withheld."""
    return records.withhold(record, QUIET_BELOW_INFO, _rewrite)


def install_record_factory() -> None:
    """Every record this process creates passes ``withhold`` (idempotent)."""
    records.install_record_factory(withhold)


def quiet_debug_output() -> None:
    """Rasa's debug lines carry messages, events and slots: INFO at the lowest."""
    records.raise_levels(QUIET_BELOW_INFO, logging.INFO)


def install() -> None:
    """All of the above; run again after Rasa configured its logging."""
    install_record_factory()
    install_warning_filter()
    quiet_debug_output()
    try:
        install_structlog_processor()
    except ImportError:  # structlog comes with Rasa; nothing to do without it
        pass


def wrap_rasa_logging_setup(rasa_main_module: Any) -> None:
    """Re-install right after Rasa's ``configure_structlog`` (it runs before every command)."""
    configure = rasa_main_module.configure_structlog
    if getattr(configure, "ieomoa_privacy", False):
        return

    def configure_structlog(*args: Any, **kwargs: Any) -> None:
        configure(*args, **kwargs)
        install()

    configure_structlog.ieomoa_privacy = True  # type: ignore[attr-defined]
    rasa_main_module.configure_structlog = configure_structlog
