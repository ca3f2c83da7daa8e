"""A long conversation on the real Rasa and action server: Rasa gets a bounded history past
COMPACT_ABOVE events (nlu/ieomoa_nlu/tracker_store.py), and nothing a user sees changes.

Easy-read is switched on at the start; forty turns later the replies still come in 쉬운 말,
"다시 말해 주세요" still finds the last reply, a form started then asks its questions, and the
stored conversation still has every message, each followed by its replies.
"""

from __future__ import annotations

import uuid

from tests.support.stack import RasaApi, RunningStack

HELP_TURNS = 40  # about five events each: well past the 120 after which the history is bounded


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text", "") for reply in replies]


def test_a_long_conversation_keeps_its_choices_and_every_turn(stack: RunningStack) -> None:
    rasa = RasaApi(stack)
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    sent = ["안녕하세요", "쉬운 말로 해 주세요"]
    for text in sent:
        rasa.send(sender, text)
    easy_help = texts(rasa.send(sender, "도움말"))
    assert easy_help and "이런 일을 도와줘요" in easy_help[0]  # 쉬운 말's help
    sent.append("도움말")
    for _ in range(HELP_TURNS):
        assert texts(rasa.send(sender, "도움말")) == easy_help  # still 쉬운 말, still the same answer
        sent.append("도움말")

    assert texts(rasa.send(sender, "다시 말해 주세요")) == easy_help[-1:]  # the last reply, again
    assert any("1/16" in text for text in texts(rasa.send(sender, "구직 신청하고 싶어요")))
    assert any("2/16" in text for text in texts(rasa.send(sender, "네")))  # consent given: the next question
    sent += ["다시 말해 주세요", "구직 신청하고 싶어요", "네"]

    # Every message stored once, in order, and each turn ended listening.
    events = rasa.tracker(sender)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == sent
    listening = [i for i, e in enumerate(events) if e["event"] == "action" and e["name"] == "action_listen"]
    users = [i for i, e in enumerate(events) if e["event"] == "user"]
    assert all(any(u < listen < next_u for listen in listening) for u, next_u in zip(users, users[1:] + [len(events)]))
