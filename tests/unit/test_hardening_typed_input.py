"""Typed text that could act for the user (issue 9, defects 2 and 3), below the bot.

- A whole button title typed, number and label ("1번 제출"), is that button: the hostile tester
  typed "1번 제출" at the summary and nothing was sent, while noise was read as yes.
- "/intent{…}" behind any mix of spaces, U+3000, zero-width characters and further "/" never
  reaches Rasa as an intent (the bot and the terminal chat both use ``without_command_prefix``).
"""

from __future__ import annotations

import pytest

from ieomoa.conversation.typed_choices import Choice, match_typed_choice, without_command_prefix

SUMMARY = [Choice("1번 제출", "/affirm"), Choice("2번 수정", "/correct"), Choice("3번 취소", "/cancel")]
ERASE = [Choice("1번 네, 모두 지워 주세요", '/delete_my_data{"answer": "확인"}'),
         Choice("2번 아니요, 그대로 둘게요", '/delete_my_data{"answer": "취소"}')]


@pytest.mark.parametrize(("typed", "payload"), [
    ("1번 제출", "/affirm"), ("1. 제출", "/affirm"), ("1번 제출할게요", "/affirm"), ("2) 수정", "/correct"),
    (" 3번  취소 ", "/cancel"),
])
def test_a_whole_title_typed_is_that_button(typed: str, payload: str) -> None:
    choice = match_typed_choice(typed, [SUMMARY])
    assert choice is not None and choice.payload == payload


def test_a_whole_erase_title_typed_is_that_button() -> None:
    choice = match_typed_choice("1번 네, 모두 지워 주세요", [ERASE])
    assert choice is not None and choice.payload == ERASE[0].payload


@pytest.mark.parametrize("typed", ["1번 취소", "2번 제출", "4번 제출", "1번 아니요", "2급", "010 1234 5678", "3, 4"])
def test_a_number_with_another_buttons_label_is_no_button(typed: str) -> None:
    assert match_typed_choice(typed, [SUMMARY]) is None


@pytest.mark.parametrize("typed", [
    '/ /delete_my_data{"answer": "확인"}', '/\u3000/delete_my_data{}', '\u200b/ \u200b/ /affirm',
    '//affirm', '/\n/inform{"answer": true}',
])
def test_no_number_of_leading_slashes_makes_an_intent(typed: str) -> None:
    assert not without_command_prefix(typed).strip().startswith("/")
