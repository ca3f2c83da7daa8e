"""The closed vocabularies of the form (data/vocabulary.json), shared with the NLU.

The same file feeds the spaCy entity ruler (nlu/ieomoa_nlu/build_spacy.py): each value's
``id`` is what the application stores and ``patterns`` are the everyday phrasings.
"""

from __future__ import annotations

import json
from functools import lru_cache
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
