"""The SQLite database of `make run` holds personal data: only its owner may read it."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from ieomoa.db import make_engine


def test_a_new_sqlite_database_and_its_log_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "var" / "ieomoa.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x TEXT)"))
        connection.execute(text("INSERT INTO t VALUES ('김하나')"))
    engine.dispose()
    for path in (database, *tmp_path.glob("var/ieomoa.sqlite-*")):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name
