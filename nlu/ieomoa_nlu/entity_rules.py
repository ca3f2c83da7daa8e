"""Entity rules without Rasa: phone and application numbers, one entity per span.

Used by the Rasa components in ieomoa_nlu/entities.py; kept free of Rasa imports so the
tests can run them quickly.
"""

from __future__ import annotations

import re
from typing import Any

# 010-2345-6789, 010 2345 6789, 010.2345.6789, 01098765432, +82 10-2345-6789, and digits
# read out one by one ("0 1 0 2 …", as dictation writes them): one entity, digits only.
PHONE = re.compile(
    r"(?<![\d+])(?:\+82[\s.-]?(?:\(0\))?|0[\s.-]?)1[\s.-]?[016789](?:[\s.-]?\d){7,8}(?!\d)"
)
# A number spelled in Sino-Korean digits, as a screen reader user may dictate it:
# "공일공 이삼사오 육칠팔구".
SPELLED_DIGITS = {"공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
                  "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9"}
SPELLED_PHONE = re.compile(r"(?<![가-힣])[공영]\s?일\s?[공영일육칠팔구](?:[\s.-]?[공영일이삼사오육륙칠팔구]){7,8}(?![공영일이삼사오육륙칠팔구])")
# Application numbers as the app issues them (ieomoa/services/applications.py), also with
# spaces around the hyphens ("IEM - 2026 - 000345").
APPLICATION_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])IEM\s*-?\s*(\d{4})\s*-?\s*(\d{6})(?!\d)", re.IGNORECASE
)
# Entities only the regular expressions find: a number DIET marks ("1번", "2026") is not one.
PATTERN_ONLY_ENTITIES = ("phone", "application_number")


def phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", "".join(SPELLED_DIGITS.get(c, c) for c in text))
    return "0" + digits[2:] if digits.startswith("82") else digits


def pattern_entities(text: str) -> list[dict[str, Any]]:
    """Phone and application numbers in the text, with normalized values."""
    found = []
    for match in [*PHONE.finditer(text), *SPELLED_PHONE.finditer(text)]:
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


# After a value, in the same clause: the value is declined, not given ("수어통역은 필요
# 없어요", "재택은 안 해도 돼요", "재택 말고 전일제요").
NEGATION_AFTER = re.compile(
    r"^\s*(?:은|는|도|을|를|이|가|까지|이랑|랑|으로는|로는)?\s*"
    r"(?:필요\s*없|필요\s*하지\s*않|필요\s*안|필요는\s*없|없어도|안\s*(?:써|쓰|해|하|받|필요|원|할|돼)"
    r"|하지\s*마|쓰지\s*마|받지\s*않|원하지\s*않|말고|빼\s*(?:고|주|줘)|싫)"
)
# Entity types a person may decline by naming them; a disability, school or region named
# with a negation still describes the person ("고등학교 졸업 안 했어요").
NEGATABLE_ENTITIES = ("support_need", "employment_type", "job")
# A request for information rather than an answer: a question mark, a question word, a
# question ending, or asking to be told.
QUESTION = re.compile(
    r"[?？]|뭐|뭔|무엇|무슨|어떻게|어떤|어디|언제|왜|누구|얼마|궁금|알려\s*주|알려줘|설명"
    r"|(?:나요|까요|가요|니까|냐|니)\s*[.!~]*\s*$"
)
# Morphemes that never start a value, and the particles and copula that never end one.
FUNCTION_TAGS = ("J", "E", "VCP", "XS", "SF", "SE", "SS", "SP", "SC", "SY")
TRAILING_TAGS = ("J", "VCP", "SF", "SE", "SS", "SP", "SC", "SY")
NOUN_TAGS = ("N", "SL", "SN", "SH", "XSN")
PARTICLES = {
    "이", "가", "은", "는", "을", "를", "에", "에서", "에게", "한테", "으로", "로", "도", "만", "요",
    "이요", "랑", "이랑", "하고", "과", "와", "까지", "부터", "의", "나", "이나", "든", "이든",
}


def negated(text: str, entity: dict[str, Any]) -> bool:
    """Whether the value right after which a negation follows is declined, not given."""
    return entity["entity"] in NEGATABLE_ENTITIES and bool(NEGATION_AFTER.match(text[entity["end"]:]))


def is_question(text: str) -> bool:
    """Whether the text asks something (then words of a vocabulary in it are no answer)."""
    return bool(QUESTION.search(text))


def trim_to_content(
    text: str, entity: dict[str, Any], tokens: list[tuple[int, int, str]]
) -> dict[str, Any] | None:
    """The entity without the particles, endings and copula at its edges; None if nothing is left.

    ``tokens`` are (start, end, part-of-speech tag) of the message: DIET may take "서 프로그래머"
    from "좋아해서 프로그래머". A value that was the span's text follows the span.
    """
    inside = [t for t in tokens if t[0] >= entity["start"] and t[1] <= entity["end"]]
    if not inside:
        return entity
    # An ending or particle glued to the word before the span: "좋아해서" + "서 프로그래머".
    while inside and inside[0][2].startswith(FUNCTION_TAGS) and not text[: inside[0][0]][-1:].isspace():
        inside.pop(0)
    if not inside:
        return None
    # A particle or the copula after a noun: "사무원요", "안마사나". MeCab also tags pieces of
    # words it does not know as particles ("바리스" + "따"): only known ones go.
    while (
        len(inside) > 1
        and inside[-1][2].startswith(TRAILING_TAGS)
        and inside[-2][2].startswith(NOUN_TAGS)
        and (inside[-1][2].startswith("VCP") or text[inside[-1][0]:inside[-1][1]] in PARTICLES)
    ):
        inside.pop()
    start, end = inside[0][0], inside[-1][1]
    if (start, end) == (entity["start"], entity["end"]):
        return entity
    trimmed = {**entity, "start": start, "end": end}
    if entity.get("value") == text[entity["start"]:entity["end"]]:
        trimmed["value"] = text[start:end]
    return trimmed
