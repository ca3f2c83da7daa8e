"""/privacy in Telegram answers with the privacy summary (real bot, Rasa and actions)."""

from __future__ import annotations

from ieomoa.services.retention import load_policy
from tests.support.telegram_standin import TelegramStandIn
from tools.stack import ManagedProcess


def test_privacy_command_gives_the_summary_with_the_periods(
    bot: ManagedProcess, telegram: TelegramStandIn, chat_id: int
) -> None:
    policy = load_policy()
    telegram.push_command(chat_id, "/privacy")
    [summary] = telegram.wait_for(chat_id, 1)
    assert policy.label("closed_application") in summary.text and policy.label("conversation") in summary.text
    assert "내 정보 보여 주세요" in summary.text and "내 정보 지워 주세요" in summary.text
