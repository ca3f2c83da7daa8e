"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ieomoa.db import make_engine
from ieomoa.migrate import upgrade
from tests.support.postgres import fresh_database, require_postgres
from tests.support.stack import RunningStack, start_stack


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database in a temporary folder."""
    url = f"sqlite:///{tmp_path / 'ieomoa.sqlite'}"
    upgrade(url)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A migrated, empty PostgreSQL database for one test."""
    require_postgres()
    with fresh_database() as url:
        upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite (the default) and on PostgreSQL (production)."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Session factory on a fresh database."""
    engine = make_engine(database_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The real Rasa server and action server on a fresh PostgreSQL database."""
    require_postgres()
    work_dir = tmp_path_factory.mktemp("stack")
    with fresh_database() as url:
        running = start_stack(url, work_dir)
        # The test process writes and reads records too, with the same key as the stack.
        monkeypatch = pytest.MonkeyPatch()
        monkeypatch.setenv("IEOMOA_SECRET_KEY", running.env["IEOMOA_SECRET_KEY"])
        try:
            yield running
        finally:
            monkeypatch.undo()
            running.stop()
