"""Mobile phone numbers, kept as digits only."""

from __future__ import annotations

import re

from ieomoa.answers import InvalidAnswer

_MOBILE = re.compile(r"^01[016789]\d{7,8}$")
# Sino-Korean digits, as dictation may write a number read aloud: "공일공 이삼사오 육칠팔구".
SPELLED_DIGITS = {"공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
                  "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9"}
_SPELLED = re.compile(r"^[공영일이삼사오육륙칠팔구\s.-]+?(?:이에요|이예요|입니다|예요|이요|요)?$")


def spelled_digits(text: str) -> str | None:
    """The digits of a number written in Sino-Korean digits, or None if it is not one."""
    compact = re.sub(r"^(?:제\s*)?(?:번호는|전화번호는|핸드폰은|휴대폰은)\s*", "", text.strip())
    if not _SPELLED.match(compact):
        return None
    for tail in ("이에요", "이예요", "입니다", "예요", "이요", "요", ""):
        if compact.endswith(tail):
            digits = "".join(SPELLED_DIGITS.get(c, "") for c in compact[: len(compact) - len(tail)])
            if _MOBILE.match(digits):
                return digits
    return None


def parse_mobile_phone(text: str) -> str:
    """Digits of a Korean mobile number ("010-1234-5678", "공일공 …" → "01012345678")."""
    if not re.search(r"\d", text or "") and (spelled := spelled_digits(text)):
        return spelled
    digits = re.sub(r"\D", "", (text or "").replace("+82", "0"))
    if digits.startswith("82") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _MOBILE.match(digits):
        raise InvalidAnswer("phone_format")
    return digits


def display_phone(digits: str) -> str:
    """"01012345678" → "010-1234-5678"."""
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
