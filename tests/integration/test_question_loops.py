"""No question can loop: from the third ask in a row the bot says how to answer and offers a way out."""

from __future__ import annotations

import uuid

from tests.support.stack import RasaApi, RunningStack

YES = '/inform{"answer": "네"}'
# (question marker, a valid answer) in form order, for a special-education student.
QUESTIONS = [
    ("1/16", YES), ("2/16", "김하나"), ("3/16", "1995-07-01"), ("4/16", "01022223333"),
    ("5/16", "서울 강남구"), ("6/16", YES), ("7/16", "지적"), ("8/16", "심한"), ("9/16", "고졸"),
    ("10/16. 지금 특수교육대상", YES), ("10/16. 다니는 학교", "한빛학교"), ("11/16", "바리스타"),
    ("12/16", "시간제"), ("13/16", "지원고용"), ("14/16", "메신저"), ("15/16", YES),
    ("16/16. 사는 곳의", YES), ("16/16. 학교가 있는", YES),
]
UNPARSEABLE = ["ㅋㅋㅋ", "음"]


def texts(replies: list[dict]) -> list[str]:
    return [r.get("text") or "" for r in replies]


def test_every_question_asked_ten_times_offers_a_way_out_and_never_repeats_itself(stack: RunningStack) -> None:
    rasa = RasaApi(stack)
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    first = texts(rasa.send(sender, "/apply"))
    assert first[-1].startswith("1/16")
    for marker, answer in QUESTIONS:
        turns = []
        for attempt in range(10):
            replies = texts(rasa.send(sender, UNPARSEABLE[attempt % 2]))
            assert replies and replies[-1].startswith(marker), (marker, attempt, replies)
            turns.append(tuple(replies))
        # Second ask: what was wrong. From the third: how to answer, help and a counselor.
        assert not any("같은 질문" in t for t in turns[0]), marker
        for turn in turns[1:]:
            way_out = turn[0]
            assert "같은 질문" in way_out and "도움말" in way_out and "상담사" in way_out, (marker, turn)
            assert ("버튼" in way_out or "번호" in way_out or "'" in way_out), way_out  # says how to answer
        assert len(set(turns)) == len(turns), marker  # never the same messages again
        replies = texts(rasa.send(sender, answer))
        assert not replies[-1].startswith(marker), (marker, replies)
    assert "이대로 제출할까요" in replies[-1]


def test_a_question_answered_after_a_way_out_counts_from_one_again(stack: RunningStack) -> None:
    rasa = RasaApi(stack)
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    rasa.send(sender, "/apply")
    for _ in range(3):
        rasa.send(sender, "ㅋㅋㅋ")
    replies = texts(rasa.send(sender, YES))
    assert replies[-1].startswith("2/16") and not any("같은 질문" in r for r in replies)
    replies = texts(rasa.send(sender, "ㅋㅋㅋ"))
    assert replies[-1].startswith("2/16") and not any("같은 질문" in r for r in replies)


def test_asking_to_hear_it_again_asks_the_open_question_again(stack: RunningStack) -> None:
    """"다시 말해 주세요" at any question: that question again, never "무슨 말씀인지"."""
    rasa = RasaApi(stack)
    sender = f"tg-{uuid.uuid4().int % 10**9}"
    rasa.send(sender, "/apply")
    for (marker, answer), request in zip(QUESTIONS, ["다시 말해 주세요", "다음 질문 다시 말해 주세요", "한 번 더 말해 줄래요"] * 6):
        replies = texts(rasa.send(sender, request))
        assert replies and replies[-1].startswith(marker), (marker, request, replies)
        assert not any("이해하지 못했어요" in r for r in replies), (marker, replies)
        rasa.send(sender, answer)
