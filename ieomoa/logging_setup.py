"""Logging for every process: readable lines, no personal data, no bot token."""

from __future__ import annotations

import logging
import os


def configure_logging(level: str | None = None) -> None:
    """Plain one-line logs; HTTP client loggers quieted (their URLs contain the bot token)."""
    logging.basicConfig(
        level=(level or os.environ.get("LOG_LEVEL") or "INFO").upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
