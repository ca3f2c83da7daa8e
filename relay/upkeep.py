"""Work the relay process does besides delivering, because it is the one process that always runs.

It finishes conversation erasures that a stopped bot left pending, and runs the retention
sweep (ieomoa/services/retention.py) at start and then every hour.
"""

from __future__ import annotations

import asyncio
import logging

from ieomoa.services.erasure import ErasureService
from ieomoa.services.retention import RetentionSweep

logger = logging.getLogger(__name__)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Until ``stop`` is set or ``seconds`` have passed."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


async def finish_erasures(stop: asyncio.Event, erasure: ErasureService, tracker_store_url: str,
                          every: float = 60.0) -> None:
    """Delete conversations whose erasure a stopped bot left unfinished (the relay always runs)."""
    while not stop.is_set():
        try:
            finished = await asyncio.to_thread(erasure.finish_pending, tracker_store_url)
            if finished:
                logger.info("Finished %d pending conversation erasures", finished)
        except Exception:
            logger.exception("Finishing pending erasures failed; retrying later")
        await _wait(stop, every)


async def sweep_retention(stop: asyncio.Event, sweep: RetentionSweep, every: float = 3600.0) -> None:
    """Delete what outlived its retention period (PRIVACY.md), at start and then every hour."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(sweep.run)
        except Exception:
            logger.exception("Retention sweep failed; retrying later")
        await _wait(stop, every)
