"""Typed words that mean a button: "1", "1번", "제출", "제출할게요" do what pressing it does.

People who use a screen reader, or who simply type, answer a keyboard by writing its
label or its number. Every channel runs the text through ``match_typed_choice`` against
the keyboards it showed last, and sends the button's payload instead of the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_CHOICE_LENGTH = 40
NUMBER_PREFIX = re.compile(r"^\s*\d{1,2}\s*번\s*\.?\s*")
# "1", "1번", "2번이요", "3번으로 할게요", "1번 눌러요"
TYPED_NUMBER = re.compile(
    r"^(\d{1,2})\s*(번)?\s*(이요|요|이에요|예요|입니다|으로\s*할게요|으로요|으로|할게요|눌러요|누를게요|선택)?$"
)
# "1번 제출", "1. 제출", "2) 수정할게요": a number, then the label of that button.
NUMBERED_LABEL = re.compile(r"^\s*(\d{1,2})\s*번?\s*[.)]?\s*(\S.*)$")
ORDINALS = {"첫번째": 1, "첫째": 1, "두번째": 2, "둘째": 2, "세번째": 3, "셋째": 3, "네번째": 4, "넷째": 4}
# Polite endings and verb forms people add to a label ("제출할게요", "동의합니다", "지체예요").
ENDINGS = re.compile(
    r"(으로\s*해\s*주세요|로\s*해\s*주세요|해\s*주세요|할게요|할래요|하겠습니다|하겠어요|합니다|해요|"
    r"이에요|예요|에요|입니다|이요|요|으로요|로요|주세요)$"
)
LEADING_YES_NO = re.compile(r"^(네|예|응|아니요|아뇨)\s*,?\s*")
INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u3164\u115f\u1160]")


@dataclass(frozen=True)
class Choice:
    """One button as a channel showed it: its title, the payload it sends, its token if any."""

    title: str
    payload: str
    token: str = ""


def _plain(text: str) -> str:
    """Lower-case NFC text without punctuation, symbols or spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    text = INVISIBLE.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def label_of(title: str) -> str:
    """The title without its "N번" prefix: "1번 제출" → "제출"."""
    return NUMBER_PREFIX.sub("", title).strip()


def _stem(text: str) -> str:
    """The label's core without polite endings: "제출할게요" → "제출", "동의해요" → "동의"."""
    stem = re.sub(r"\s+", "", unicodedata.normalize("NFC", text))
    stem = re.sub(r"[.,!?~·'\"()…]", "", stem)
    for _ in range(2):
        shorter = ENDINGS.sub("", stem)
        if len(shorter) < 1 or shorter == stem:
            break
        stem = shorter
    return _plain(stem)


def _number_typed(text: str) -> int | None:
    """The button number a message names ("2", "2번", "두 번째"), if that is all it says."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFC", text)).strip(".!~")
    match = TYPED_NUMBER.match(compact)
    if match:
        return int(match[1])
    for word, number in ORDINALS.items():
        if re.fullmatch(rf"{word}(거|것)?(요|이요|으로요|로요|할게요)?", compact):
            return number
    return None


def match_typed_choice(text: str, keyboards: Sequence[Sequence[Choice]]) -> Choice | None:
    """The button a typed message stands for, among the keyboards shown last (newest last).

    A number picks from the newest keyboard, the one right above the input box. Words pick
    the one button whose label (or its core without endings) they are; anything longer,
    different or ambiguous is left to the NLU.
    """
    keyboards = [list(k) for k in keyboards if k]
    if not keyboards or not text or len(text) > MAX_CHOICE_LENGTH:
        return None
    number = _number_typed(text)
    if number is not None:
        newest = keyboards[-1]
        return newest[number - 1] if 1 <= number <= len(newest) else None
    titled = _whole_title_typed(text, keyboards[-1])
    if titled is not None:
        return titled
    typed_plain = _plain(text)
    if not typed_plain:
        return None
    typed_stems = {_stem(text), typed_plain.removesuffix("요")} - {""}
    for keyboard in reversed(keyboards):
        exact = [c for c in keyboard if _plain(label_of(c.title)) == typed_plain]
        if len(exact) == 1:
            return exact[0]
        loose = [c for c in keyboard if typed_stems & _label_stems(label_of(c.title))]
        if len(loose) == 1:
            return loose[0]
        if exact or loose:
            return None  # two buttons fit: the NLU and the form decide
    return None


def _whole_title_typed(text: str, newest: Sequence[Choice]) -> Choice | None:
    """The button whose whole title was typed, number and label: "1번 제출", "1. 제출할게요"."""
    numbered = NUMBERED_LABEL.match(unicodedata.normalize("NFC", text))
    if numbered is None or not 1 <= int(numbered[1]) <= len(newest):
        return None
    button, label = newest[int(numbered[1]) - 1], numbered[2]
    typed = {_plain(label), _stem(label), _plain(label).removesuffix("요")} - {""}
    return button if typed & _label_stems(label_of(button.title)) else None


def _label_stems(label: str) -> set[str]:
    """Ways a label can be typed: "네, 보내 주세요" → {"네보내", "보내"}; "듣기" → "듣기요" too."""
    stems = {_stem(label), _plain(label)}
    without_yes = LEADING_YES_NO.sub("", label)
    if without_yes != label:
        stems.add(_stem(without_yes))
    return {s for s in stems if s}


def keyboards_in(replies: Sequence[Mapping[str, Any]]) -> list[list[Choice]]:
    """The keyboards of a turn's replies, in the order they are shown."""
    keyboards = []
    for reply in replies:
        buttons = [b for b in reply.get("buttons") or [] if b.get("title") and b.get("payload")]
        if buttons:
            keyboards.append([Choice(b["title"], b["payload"]) for b in buttons])
    return keyboards


def without_command_prefix(text: str) -> str:
    """Typed text can never be read as an intent: Rasa parses "/intent{…}" even after spaces."""
    stripped = INVISIBLE.sub("", text).lstrip()
    if not stripped.startswith("/"):
        return text
    # "/ /intent{…}" keeps a "/" after the first one is dropped: drop until none leads.
    while stripped.startswith("/"):
        stripped = stripped.lstrip("/").lstrip()
    return stripped.strip()
