"""The closed vocabularies (ieomoa/data/vocabulary.json): one source for validators and NLU."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ieomoa.answers import InvalidAnswer, choices
from ieomoa.answers.regions import regions
from ieomoa.answers.vocabulary import phrasings, values, vocabularies

ROOT = Path(__file__).resolve().parents[2]
LEGAL_TYPES = [
    "지체", "뇌병변", "시각", "청각", "언어", "안면", "신장", "심장", "간",
    "호흡기", "장루요루", "뇌전증", "지적", "자폐성", "정신",
]


def nlu_vocabulary() -> ModuleType:
    """nlu/ieomoa_nlu/vocabulary.py (standard library only), as the spaCy builder uses it."""
    name = "ieomoa_nlu_vocabulary_under_test"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "nlu" / "ieomoa_nlu" / "vocabulary.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_the_file_loads_and_every_vocabulary_names_its_source() -> None:
    assert set(vocabularies()) == {"disability_type", "severity", "education", "employment_type", "support_need"}
    for vocabulary in vocabularies().values():
        assert vocabulary["source"].strip()
        assert vocabulary["entity"]
        ids = [v["id"] for v in vocabulary["values"]]
        assert len(ids) == len(set(ids))
    assert "장애인복지법" in vocabularies()["disability_type"]["source"]
    assert "2019-07-01" in vocabularies()["severity"]["source"]


def test_choices_constants_are_the_vocabulary() -> None:
    assert choices.DISABILITY_TYPES == values("disability_type") == LEGAL_TYPES
    assert choices.SEVERITY_VALUES == values("severity") == ["심한", "심하지않은"]
    assert choices.EDUCATION_VALUES == values("education") == ["초졸이하", "중졸", "고졸", "전문대졸", "대졸이상"]
    assert choices.EMPLOYMENT_TYPES == values("employment_type") == ["전일제", "시간제", "재택", "무관"]
    assert choices.SUPPORT_NEEDS == values("support_need") == [
        "근로지원인", "보조공학기기", "수어통역", "직업훈련", "직업능력평가", "지원고용", "통근지원",
    ]


def test_every_disability_type_has_at_least_three_everyday_phrasings() -> None:
    for legal, patterns in phrasings("disability_type").items():
        everyday = {p for p in patterns if p != legal}
        assert len(everyday) >= 3, legal


def test_old_grades_map_as_the_law_says() -> None:
    severity = phrasings("severity")
    assert {"1급", "2급", "3급", "중증"} <= set(severity["심한"])
    assert {"4급", "5급", "6급", "경증"} <= set(severity["심하지않은"])


PARSERS = {
    "disability_type": choices.parse_disability_types,
    "severity": lambda text: [choices.parse_severity(text)],
    "education": lambda text: [choices.parse_education(text)],
    "employment_type": lambda text: [choices.parse_employment_type(text)],
    "support_need": choices.parse_support_needs,
}


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_validators_understand_every_phrasing_the_nlu_is_built_from(name: str) -> None:
    """What the NLU extracts as a value, the form's validator accepts as that value."""
    misunderstood = []
    for value, patterns in phrasings(name).items():
        for pattern in [value, *patterns]:
            try:
                parsed = PARSERS[name](pattern)
            except InvalidAnswer as error:
                parsed = [error.reason]
            if value not in parsed:
                misunderstood.append((pattern, value, parsed))
    assert not misunderstood


def test_every_official_region_is_a_pattern_id() -> None:
    phrases = nlu_vocabulary().region_phrases(ROOT / "ieomoa" / "data" / "regions.json")
    ids = {p.id for p in phrases}
    directory = regions()
    official = {
        f"{sido} {sigungu}" if sigungu else sido
        for sido, names in directory.sigungu.items()
        for sigungu in (names or [""])
    }
    assert official <= ids
    assert all(directory.is_official(i) or i in directory.sigungu for i in ids)
    by_text = {}
    for p in phrases:
        by_text.setdefault(p.text, set()).add(p.id)
    assert {t for t, found in by_text.items() if len(found) > 1} == set()  # one meaning per phrase
    assert by_text["강원도 춘천"] == {"강원특별자치도 춘천시"}
    assert by_text["충북 청주"] == {"충청북도 청주시"}
    assert by_text["해운대구"] == {"부산광역시 해운대구"}
    for ambiguous in ("중구", "북구", "동구", "서구", "남구", "강서구", "고성군", "고성"):
        assert ambiguous not in by_text, ambiguous


def test_every_vocabulary_value_is_a_pattern_id() -> None:
    phrases = nlu_vocabulary().vocabulary_phrases(ROOT / "ieomoa" / "data" / "vocabulary.json")
    for name, vocabulary in vocabularies().items():
        ids = {p.id for p in phrases if p.entity == vocabulary["entity"]}
        assert ids == set(values(name))


def test_each_phrasing_means_one_value_across_the_closed_vocabularies() -> None:
    meanings: dict[str, set[tuple[str, str]]] = {}
    for name in vocabularies():
        for value, patterns in phrasings(name).items():
            for pattern in [value, *patterns]:
                meanings.setdefault("".join(pattern.split()), set()).add((name, value))
    assert {p: m for p, m in meanings.items() if len(m) > 1} == {}


@pytest.mark.parametrize(
    ("answer", "legal"),
    [
        ("걷는 게 힘들어요", "지체"), ("목발 짚고 다녀요", "지체"), ("전동휠체어 타요", "지체"),
        ("전맹이에요", "시각"), ("저시력입니다", "시각"), ("약시예요", "시각"),
        ("농아예요", "청각"), ("보청기 껴요", "청각"), ("인공와우 했어요", "청각"),
        ("말을 더듬어요", "언어"), ("신부전으로 투석해요", "신장"), ("심부전이 있어요", "심장"),
        ("간경변이에요", "간"), ("간이식 받았어요", "간"), ("경련을 해요", "뇌전증"), ("발작이 있어요", "뇌전증"),
        ("아스퍼거예요", "자폐성"), ("조현병이요", "정신"), ("우울증 있어요", "정신"), ("양극성 정동장애", "정신"),
        ("장루 주머니 차요", "장루요루"), ("파킨슨병이 있어요", "뇌병변"), ("다운증후군이에요", "지적"),
    ],
)
def test_everyday_phrasings_name_their_legal_type(answer: str, legal: str) -> None:
    assert choices.parse_disability_types(answer) == [legal]


def test_a_longer_phrasing_is_not_read_as_the_shorter_one_inside_it() -> None:
    assert choices.parse_disability_types("간질환이 있어요") == ["간"]  # not 간질 (뇌전증)


@pytest.mark.parametrize(
    ("answer", "level"),
    [("대학교 중퇴예요", "고졸"), ("고등학교 중퇴했어요", "중졸"), ("학교를 안 다녔어요", "초졸이하"),
     ("대학 휴학 중이에요", "고졸"), ("대학 나왔어요", "대졸이상"), ("전문대학교 졸업", "전문대졸"),
     # In a grade of a school: that school is not finished.
     ("고등학교 3학년이에요", "중졸"), ("고3이에요", "중졸"), ("중2예요", "초졸이하"), ("대학생이에요", "고졸"),
     ("전공과 다니고 있어요", "고졸")],
)
def test_education_in_sentences(answer: str, level: str) -> None:
    assert choices.parse_education(answer) == level


@pytest.mark.parametrize(
    ("answer", "needs"),
    [("옆에서 도와주는 사람이 필요해요", ["근로지원인"]), ("잡코치가 있으면 좋겠어요", ["지원고용"]),
     ("스크린 리더 필요해요", ["보조공학기기"]), ("직업 교육 받고 싶어요", ["직업훈련"])],
)
def test_support_needs_described_by_what_they_do(answer: str, needs: list[str]) -> None:
    assert choices.parse_support_needs(answer) == needs


@pytest.mark.parametrize(
    ("answer", "severity"),
    [("2등급이에요", "심한"), ("예전에 5등급 받았어요", "심하지않은"), ("장애가 안 심해요", "심하지않은"),
     ("그렇게 안 심한 편이에요", "심하지않은"), ("장애가 심해요", "심한"), ("중증 장애예요", "심한"),
     ("삼급이에요", "심한"), ("예전엔 오급이었어요", "심하지않은"), ("그렇게 심하진 않아요", "심하지않은")],
)
def test_severity_in_everyday_words_and_old_grades(answer: str, severity: str) -> None:
    assert choices.parse_severity(answer) == severity
