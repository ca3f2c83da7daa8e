"""The skill server: ``POST /kakao/skill`` answers KakaoTalk's SkillPayloads through the core."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kakao.payload import InvalidPayload, skill_request
from kakao.turns import SkillTurns

logger = logging.getLogger(__name__)

SKILL_PATH = "/kakao/skill"
# Kakao's skill settings let a skill send headers: this one carries KAKAO_SKILL_SECRET.
SECRET_HEADER = "X-Ieomoa-Skill-Secret"
MAX_BODY_BYTES = 64 * 1024  # a SkillPayload is a few kilobytes


class BodyTooLarge(Exception):
    """A body over the limit."""


async def limited_body(request: Request, limit: int) -> bytes:
    """The body, refused past ``limit`` bytes before it is all read (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BodyTooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLarge()
    return bytes(body)


def create_app(
    turns: SkillTurns,
    secret: str,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    on_close: Callable[[], Awaitable[None]] | None = None,
) -> FastAPI:
    """The skill server for one core; requests without ``secret`` in SECRET_HEADER get 401."""
    if not secret:
        raise ValueError("the skill secret must not be empty")
    expected = secret.encode("utf-8")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await turns.aclose()  # turns under way finish, late answers are posted
        if on_close is not None:
            await on_close()

    app = FastAPI(
        title="이어모아 KakaoTalk skill",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )

    @app.post(SKILL_PATH)
    async def skill(request: Request) -> JSONResponse:
        arrived = turns.clock()
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"detail": "missing or wrong skill secret"}, status_code=401)
        try:
            body = await limited_body(request, max_body_bytes)
        except BodyTooLarge:
            return JSONResponse({"detail": "request body too large"}, status_code=413)
        try:
            parsed = skill_request(json.loads(body))
        except (ValueError, InvalidPayload) as error:
            # The reason names a field, never its value.
            reason = str(error) if isinstance(error, InvalidPayload) else "not JSON"
            logger.warning("Refused a skill request: %s", reason)
            return JSONResponse({"detail": f"not a SkillPayload: {reason}"}, status_code=400)
        return JSONResponse(await turns.answer(parsed, arrived))

    @app.get("/health")
    async def health() -> dict[str, str]:
        """For the process runner's readiness check."""
        return {"status": "ok"}

    return app
