"""``python -m ieomoa.retention`` (``make sweep``): delete what has outlived its retention period.

Periods: ieomoa/data/privacy.json (see PRIVACY.md). Logs the counts it deleted; the audit log
gets the same counts. The relay runs the same sweep periodically.
"""

from __future__ import annotations

import argparse

from ieomoa.config import load_settings
from ieomoa.db import session_factory
from ieomoa.logging_setup import configure_logging
from ieomoa.rasa_endpoints import tracker_store_url
from ieomoa.services.retention import RetentionSweep, SweepReport


def sweep(database_url: str | None = None) -> SweepReport:
    """One sweep of the configured database and its Rasa tracker store."""
    url = database_url or load_settings().database_url
    return RetentionSweep(session_factory(url), tracker_store_url(url)).run()


def main(argv: list[str] | None = None) -> None:
    """Run one sweep; its counts are logged."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="defaults to DATABASE_URL")
    args = parser.parse_args(argv)
    configure_logging()
    sweep(args.database_url)


if __name__ == "__main__":
    main()
