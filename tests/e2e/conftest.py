"""The real bot process polling a local Bot API stand-in, with the real Rasa stack."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ieomoa.stack import ManagedProcess, bot_process
from tests.support.stack import RunningStack
from tests.support.telegram_standin import TelegramStandIn

_chat_ids = itertools.count(random.randint(10**8, 9 * 10**8))


@pytest.fixture
def chat_id() -> int:
    """A chat id never used before, so no test sees another's conversation."""
    return next(_chat_ids)


def start_bot(standin: TelegramStandIn, env: dict[str, str], log_dir: Path) -> ManagedProcess:
    """Start ``python -m bot`` against the stand-in and wait until it polls."""
    env = dict(
        env,
        TTS_ENGINE=env.get("TTS_ENGINE", "espeak"),  # no network here: the offline engine speaks
        TELEGRAM_BOT_TOKEN=standin.token,
        TELEGRAM_API_BASE_URL=standin.base_url,
        TELEGRAM_API_FILE_URL=standin.file_url,
    )
    bot = bot_process(env=env, log_dir=log_dir)
    bot.start()
    standin.wait_for_call("getUpdates", bot)
    return bot


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
