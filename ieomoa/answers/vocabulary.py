"""The closed vocabularies of the form (data/vocabulary.json), shared with the NLU.

The same file feeds the spaCy entity ruler (nlu/ieomoa_nlu/build_spacy.py): each value's
``id`` is what the application stores and ``patterns`` are the everyday phrasings.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "vocabulary.json"


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, Any]:
    """Every vocabulary by name: disability_type, severity, education, employment_type, support_need."""
    return json.loads(DATA.read_text("utf-8"))["vocabularies"]


def values(name: str) -> list[str]:
    """The normalized values of one vocabulary, in the form's order."""
    return [value["id"] for value in vocabularies()[name]["values"]]


def phrasings(name: str) -> dict[str, list[str]]:
    """Normalized value → its everyday phrasings."""
    return {value["id"]: list(value["patterns"]) for value in vocabularies()[name]["values"]}


def named_values(name: str, text: str) -> list[str]:
    """Values of one vocabulary whose phrasings the text contains, spaces ignored.

    Longest phrasings first, and a part of the text counts for one phrasing only
    ("간질환" is 간, not also 간질). One-letter phrasings ("간", "팔") are left to the
    validators' own rules, which look at the letters around them.
    """
    compact = "".join(text.split())
    taken = [False] * len(compact)
    found: list[str] = []
    for phrase, value in _phrases_longest_first(name):
        start = compact.find(phrase)
        while start >= 0:
            if not any(taken[start : start + len(phrase)]):
                taken[start : start + len(phrase)] = [True] * len(phrase)
                found.append(value)
                break
            start = compact.find(phrase, start + 1)
    return [v for v in values(name) if v in found]


@cache
def _phrases_longest_first(name: str) -> tuple[tuple[str, str], ...]:
    pairs = {
        "".join(phrase.split()): value
        for value, patterns in phrasings(name).items()
        for phrase in [value, *patterns]
    }
    return tuple(sorted(((p, v) for p, v in pairs.items() if len(p) >= 2), key=lambda pv: -len(pv[0])))
