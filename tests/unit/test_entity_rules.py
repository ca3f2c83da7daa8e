"""Rules the NLU's entity filter applies after every extractor (nlu/ieomoa_nlu/entity_rules.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "nlu"))

from ieomoa_nlu.entity_rules import is_question, negated, trim_to_content  # noqa: E402


def value_at(text: str, word: str, entity: str) -> dict:
    start = text.index(word)
    return {"entity": entity, "value": word, "start": start, "end": start + len(word)}


@pytest.mark.parametrize(
    ("text", "word", "entity", "declined"),
    [
        ("수어통역은 필요 없어요", "수어통역", "support_need", True),
        ("근로지원인은 안 써도 돼요", "근로지원인", "support_need", True),
        ("재택은 안 해도 돼요", "재택", "employment_type", True),
        ("재택 말고 전일제요", "재택", "employment_type", True),
        ("재택 말고 전일제요", "전일제", "employment_type", False),
        ("수어통역이 필요해요", "수어통역", "support_need", False),
        ("재택이 좋아요", "재택", "employment_type", False),
        # A disability or a school said with a negation still describes the person.
        ("고등학교 졸업 안 했어요", "고등학교", "education", False),
    ],
)
def test_a_value_followed_by_a_negation_is_declined(text: str, word: str, entity: str, declined: bool) -> None:
    assert negated(text, value_at(text, word, entity)) is declined


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("지원고용이 뭔가요?", True),
        ("근로지원인 알려 주세요", True),
        ("근로지원인은 어떻게 신청하나요", True),
        ("보조기기요", False),
        ("몇 시간만 일하고 싶어요", False),
        ("반나절만 가능해요", False),
        ("서울 살아요", False),
    ],
)
def test_questions_are_told_from_answers(text: str, question: bool) -> None:
    assert is_question(text) is question


def test_a_span_loses_the_particles_and_endings_at_its_edges() -> None:
    text = "컴퓨터 좋아해서 프로그래머 되고 싶어요"
    tokens = [(0, 3, "NNG"), (4, 7, "VV"), (7, 8, "EC"), (9, 14, "NNG"), (15, 16, "VV"), (16, 17, "EC")]
    diet = {"entity": "job", "value": "서 프로그래머", "start": 7, "end": 14}
    assert trim_to_content(text, diet, tokens) == {"entity": "job", "value": "프로그래머", "start": 9, "end": 14}
    only_ending = {"entity": "job", "value": "서", "start": 7, "end": 8}
    assert trim_to_content(text, only_ending, tokens) is None


def test_the_typed_button_titles_are_up_to_date_with_the_domain() -> None:
    """Every button title of the domain is a training example: a new button cannot be missed."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "button_examples.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "tokens", "span", "kept"),
    [
        # MeCab reads a word it does not know as noun + particle: the word stays whole.
        ("바리스따", [(0, 3, "NNP"), (3, 4, "JKB")], (0, 4), (0, 4)),
        # 사서 (librarian) read as 사 + 서 (verb + ending): no particle after a noun, kept.
        ("도서관 사서", [(0, 3, "NNG"), (4, 5, "VV"), (5, 6, "EC")], (0, 6), (0, 6)),
        ("회계 사무원요", [(0, 2, "NNG"), (3, 6, "NNG"), (6, 7, "VCP+EC")], (0, 7), (0, 6)),
        ("안마사나 콜센터", [(0, 3, "NNG"), (3, 4, "JC")], (0, 4), (0, 3)),
    ],
)
def test_only_known_particles_after_a_noun_are_trimmed(
    text: str, tokens: list[tuple[int, int, str]], span: tuple[int, int], kept: tuple[int, int]
) -> None:
    entity = {"entity": "job", "value": text[span[0]:span[1]], "start": span[0], "end": span[1]}
    trimmed = trim_to_content(text, entity, tokens)
    assert trimmed is not None
    assert (trimmed["start"], trimmed["end"], trimmed["value"]) == (*kept, text[kept[0]:kept[1]])
