"""Which replies carry nothing a user gave, so that an online voice may read them.

The bot does not guess from a reply's words. A reply is fixed only when its text is, exactly,
the text of a response in the domain of the model Rasa runs that has no placeholder at all
(Rasa fills ``{…}`` with slots and action values: answers, the summary, numbers, codes,
dates), and every button title is such a text too; the one placeholder that carries nothing
of a person is a question's progress ("3/16"). Anything else is personal: texts the
action server writes itself, rendered templates, status pushes. A few responses without
placeholders are personal all the same, because which of them is said follows from a
person's answers (``CHOSEN_BY_ANSWERS``). When the domain cannot be had, nothing is fixed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)

# Said because of what a person answered, though they name nothing: the tailored next step
# follows from disability type, severity and needs; the age refusal from the birth date;
# a refused consent and the words said back are the person's own answers.
CHOSEN_BY_ANSWERS = (
    "utter_next_step_",
    "utter_invalid_birth_date_too_young",
    "utter_invalid_birth_date_future",
    "utter_consent_refused_",
    "utter_confirm_",
)

# Placeholders filled with nothing a person gave, and the shape of what fills them: a form
# question's progress ("3/16", actions/asking.py) is its place in the form, counted the same
# for everyone.
NEUTRAL_PLACEHOLDERS = {"progress": r"\d{1,2}/\d{1,2}"}


def _has_braces(text: str) -> bool:
    return "{" in text or "}" in text


def _forms(text: str) -> set[str]:
    """The text as a channel may deliver it: whole, and cut at blank lines (Rasa's REST channel)."""
    text = text.strip()
    return {text, *(part.strip() for part in text.split("\n\n") if part.strip())}


def _neutral_pattern(text: str) -> re.Pattern[str] | None:
    """The text as a pattern when its only placeholders are neutral ones, else None."""
    parts = re.split(r"{([^\n{}]+?)}", text)
    names, literals = parts[1::2], parts[0::2]
    if not names or not set(names) <= NEUTRAL_PLACEHOLDERS.keys() or any(_has_braces(x) for x in literals):
        return None
    pattern = re.escape(literals[0])
    for name, literal in zip(names, literals[1:]):
        pattern += NEUTRAL_PLACEHOLDERS[name] + re.escape(literal)
    return re.compile(pattern)


@dataclass(frozen=True)
class FixedTexts:
    """Texts and button titles known to carry no user value."""

    texts: frozenset[str] = field(default_factory=frozenset)
    titles: frozenset[str] = field(default_factory=frozenset)
    patterns: tuple[re.Pattern[str], ...] = ()  # texts with a neutral placeholder

    @classmethod
    def from_domain(cls, domain: Mapping[str, Any]) -> FixedTexts:
        """The fixed texts of a Rasa domain (as ``GET /domain`` or the YAML files give it)."""
        texts: set[str] = set()
        titles: set[str] = set()
        excluded: set[str] = set()
        patterns: list[re.Pattern[str]] = []
        for name, variations in (domain.get("responses") or {}).items():
            chosen_by_answers = str(name).startswith(CHOSEN_BY_ANSWERS)
            for variation in variations or []:
                text = variation.get("text")
                if isinstance(text, str):
                    neutral = None if chosen_by_answers else _neutral_pattern(text.strip())
                    if neutral is not None:
                        patterns.append(neutral)
                    elif chosen_by_answers or _has_braces(text):
                        excluded |= _forms(text)
                    else:
                        texts |= _forms(text)
                for button in variation.get("buttons") or []:
                    title = button.get("title")
                    if isinstance(title, str) and not _has_braces(title):
                        titles.add(title.strip())
        return cls(frozenset(texts - excluded), frozenset(titles), tuple(patterns))

    def covers(self, text: str, titles: Sequence[str] = ()) -> bool:
        """True when the text (if any) and every button title are fixed."""
        text = text.strip()
        fixed = not text or text in self.texts or any(p.fullmatch(text) for p in self.patterns)
        return fixed and all(title.strip() in self.titles for title in titles)


class RasaFixedTexts:
    """The fixed texts of the model Rasa runs, fetched from its HTTP API and kept.

    Until the domain has been fetched, nothing is fixed (every voice note is spoken offline);
    a failed fetch is tried again after ``retry_seconds``.
    """

    def __init__(self, rasa_url: str, auth_token: str | None, retry_seconds: float = 60.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._url = rasa_url.rstrip("/") + "/domain"
        self._token = auth_token
        self._retry_seconds = retry_seconds
        self._transport = transport
        self._fetched: FixedTexts | None = None
        self._next_try = 0.0
        self._lock = asyncio.Lock()

    def current(self) -> FixedTexts:
        """What is known now (nothing before the first fetch)."""
        return self._fetched or FixedTexts()

    async def load(self) -> FixedTexts:
        """Fetch the domain once; afterwards (or while a retry waits) return what is known."""
        if self._fetched is not None or time.monotonic() < self._next_try:
            return self.current()
        async with self._lock:
            if self._fetched is None and time.monotonic() >= self._next_try:
                try:
                    self._fetched = FixedTexts.from_domain(await self._fetch())
                except (httpx.HTTPError, ValueError) as error:
                    self._next_try = time.monotonic() + self._retry_seconds
                    logger.warning("Rasa's domain not available (%s); voice notes are spoken offline",
                                   type(error).__name__)
        return self.current()

    async def _fetch(self) -> Mapping[str, Any]:
        params = {"token": self._token} if self._token else None
        async with httpx.AsyncClient(timeout=10.0, transport=self._transport) as client:
            response = await client.get(self._url, params=params, headers={"Accept": "application/json"})
        response.raise_for_status()
        domain = response.json()
        if not isinstance(domain, dict):
            raise ValueError("domain is not an object")
        return domain
