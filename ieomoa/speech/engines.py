"""Text-to-speech engines behind one interface, returning OGG/Opus bytes for sendVoice."""

from __future__ import annotations

import ctypes
import io
import logging
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import soundfile

from ieomoa.speech.cache import ClipCache

logger = logging.getLogger(__name__)
OPUS_RATE = 24000  # Opus accepts 8, 12, 16, 24 or 48 kHz


class SpeechEngine(Protocol):
    """Something that can say Korean text."""

    name: str

    def synthesize(self, text: str, slow: bool = False) -> bytes:
        """OGG/Opus bytes of ``text`` spoken in Korean."""
        ...


def to_ogg_opus(samples: np.ndarray, rate: int) -> bytes:
    """Mono float samples at ``rate`` → OGG/Opus bytes (resampled to 24 kHz)."""
    if rate != OPUS_RATE and len(samples):
        count = int(len(samples) * OPUS_RATE / rate)
        samples = np.interp(np.linspace(0, len(samples) - 1, count), np.arange(len(samples)), samples)
    buffer = io.BytesIO()
    soundfile.write(buffer, samples.astype(np.float32), OPUS_RATE, format="OGG", subtype="OPUS")
    return buffer.getvalue()


class EspeakEngine:
    """Offline engine: libespeak-ng bundled by the espeakng-loader package, called via ctypes."""

    name = "espeak"
    _lock = threading.Lock()  # the library keeps global state
    _library: ctypes.CDLL | None = None
    _rate = 22050
    _chunks: list[np.ndarray] = []
    _callback: Any = None  # the C callback, kept alive on the class

    @classmethod
    def _load(cls) -> ctypes.CDLL:
        if cls._library is None:
            import espeakng_loader

            library = ctypes.CDLL(espeakng_loader.get_library_path())
            callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

            def collect(wav: Any, count: int, _events: Any) -> int:
                if count > 0:
                    cls._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
                return 0

            cls._callback = callback_type(collect)
            synchronous = 2
            cls._rate = library.espeak_Initialize(synchronous, 0, espeakng_loader.get_data_path().encode(), 0)
            library.espeak_SetSynthCallback(cls._callback)
            library.espeak_SetVoiceByName(b"ko")
            cls._library = library
        return cls._library

    def synthesize(self, text: str, slow: bool = False) -> bytes:
        """Speak with espeak-ng (words per minute lowered for the slow speed)."""
        with self._lock:
            library = self._load()
            rate_parameter = 1
            library.espeak_SetParameter(rate_parameter, 130 if slow else 175, 0)
            type(self)._chunks = []
            data = text.encode("utf-8")
            utf8 = 1
            library.espeak_Synth(ctypes.c_char_p(data), ctypes.c_size_t(len(data) + 1), 0, 0, 0, utf8, None, None)
            library.espeak_Synchronize()
            chunks = type(self)._chunks
        samples = np.concatenate(chunks).astype(np.float32) / 32768 if chunks else np.zeros(1, np.float32)
        return to_ogg_opus(samples, self._rate)


class GttsEngine:
    """Google's voice through gTTS (needs the internet), converted to OGG/Opus."""

    name = "gtts"

    def __init__(self, timeout: float = 4.0) -> None:
        self._timeout = timeout

    def synthesize(self, text: str, slow: bool = False) -> bytes:
        """MP3 from gTTS, decoded and re-encoded as OGG/Opus."""
        from gtts import gTTS

        mp3 = io.BytesIO()
        gTTS(text, lang="ko", slow=slow, timeout=self._timeout).write_to_fp(mp3)
        mp3.seek(0)
        samples, rate = soundfile.read(mp3, dtype="float32")
        if samples.ndim > 1:
            samples = samples.mean(axis=1)
        return to_ogg_opus(samples, rate)


class AutoEngine:
    """gTTS first; the offline engine whenever Google cannot be reached."""

    name = "auto"

    def __init__(self, primary: SpeechEngine | None = None, fallback: SpeechEngine | None = None) -> None:
        self._primary = primary or GttsEngine()
        self._fallback = fallback or EspeakEngine()

    def synthesize(self, text: str, slow: bool = False) -> bytes:
        try:
            return self._primary.synthesize(text, slow)
        except Exception as error:  # noqa: BLE001 - any failure means: speak offline
            logger.warning("%s failed (%s); using %s", self._primary.name, type(error).__name__, self._fallback.name)
            return self._fallback.synthesize(text, slow)


def engine_named(name: str) -> SpeechEngine:
    """The engine TTS_ENGINE names: gtts, espeak or auto."""
    return {"gtts": GttsEngine, "espeak": EspeakEngine}.get(name, AutoEngine)()


class CachedSpeech:
    """Voice notes that keep secrets: only fixed texts reach the chosen engine and the cache.

    A text that carries anything a user gave (``personal``, the default) is spoken by the
    offline engine, in memory: it never leaves the machine and is never written to disk.
    Fixed texts (the caller vouches for them, see ``ieomoa.speech.fixed_texts``) go to the
    engine TTS_ENGINE names and are cached under an HMAC-keyed name (``ClipCache``).
    """

    def __init__(self, engine: SpeechEngine, directory: Path, max_files: int = 500, *,
                 offline: SpeechEngine | None = None, cache: ClipCache | None = None) -> None:
        self._engine = engine
        self._offline = offline or (engine if isinstance(engine, EspeakEngine) else EspeakEngine())
        self._cache = cache or ClipCache(directory, max_files)

    def say(self, text: str, slow: bool = False, *, personal: bool = True) -> bytes:
        """The clip: personal texts offline and uncached, fixed texts from the cache or the engine."""
        if personal:
            return self._offline.synthesize(text, slow)
        cached = self._cache.get(self._engine.name, slow, text)
        if cached is not None:
            return cached
        audio = self._engine.synthesize(text, slow)
        self._cache.put(self._engine.name, slow, text, audio)
        return audio
