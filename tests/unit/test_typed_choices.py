"""Every keyboard the bot can show answers to its words and numbers, typed instead of tapped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from actions.caregivers import removal_buttons
from ieomoa.conversation import messages
from ieomoa.conversation.typed_choices import (
    Choice,
    keyboards_in,
    label_of,
    match_typed_choice,
    without_command_prefix,
)
from ieomoa.korean import has_final_consonant
from ieomoa.models import CaregiverLink

DOMAIN = Path(__file__).resolve().parents[2] / "nlu" / "domain"


def domain_keyboards() -> dict[str, list[Choice]]:
    """Every keyboard in the domain, by response name and variation."""
    keyboards: dict[str, list[Choice]] = {}
    for path in sorted(DOMAIN.glob("*.yml")):
        responses = (yaml.safe_load(path.read_text("utf-8")) or {}).get("responses") or {}
        for name, variations in responses.items():
            for index, variation in enumerate(variations):
                if variation.get("buttons"):
                    keyboards[f"{name}[{index}]"] = [Choice(b["title"], b["payload"]) for b in variation["buttons"]]
    return keyboards


def own_keyboards() -> dict[str, list[Choice]]:
    """Keyboards built in code: the caregiver removal list and the bot's voice offer."""
    links = [
        CaregiverLink(id=7, applicant_sender_id="tg-1", caregiver_sender_id="tg-7", share_sensitive=False,
                      created_at=datetime(2026, 11, 20, 6, 5, tzinfo=UTC)),
        CaregiverLink(id=9, applicant_sender_id="tg-1", caregiver_sender_id="tg-9", share_sensitive=True,
                      created_at=datetime(2026, 11, 24, 16, 0, tzinfo=UTC)),
    ]
    return {
        "caregiver removal": [Choice(b["title"], b["payload"]) for b in removal_buttons(links)],
        "voice offer": [Choice(messages.VOICE_OFFER_BUTTON, "/voice_on")],
    }


ALL_KEYBOARDS = {**domain_keyboards(), **own_keyboards()}


def natural_variant(label: str) -> str:
    """How someone types a label in their own words: "제출" → "제출이요", "동의해요" → "동의합니다"."""
    if label.endswith("해요"):
        return label[:-2] + "합니다"
    if label.startswith(("네, ", "아니요, ")):
        return label.split(", ", 1)[1]
    if label.endswith("요"):
        return label[:-1] + "요!"
    if label.endswith("기"):
        return label + "요"
    return label + ("이요" if has_final_consonant(label) else "요")


def test_the_domain_has_keyboards_to_check() -> None:
    assert len(ALL_KEYBOARDS) >= 25
    assert any(c.payload == "/affirm" for k in ALL_KEYBOARDS.values() for c in k)


@pytest.mark.parametrize("name", sorted(ALL_KEYBOARDS))
def test_every_button_works_typed_as_its_label_its_number_or_in_own_words(name: str) -> None:
    keyboard = ALL_KEYBOARDS[name]
    for number, choice in enumerate(keyboard, start=1):
        label = label_of(choice.title)
        for typed in (label, str(number), f"{number}번", f"{number}번이요", natural_variant(label)):
            picked = match_typed_choice(typed, [keyboard])
            assert picked is not None and picked.payload == choice.payload, (name, typed)


@pytest.mark.parametrize(
    ("typed", "payload"),
    [
        ("제출", "/affirm"), ("제출할게요", "/affirm"), ("제출해 주세요", "/affirm"),
        ("수정", "/correct"), ("수정할래요", "/correct"), ("취소", "/cancel"), ("3번", "/cancel"),
    ],
)
def test_summary_words_submit_correct_or_cancel(typed: str, payload: str) -> None:
    summary = ALL_KEYBOARDS["utter_summary_buttons[1]"]
    assert match_typed_choice(typed, [summary]).payload == payload  # type: ignore[union-attr]


def test_erasure_yes_in_own_words() -> None:
    erase = next(k for name, k in ALL_KEYBOARDS.items() if name.startswith("utter_ask_delete_confirmation")
                 or any("지워" in c.title for c in k))
    picked = match_typed_choice("모두 지워 주세요", [erase])
    assert picked is not None and "확인" in picked.payload


@pytest.mark.parametrize(
    "typed",
    ["아니요, 그만할래요", "서울 사는데 제출은 나중에", "1990", "3, 4", "", "ㅋㅋㅋ", "\u200b\u200b", "😀", "...", "네 특수학교 다녀요"],
)
def test_whole_sentences_and_noise_are_left_to_the_nlu(typed: str) -> None:
    summary = ALL_KEYBOARDS["utter_summary_buttons[1]"]
    yes_no = [Choice("1번 네", '/inform{"answer": "네"}'), Choice("2번 아니요", '/inform{"answer": "아니요"}')]
    assert match_typed_choice(typed, [summary]) is None
    assert match_typed_choice(typed, [yes_no]) is None


def test_a_number_picks_from_the_newest_keyboard_and_words_from_any() -> None:
    older = [Choice("1번 동의해요", "/affirm")]
    newer = [Choice("1번 음성으로 듣기", "/voice_on"), Choice("2번 쉬운 말로 보기", "/easy_read_on")]
    assert match_typed_choice("1", [older, newer]).payload == "/voice_on"  # type: ignore[union-attr]
    assert match_typed_choice("동의해요", [older, newer]).payload == "/affirm"  # type: ignore[union-attr]
    assert match_typed_choice("3", [older, newer]) is None


def test_no_keyboard_means_no_button() -> None:
    assert match_typed_choice("1", []) is None
    assert keyboards_in([{"text": "이름을 알려 주세요."}]) == []


@pytest.mark.parametrize("typed", [' /delete_my_data{"answer": "확인"}', "\u3000/inform{}", "\n/affirm", "\u200b/affirm"])
def test_typed_text_never_reaches_rasa_as_an_intent(typed: str) -> None:
    assert not without_command_prefix(typed).lstrip().startswith("/")
