"""One turn's messages as a KakaoTalk skill response, within Kakao's limits.

Kakao's skill response (카카오 i 오픈빌더, "응답 타입별 JSON 포맷"): at most 3 outputs, a
simpleText of at most 1000 characters (past 500 Kakao folds it behind "전체 보기"), at most
10 quick replies with labels of at most 14 characters. Quick replies are one set under the
whole answer, so they carry the turn's keyboards together; a press sends ``messageText`` as
the user's own words, which the core matches to that button (ieomoa/conversation/typed_choices.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from ieomoa.conversation.outgoing import OutgoingButton, OutgoingMessage
from ieomoa.conversation.typed_choices import label_of

logger = logging.getLogger(__name__)

SKILL_VERSION = "2.0"
MAX_OUTPUTS = 3
TEXT_LIMIT = 1000  # simpleText.text
VISIBLE_TEXT = 500  # longer texts are folded behind "전체 보기"
MAX_QUICK_REPLIES = 10
LABEL_LIMIT = 14  # quickReplies[].label
# Where a long text may be cut, best first: a line break, a sentence end, a space.
CUTS = (re.compile(r"\n"), re.compile(r"(?<=[.?!。])\s"), re.compile(r"\s"))


def split_at_sentences(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` characters, cut at line breaks or sentence ends where possible."""
    parts: list[str] = []
    text = text.strip()
    while len(text) > limit:
        cut = 0
        for pattern in CUTS:
            ends = [m.start() for m in pattern.finditer(text, 0, limit + 1) if m.start() > 0]
            if ends:
                cut = ends[-1]
                break
        cut = cut or limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return parts


def numbered(buttons: Sequence[OutgoingButton]) -> str:
    """Choices as text lines, "1번 …", answered by typing the number or the words."""
    return "\n".join(
        f"{number}번 {label_of(button.title)}" for number, button in enumerate(buttons, start=1)
    )


def short_label(label: str) -> str:
    """A quick reply's label within Kakao's limit (the full words still go as messageText)."""
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1].rstrip() + "…"


def quick_replies(buttons: Sequence[OutgoingButton]) -> list[dict[str, str]]:
    """Buttons as quick replies whose messageText is the label: the user's answer in their words."""
    return [
        {
            "label": short_label(label_of(b.title)),
            "action": "message",
            "messageText": label_of(b.title),
        }
        for b in buttons
    ]


def texts_and_choices(
    messages: Sequence[OutgoingMessage],
) -> tuple[list[str], tuple[OutgoingButton, ...]]:
    """Each message's text, and the buttons that become quick replies.

    Every choice of the turn becomes a quick reply when they fit (ten at most, no two with the
    same words); otherwise the newest keyboard does, if it fits. Choices that are not quick
    replies, and keyboards with a label too long for one, are also written into their text.
    """
    texts = [m.text for m in messages]
    keyed = [i for i, m in enumerate(messages) if m.buttons]
    every = tuple(b for i in keyed for b in messages[i].buttons)
    labels = [label_of(b.title) for b in every]
    if len(every) <= MAX_QUICK_REPLIES and len(set(labels)) == len(labels):
        shown = set(keyed)
    else:
        shown = (
            {keyed[-1]}
            if keyed and len(messages[keyed[-1]].buttons) <= MAX_QUICK_REPLIES
            else set()
        )
    for i in keyed:
        buttons = messages[i].buttons
        if i not in shown or any(len(label_of(b.title)) > LABEL_LIMIT for b in buttons):
            texts[i] = f"{texts[i]}\n\n{numbered(buttons)}"
    return texts, tuple(b for i in keyed if i in shown for b in messages[i].buttons)


def pack(texts: Sequence[str], limit: int) -> list[str]:
    """Texts joined into as few outputs of at most ``limit`` characters as they fit in, in order."""
    outputs: list[str] = []
    for text in texts:
        for part in split_at_sentences(text, limit):
            if outputs and len(outputs[-1]) + 2 + len(part) <= limit:
                outputs[-1] = f"{outputs[-1]}\n\n{part}"
            else:
                outputs.append(part)
    return outputs


def outputs_of(texts: Sequence[str]) -> list[str]:
    """At most three simpleTexts: short enough to show unfolded when they fit, else up to 1000."""
    outputs = pack(texts, VISIBLE_TEXT)
    if len(outputs) > MAX_OUTPUTS:
        outputs = pack(texts, TEXT_LIMIT)
    if len(outputs) > MAX_OUTPUTS:
        # No answer of the assistant comes near 3000 characters; if one ever does, Kakao would
        # refuse the whole response, so the end is cut at a sentence and the cut is logged.
        logger.warning("A reply longer than three KakaoTalk bubbles was cut")
        outputs = outputs[: MAX_OUTPUTS - 1] + [
            split_at_sentences("\n\n".join(outputs[MAX_OUTPUTS - 1 :]), TEXT_LIMIT)[0]
        ]
    return outputs


def skill_response(messages: Sequence[OutgoingMessage]) -> dict[str, Any]:
    """The skill response JSON for one turn's messages."""
    texts, choices = texts_and_choices(messages)
    template: dict[str, Any] = {
        "outputs": [{"simpleText": {"text": text}} for text in outputs_of(texts)]
    }
    if choices:
        template["quickReplies"] = quick_replies(choices)
    return {"version": SKILL_VERSION, "template": template}


def callback_pending() -> dict[str, Any]:
    """A slow turn's immediate answer: Kakao shows the block's waiting text until the callback."""
    return {"version": SKILL_VERSION, "useCallback": True}
