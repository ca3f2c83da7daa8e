"""Entity rules without Rasa: phone and application numbers, one entity per span.

Used by the Rasa components in ieomoa_nlu/entities.py; kept free of Rasa imports so the
tests can run them quickly.
"""

from __future__ import annotations

import re
from typing import Any

# 010-2345-6789, 010 2345 6789, 01098765432, +82 10-2345-6789: one entity, digits only.
PHONE = re.compile(
    r"(?<![\d+])(?:\+82[\s.-]?(?:\(0\))?|0)1[016789][\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)"
)
# Application numbers as the app issues them (ieomoa/services/applications.py).
APPLICATION_NUMBER = re.compile(r"(?<![A-Za-z0-9])IEM[\s-]?(\d{4})[\s-]?(\d{6})(?!\d)", re.IGNORECASE)


def phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return "0" + digits[2:] if digits.startswith("82") else digits


def pattern_entities(text: str) -> list[dict[str, Any]]:
    """Phone and application numbers in the text, with normalized values."""
    found = []
    for match in PHONE.finditer(text):
        found.append(
            {"entity": "phone", "value": phone_digits(match.group()),
             "start": match.start(), "end": match.end(), "confidence_entity": 1.0}
        )
    for match in APPLICATION_NUMBER.finditer(text):
        found.append(
            {"entity": "application_number", "value": f"IEM-{match[1]}-{match[2]}",
             "start": match.start(), "end": match.end(), "confidence_entity": 1.0}
        )
    return found


def resolve_overlaps(
    entities: list[dict[str, Any]], preferred: list[str]
) -> list[dict[str, Any]]:
    """Entities of the preferred extractors win every span they touch.

    Among preferred entities that overlap each other the longest (then the first) stays;
    any other entity overlapping a kept preferred one is dropped.
    """

    def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return a["start"] < b["end"] and b["start"] < a["end"]

    ranked = sorted(
        (e for e in entities if e.get("extractor") in preferred),
        key=lambda e: (-(e["end"] - e["start"]), preferred.index(e["extractor"]), e["start"]),
    )
    kept: list[dict[str, Any]] = []
    for entity in ranked:
        if not any(overlaps(entity, other) for other in kept):
            kept.append(entity)
    result = [
        e for e in entities
        if any(e is k for k in kept)
        or (e.get("extractor") not in preferred and not any(overlaps(e, k) for k in kept))
    ]
    return sorted(result, key=lambda e: (e["start"], e["end"]))


def keep_first_of_each_value(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entity per (type, value): "부산이에요 부산", "콩팥이 안 좋아서 투석해요"."""
    seen = set()
    kept = []
    for entity in sorted(entities, key=lambda e: (e["start"], e["end"])):
        key = (entity["entity"], str(entity.get("value")))
        if key not in seen:
            seen.add(key)
            kept.append(entity)
    return kept
