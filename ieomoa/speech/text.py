"""Text prepared for listening: ids and phone numbers digit by digit, dates as said, no emoji."""

from __future__ import annotations

import re
import unicodedata

DIGITS = "영일이삼사오육칠팔구"


def _digit_by_digit(number: str) -> str:
    return " ".join(DIGITS[int(d)] for d in number if d.isdigit())


def speech_text(text: str, button_titles: list[str] | None = None) -> str:
    """What the voice note says for a message and its buttons."""
    spoken = unicodedata.normalize("NFC", text)
    spoken = re.sub(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)",
                    lambda m: f"{int(m[1])}년 {int(m[2])}월 {int(m[3])}일", spoken)  # dates as said
    spoken = re.sub(r"IEM-(\d{4})-(\d{6})", lambda m: _digit_by_digit(m[1] + m[2]), spoken)
    spoken = re.sub(r"(?<!\d)(01[016789])-?(\d{3,4})-?(\d{4})(?!\d)",
                    lambda m: _digit_by_digit(m[1] + m[2] + m[3]), spoken)
    spoken = re.sub(r"(?<!\d)(\d{6})(?!\d)", lambda m: _digit_by_digit(m[1]), spoken)  # codes
    spoken = re.sub(r"(\d+)/(\d+)\.", r"\2개 중 \1번째 질문.", spoken)  # progress "3/16."
    spoken = "".join(ch for ch in spoken if unicodedata.category(ch)[0] != "S" or ch in "·~")
    spoken = re.sub(r"[*_`#>\[\]]", "", spoken)
    for title in button_titles or []:
        spoken += f" {title.strip()}."
    return re.sub(r"\s+", " ", spoken).strip()
