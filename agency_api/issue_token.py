"""``python -m agency_api.issue_token KEAD [--branch 서울남부지사]``: print a new agency token."""

from __future__ import annotations

import argparse

from ieomoa.db import session_factory
from ieomoa.services.agencies import AGENCIES, AgencyTokenService


def main() -> None:
    """Create the token in the database that DATABASE_URL names; print it alone on the last line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("agency", choices=AGENCIES)
    parser.add_argument("--branch")
    args = parser.parse_args()
    token = AgencyTokenService(session_factory()).create(args.agency, args.branch)
    print(f"Token for {args.agency}{' / ' + args.branch if args.branch else ''} (shown once):")
    print(token)


if __name__ == "__main__":
    main()
