"""Mobile phone numbers, kept as digits only."""

from __future__ import annotations

import re

from ieomoa.answers import InvalidAnswer

_MOBILE = re.compile(r"^01[016789]\d{7,8}$")


def parse_mobile_phone(text: str) -> str:
    """Digits of a Korean mobile number ("010-1234-5678" → "01012345678")."""
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
