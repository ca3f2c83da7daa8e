"""HTTP API for agency staff: read routed applications and move their status.

Run with ``python -m ieomoa.agency_api``; OpenAPI docs at /docs.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ieomoa.crypto import current_secret
from ieomoa.db_locks import serialize
from ieomoa.models import AuditEntry, AuthFailure, utcnow
from ieomoa.services.agencies import AgencyTokenService
from ieomoa.services.status import ApplicationNotFound, Caller, NotRoutedToAgency, StatusError, StatusService

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
# Failed authentications (missing or wrong token) within FAILURE_WINDOW: past the first limit
# one client address, past the second every client, gets 429 until the window slides on.
# Counted in the database (table auth_failures), so the lockout survives restarts and holds
# across processes. Behind a reverse proxy every caller shares the proxy's address.
FAILURES_PER_CLIENT = 10
FAILURES_OVERALL = 100
FAILURE_WINDOW = timedelta(minutes=15)


class BodyTooLarge(HTTPException):
    """A request body over the limit (an HTTPException, so FastAPI's body parsing lets it through)."""

    def __init__(self) -> None:
        super().__init__(413, "request body too large")


class BodyLimit:
    """ASGI middleware: refuse bodies over ``limit`` bytes without buffering them.

    A declared Content-Length over the limit is answered 413 before any of the body is read;
    a body without one (chunked) is counted as it streams and cut off at the limit.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1  # unparseable: refuse rather than trust the stream
                if declared > self.limit:
                    await self._refuse(send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    @staticmethod
    async def _refuse(send: Send) -> None:
        body = json.dumps({"detail": "request body too large"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def client_key(address: str) -> str:
    """HMAC of a client address under the app secret: counted and audited without the address."""
    return hmac.new(current_secret().encode("utf-8"), f"agency-client:{address}".encode(),
                    hashlib.sha256).hexdigest()


class AuthFailureLimiter:
    """Counts failed authentications in the database and says when a client is locked out."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        per_client: int = FAILURES_PER_CLIENT,
        overall: int = FAILURES_OVERALL,
        window: timedelta = FAILURE_WINDOW,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._per_client = per_client
        self._overall = overall
        self._window = window

    @property
    def retry_after(self) -> int:
        return int(self._window.total_seconds())

    def _locked_out(self, session: Session, key: str, since: datetime) -> bool:
        recent = select(func.count()).select_from(AuthFailure).where(AuthFailure.at > since)
        if (session.scalar(recent.where(AuthFailure.client_key == key)) or 0) >= self._per_client:
            return True
        return (session.scalar(recent) or 0) >= self._overall

    def locked_out(self, key: str) -> bool:
        """True while this client, or all clients together, failed too often in the window."""
        with self._sessions() as session:
            return self._locked_out(session, key, self._clock() - self._window)

    def admit(self, key: str, failure: str | None) -> bool:
        """False while the client is locked out; otherwise True, counting ``failure`` if there is one.

        A failure is counted and audited under a lock, in the transaction that checked the
        counts: concurrent wrong tokens cannot all pass the check before any of them is added.
        """
        if failure is None:
            return not self.locked_out(key)
        now = self._clock()
        with self._sessions.begin() as session:
            serialize(session, "agency-auth-failures")
            if self._locked_out(session, key, now - self._window):
                return False
            self._record(session, key, failure, now)
        return True

    def _record(self, session: Session, key: str, reason: str, now: datetime) -> None:
        """Count one failure and audit it (no token, no body, no address: only its keyed hash)."""
        session.execute(delete(AuthFailure).where(AuthFailure.at < now - self._window))
        session.add(AuthFailure(client_key=key, at=now))
        session.add(AuditEntry(at=now, agency="-", action="auth_failed", detail=f"{reason}; client {key[:16]}"))

    def audit_denied(self, caller: Caller, number: str | None, reason: str) -> None:
        """An authenticated request refused for an application (not found or not routed)."""
        with self._sessions.begin() as session:
            session.add(AuditEntry(at=self._clock(), agency=caller.agency, token_id=caller.token_id,
                                   action="denied", application_number=(number or "")[:20] or None,
                                   detail=reason))


class StatusChange(BaseModel):
    """Body of a status change."""

    status: str = Field(examples=["ASSIGNED"])
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
