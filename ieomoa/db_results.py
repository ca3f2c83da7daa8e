"""What an UPDATE or DELETE did, for callers that count rows."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult


def rows_matched(result: object) -> int:
    """How many rows an UPDATE or DELETE statement matched (0 when the driver does not say).

    ``Session.execute`` is typed to return a plain ``Result``; for these statements it is a
    ``CursorResult``, which has the count.
    """
    return cast("CursorResult[Any]", result).rowcount or 0
