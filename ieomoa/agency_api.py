"""HTTP API for agency staff: read routed applications and move their status.

Run with ``python -m ieomoa.agency_api``; OpenAPI docs at /docs.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import asyncio
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.status import Caller, StatusError, StatusService


class StatusChange(BaseModel):
    """Body of a status change."""

    status: str = Field(examples=["ASSIGNED"])
    note: str | None = Field(default=None, max_length=1000, examples=["담당자: 김상담"])


def create_app(sessions: sessionmaker[Session]) -> FastAPI:
    """The API bound to one database."""
    app = FastAPI(title="이어모아 agency API", version="1.0")
    tokens = AgencyTokenService(sessions)
    statuses = StatusService(sessions)
    bearer = HTTPBearer(auto_error=False)

    async def caller(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        if credentials is None:
            raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        record = await asyncio.to_thread(tokens.authenticate, credentials.credentials)
        if record is None:
            raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
        return Caller(agency=record.agency, token_id=record.id)

    @app.exception_handler(StatusError)
    async def status_error(_: Request, error: StatusError) -> JSONResponse:
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


def main() -> None:
    """Serve on 127.0.0.1:$AGENCY_API_PORT (IEOMOA_BIND_HOST=0.0.0.0 only inside a container)."""
    import uvicorn

    from ieomoa.config import load_settings
    from ieomoa.db import session_factory
    from ieomoa.logging_setup import configure_logging

    configure_logging()
    settings = load_settings()
    uvicorn.run(create_app(session_factory()), host=settings.bind_host,
                port=settings.agency_api_port, log_level="info")


if __name__ == "__main__":
    main()
