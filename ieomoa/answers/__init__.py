"""Understanding a user's answer to one form question: normalize it or say why not.

Every parser returns the normalized value or raises ``InvalidAnswer`` whose ``reason``
names the domain response that explains the problem (``utter_invalid_<reason>``).
"""

from __future__ import annotations

from typing import Any


class InvalidAnswer(ValueError):
    """The answer could not be used; ``reason`` picks the message, ``details`` fill it."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details
