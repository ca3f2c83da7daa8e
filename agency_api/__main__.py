"""``python -m agency_api``: serve the agency API on 127.0.0.1:$AGENCY_API_PORT (see main)."""

from __future__ import annotations

import uvicorn

from agency_api.app import create_app
from ieomoa.config import load_settings
from ieomoa.db import session_factory
from ieomoa.logging_setup import configure_logging


def main() -> None:
    """Serve the API bound to DATABASE_URL's database (IEOMOA_BIND_HOST=0.0.0.0 only inside a container)."""
    configure_logging()
    settings = load_settings()
    uvicorn.run(create_app(session_factory()), host=settings.bind_host,
                port=settings.agency_api_port, log_level="info")


if __name__ == "__main__":
    main()
