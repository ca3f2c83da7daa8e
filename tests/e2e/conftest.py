"""The real bot process polling a local Bot API stand-in, with the real Rasa stack."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from bench.support.bot import start_bot
from tests.support.postgres import fresh_database, require_postgres
from tests.support.stack import RunningStack, start_stack
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess

_chat_ids = itertools.count(random.randint(10**8, 9 * 10**8))


@pytest.fixture
def chat_id() -> int:
    """A chat id never used before, so no test sees another's conversation."""
    return next(_chat_ids)


@pytest.fixture(scope="module")
def telegram() -> Iterator[TelegramStandIn]:
    """The Bot API stand-in on a free local port."""
    standin = TelegramStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def bot(stack: RunningStack, telegram: TelegramStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedProcess]:
    """The bot process, connected to the stand-in and the real Rasa server."""
    process = start_bot(telegram, stack.env, tmp_path_factory.mktemp("bot"))
    yield process
    process.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack_per_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """Rasa and the action server on a fresh SQLite file (inside the run's var/), then on PostgreSQL.

    One stack per database per module: the module's story runs once on each. Its var folder
    (``RunningStack.log_dir.parent``) holds the logs, the endpoints file and, on SQLite, both databases.
    """
    var_dir = tmp_path_factory.mktemp(f"var-{request.param}")
    with ExitStack() as cleanup:
        if request.param == "sqlite":
            url = f"sqlite:///{var_dir / 'ieomoa.sqlite'}"
        else:
            require_postgres()
            url = cleanup.enter_context(fresh_database())
        running = start_stack(url, var_dir)
        cleanup.callback(running.stop)
        # The test process reads and writes records too, with the same key as the stack.
        monkeypatch = pytest.MonkeyPatch()
        cleanup.callback(monkeypatch.undo)
        monkeypatch.delenv("IEOMOA_SECRET_KEY_FILE", raising=False)
        monkeypatch.setenv("IEOMOA_SECRET_KEY", running.env["IEOMOA_SECRET_KEY"])
        yield running
