"""쉬운 말 is everywhere: every response and every message of the bot's own has a variation."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ieomoa.conversation import messages

DOMAIN = Path(__file__).parents[2] / "nlu" / "domain"
# Said once, already in plain words, or rendered before the easy_read slot changes.
SINGLE_STYLE = {"utter_offer_accessibility", "utter_easy_read_on", "utter_easy_read_off"}
EASY_READ = [{"type": "slot", "name": "easy_read", "value": True}]


def responses() -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for path in sorted(DOMAIN.glob("*.yml")):
        found.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})
    return found


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_response_has_an_easy_read_variation_first() -> None:
    missing = [
        name for name, variations in responses().items()
        if name not in SINGLE_STYLE and variations[0].get("condition") != EASY_READ
    ]
    assert not missing, f"no 쉬운 말 variation: {missing}"


def test_easy_read_variations_keep_the_buttons_and_use_only_known_values() -> None:
    for name, variations in responses().items():
        if name in SINGLE_STYLE:
            continue
        easy, standard = variations[0], variations[-1]
        assert "condition" not in standard, name
        payloads = [b["payload"] for b in easy.get("buttons") or []]
        assert payloads == [b["payload"] for b in standard.get("buttons") or []], name
        # The action fills the standard text's values; 쉬운 말 may add next_step, nothing unknown.
        assert placeholders(easy["text"]) <= placeholders(standard["text"]) | {"next_step"}, name


def test_easy_read_questions_give_an_example_or_buttons() -> None:
    for name, variations in responses().items():
        easy = variations[0]
        if name.startswith("utter_ask_") and name not in SINGLE_STYLE:
            assert "예를 들면" in easy["text"] or easy.get("buttons"), name


def test_the_bots_own_messages_have_easy_read_versions() -> None:
    own = {value for key, value in vars(messages).items() if key.isupper() and isinstance(value, str)}
    own.discard(messages.VOICE_OFFER_BUTTON)
    assert own == set(messages.EASY_READ)
    assert messages.for_reader(messages.OLD_BUTTON, easy_read=True) != messages.OLD_BUTTON
    assert messages.for_reader(messages.OLD_BUTTON, easy_read=False) == messages.OLD_BUTTON


HOW_TO_ANSWER = ("버튼", "적어", "답해", "골라", "눌러", "보내 주세요", "말해 주세요", "말씀해")


def test_every_question_says_how_to_answer() -> None:
    for name, variations in responses().items():
        for variation in variations:
            text = variation["text"]
            if "?" in text or name.startswith("utter_ask_"):
                assert any(words in text for words in HOW_TO_ANSWER), f"{name}: {text}"
