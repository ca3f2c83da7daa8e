"""Clips of fixed texts on disk, named by an HMAC so a name reveals nothing about its text.

Only texts that carry nothing a user gave are cached (see ``ieomoa.speech.fixed_texts``);
clips of personal texts are made in memory and never written. Each name is the HMAC-SHA-256
of (engine, speed, text) under the ``tts-cache`` purpose key, with a prefix: a clip without
it was written by an older version under a bare hash of its text, which may have been
personal, so ``purge_unkeyed`` deletes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ieomoa.config import VAR_DIR
from ieomoa.crypto import keyed_hash

logger = logging.getLogger(__name__)

TTS_CACHE_DIR = VAR_DIR / "tts-cache"
CLIP_PREFIX = "fixed-"
CACHE_PURPOSE = "tts-cache"


def clip_name(engine: str, slow: bool, text: str, keyed: Callable[[str, str], str] = keyed_hash) -> str:
    """File name of a fixed text's clip: prefix + HMAC of (engine, speed, text)."""
    return f"{CLIP_PREFIX}{keyed(CACHE_PURPOSE, f'{engine}|{slow}|{text}')}.ogg"


def purge_unkeyed(directory: Path = TTS_CACHE_DIR) -> int:
    """Delete every clip not written under the keyed scheme (older versions cached any text)."""
    if not directory.is_dir():
        return 0
    stale = [path for path in directory.glob("*.ogg") if not path.name.startswith(CLIP_PREFIX)]
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        logger.info("Deleted %d voice clips of an older cache scheme", len(stale))
    return len(stale)


def _last_used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process (bot or relay) dropped it meanwhile
        return 0.0


class ClipCache:
    """Bounded on-disk cache of fixed-text clips; the least recently used go past the limit."""

    def __init__(self, directory: Path, max_files: int = 500,
                 keyed: Callable[[str, str], str] = keyed_hash) -> None:
        self._directory = directory
        self._max_files = max_files
        self._keyed = keyed
        purge_unkeyed(directory)

    def get(self, engine: str, slow: bool, text: str) -> bytes | None:
        """The cached clip, or None."""
        path = self._directory / clip_name(engine, slow, text, self._keyed)
        try:
            audio = path.read_bytes()
        except FileNotFoundError:
            return None
        path.touch()
        return audio

    def put(self, engine: str, slow: bool, text: str, audio: bytes) -> None:
        """Keep a clip, dropping the least recently used past the limit."""
        self._directory.mkdir(parents=True, exist_ok=True)
        path = self._directory / clip_name(engine, slow, text, self._keyed)
        partial = path.with_suffix(".part")
        partial.write_bytes(audio)
        partial.replace(path)  # a reader never sees half a clip
        clips = sorted(self._directory.glob(f"{CLIP_PREFIX}*.ogg"), key=_last_used)
        for old in clips[: max(0, len(clips) - self._max_files)]:
            old.unlink(missing_ok=True)
