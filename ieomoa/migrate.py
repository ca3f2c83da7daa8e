"""Apply Alembic migrations: ``python -m ieomoa.migrate [revision]``."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from ieomoa.config import load_settings


def alembic_config(database_url: str | None = None) -> Config:
    """Alembic configuration without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    url = database_url or load_settings().database_url
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Bring the database to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


if __name__ == "__main__":
    upgrade(revision=sys.argv[1] if len(sys.argv) > 1 else "head")
