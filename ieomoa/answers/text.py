"""Small text helpers shared by the parsers."""

from __future__ import annotations

import re
import unicodedata

# Endings and particles users add to an answer ("서울이요", "시각장애예요", "네 맞아요").
TRAILING = re.compile(
    r"(입니다|이에요|예요|에요|이요|요|이고|이랑|랑|하고|과|와|에서|에|으로|로|은|는|이|가|을|를|도|만|"
    r"살아요|살고 있어요|살고있어요|거주|사는데요|있어요|합니다|해요)$"
)


def clean(text: str) -> str:
    """NFC-normalized, stripped text with single spaces and no emoji or symbols at the ends."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "S")  # emoji, symbols
    text = re.sub(r"\s+", " ", text).strip(" .,!?~·")
    return text


def numbers_in(text: str) -> list[int]:
    """Standalone numbers like "1, 3" or "2번" in the order written."""
    return [int(n) for n in re.findall(r"(?<!\d)(\d{1,2})(?:\s*번)?(?!\d)", text)]


def is_only_numbers(text: str) -> bool:
    """True when the answer is just numbers ("1", "1, 3", "2번 4번")."""
    return bool(re.fullmatch(r"[\d\s,번및와과]+", text)) and bool(numbers_in(text))
