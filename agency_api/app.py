"""The agency API's routes: read routed applications and move their status (OpenAPI docs at /docs)."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from agency_api.auth_failures import (
    FAILURE_WINDOW,
    FAILURES_OVERALL,
    FAILURES_PER_CLIENT,
    AuthFailureLimiter,
    client_key,
)
from agency_api.body_limit import MAX_BODY_BYTES, BodyLimit
from ieomoa.models import utcnow
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.status import (
    ApplicationNotFound,
    Caller,
    NotRoutedToAgency,
    StatusError,
    StatusService,
)
from ieomoa.statuses import Status

logger = logging.getLogger(__name__)


class StatusChange(BaseModel):
    """Body of a status change."""

    status: str = Field(examples=[Status.ASSIGNED.value])
    note: str | None = Field(default=None, max_length=1000, examples=["담당자: 김상담"])


def create_app(
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utcnow,
    max_body_bytes: int = MAX_BODY_BYTES,
    failures_per_client: int = FAILURES_PER_CLIENT,
    failures_overall: int = FAILURES_OVERALL,
    failure_window: timedelta = FAILURE_WINDOW,
) -> FastAPI:
    """The API bound to one database."""
    app = FastAPI(title="이어모아 agency API", version="1.0")
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    tokens = AgencyTokenService(sessions)
    statuses = StatusService(sessions)
    limiter = AuthFailureLimiter(sessions, clock, failures_per_client, failures_overall, failure_window)
    bearer = HTTPBearer(auto_error=False)

    async def caller(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        key = client_key(request.client.host if request.client else "unknown")
        record = None if credentials is None else await asyncio.to_thread(tokens.authenticate, credentials.credentials)
        failure = None if record is not None else "missing token" if credentials is None else "invalid token"
        # Checked after the token, and refused even when it is right: a locked-out client
        # learns nothing from its guesses.
        if not await asyncio.to_thread(limiter.admit, key, failure):
            # Not audited one by one: a flood of refused requests must not flood the log.
            logger.warning("agency API: refused a locked-out client %s", key[:16])
            raise HTTPException(429, "too many failed authentications; try again later",
                                headers={"Retry-After": str(limiter.retry_after)})
        if record is None:
            detail = "missing bearer token" if credentials is None else "invalid token"
            raise HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})
        who = Caller(agency=record.agency, token_id=record.id)
        request.state.caller = who
        return who

    @app.exception_handler(StatusError)
    async def status_error(request: Request, error: StatusError) -> JSONResponse:
        if isinstance(error, (ApplicationNotFound, NotRoutedToAgency)):
            # Same answer whether the number exists or is routed elsewhere: numbers can't be probed.
            who = getattr(request.state, "caller", None)
            if who is not None:
                reason = "not routed" if isinstance(error, NotRoutedToAgency) else "not found"
                await asyncio.to_thread(limiter.audit_denied, who, request.path_params.get("number"), reason)
            return JSONResponse({"detail": "application not found"}, status_code=404)
        return JSONResponse({"detail": str(error)}, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", []))
        return JSONResponse({"detail": f"malformed request: {where} {first.get('msg', '')}".strip()}, status_code=422)

    @app.get("/api/v1/applications")
    async def list_applications(who: Annotated[Caller, Depends(caller)]) -> list[dict[str, Any]]:
        """Applications routed to your agency."""
        return await asyncio.to_thread(statuses.list_for, who)

    @app.get("/api/v1/applications/{number}")
    async def get_application(number: str, who: Annotated[Caller, Depends(caller)]) -> dict[str, Any]:
        """One application routed to your agency."""
        return await asyncio.to_thread(statuses.get_for, who, number)

    @app.post("/api/v1/applications/{number}/status")
    async def change_status(
        number: str, change: StatusChange, who: Annotated[Caller, Depends(caller)]
    ) -> dict[str, Any]:
        """Move the application to a new status; the applicant is told by message."""
        return await asyncio.to_thread(statuses.change, who, number, change.status, change.note)

    return app
