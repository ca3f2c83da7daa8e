"""Understanding answers to the form's questions."""

from __future__ import annotations

from datetime import date

import pytest

from ieomoa.answers import InvalidAnswer
from ieomoa.answers.choices import (
    parse_contact_preference,
    parse_disability_types,
    parse_education,
    parse_employment_type,
    parse_jobs,
    parse_name,
    parse_severity,
    parse_support_needs,
    parse_yes_no,
)
from ieomoa.answers.dates import parse_birth_date, spoken_date
from ieomoa.answers.phone import display_phone, parse_mobile_phone
from ieomoa.answers.regions import regions

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    "text", ["1990년 3월 5일", "900305", "1990-03-05", "1990.3.5", "90년 3월 5일이에요", "19900305"]
)
def test_birth_date_in_common_korean_formats(text: str) -> None:
    assert parse_birth_date(text, TODAY) == date(1990, 3, 5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2015년 1월 1일", "birth_date_too_young"),
        ("2027-01-01", "birth_date_future"),
        ("1990년 2월 30일", "birth_date_invalid"),
        ("어제", "birth_date_format"),
        ("1900-01-01", "birth_date_invalid"),
    ],
)
def test_wrong_birth_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnswer) as error:
        parse_birth_date(text, TODAY)
    assert error.value.reason == reason


def test_fifteenth_birthday_is_old_enough() -> None:
    assert parse_birth_date("2011-11-25", TODAY) == date(2011, 11, 25)
    with pytest.raises(InvalidAnswer):
        parse_birth_date("2011-11-26", TODAY)


def test_spoken_date() -> None:
    assert spoken_date(date(2026, 11, 25)) == "2026년 11월 25일"


@pytest.mark.parametrize(
    "text",
    ["010-1234-5678", "01012345678", "010 1234 5678", "+82 10-1234-5678", "010.1234.5678",
     "0 1 0 1 2 3 4 5 6 7 8", "공일공 일이삼사 오육칠팔이에요", "영일영-일이삼사-오육칠팔"],
)
def test_mobile_phone_is_digits(text: str) -> None:
    assert parse_mobile_phone(text) == "01012345678"
    assert display_phone("01012345678") == "010-1234-5678"


@pytest.mark.parametrize("text", ["02-123-4567", "1234", "010-12-34", "전화 없어요", "일이삼사", "공일공이요"])
def test_non_mobile_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer):
        parse_mobile_phone(text)


@pytest.mark.parametrize(
    ("text", "official"),
    [
        ("수원에 살아요", "경기도 수원시"),
        ("경기도 수원시", "경기도 수원시"),
        ("서울 강남구요", "서울특별시 강남구"),
        ("강남구", "서울특별시 강남구"),
        ("부산 중구", "부산광역시 중구"),
        ("세종시", "세종특별자치시"),
        ("광주 광산구", "광주광역시 광산구"),
        ("경기 광주시", "경기도 광주시"),
        ("강원도 고성", "강원특별자치도 고성군"),
        ("서귀포", "제주특별자치도 서귀포시"),
        ("대구 군위군", "대구광역시 군위군"),
        ("해운대", "부산광역시 해운대구"),
    ],
)
def test_regions_are_normalized_to_official_names(text: str, official: str) -> None:
    assert regions().normalize(text) == official
    assert regions().is_official(official)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("중구", "region_ambiguous"), ("고성군", "region_ambiguous"), ("서울", "region_need_sigungu"),
     ("뉴욕", "region_unknown"), ("광주", "region_need_sigungu")],
)
def test_unclear_regions_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnswer) as error:
        regions().normalize(text)
    assert error.value.reason == reason


def test_region_list_is_complete() -> None:
    directory = regions()
    assert len(directory.sigungu) == 17
    assert sum(len(v) for v in directory.sigungu.values()) == 229  # 227 (2026-07-01) + 제주 2 행정시


@pytest.mark.parametrize(
    ("text", "types"),
    [
        ("눈이 잘 안 보여요", ["시각"]),
        ("귀가 안 들려요", ["청각"]),
        ("휠체어를 타요", ["지체"]),
        ("시각, 청각", ["시각", "청각"]),
        ("3 4", ["시각", "청각"]),
        ("자폐", ["자폐성"]),
        ("정신장애요", ["정신"]),
        ("신장 투석 받아요", ["신장"]),
        ("간 이식 받았어요", ["간"]),
        ("뇌전증", ["뇌전증"]),
        ("장루·요루", ["장루요루"]),
        ("지적장애 2급", ["지적"]),
    ],
)
def test_disability_types_from_everyday_words(text: str, types: list[str]) -> None:
    assert parse_disability_types(text) == types


def test_unknown_disability_and_out_of_range_number() -> None:
    with pytest.raises(InvalidAnswer):
        parse_disability_types("잘 모르겠어요")
    with pytest.raises(InvalidAnswer) as error:
        parse_disability_types("20")
    assert error.value.reason == "choice_number"


@pytest.mark.parametrize(
    ("text", "value"),
    [("1급", "심한"), ("3급", "심한"), ("중증", "심한"), ("심한 장애", "심한"),
     ("4급", "심하지않은"), ("경증", "심하지않은"), ("심하지 않은 장애", "심하지않은"), ("2", "심하지않은")],
)
def test_severity_including_old_grades(text: str, value: str) -> None:
    assert parse_severity(text) == value


def test_other_choices() -> None:
    assert parse_education("고등학교 졸업했어요") == "고졸"
    assert parse_education("5") == "대졸이상"
    assert parse_employment_type("집에서 일하고 싶어요") == "재택"
    assert parse_employment_type("상관없어요") == "무관"
    assert parse_support_needs("1, 3") == ["근로지원인", "수어통역"]
    assert parse_support_needs("없어요") == []
    assert parse_support_needs("수어 통역이랑 출퇴근 지원") == ["수어통역", "통근지원"]
    assert parse_contact_preference("주민센터에 가서 상담할래요") == "행정복지센터 방문"
    assert parse_contact_preference("2") == "전화"
    assert parse_yes_no("네 맞아요") is True and parse_yes_no("아니요") is False
    assert parse_name("제 이름은 김철수예요") == "김철수"
    assert parse_jobs("제과제빵이나 바리스타") == ["제과제빵", "바리스타"]


@pytest.mark.parametrize("text", ["ㅋㅋ", "a", "😀", "1234", "안녕하세요", "네", "모르겠어요"])
def test_names_need_letters(text: str) -> None:
    with pytest.raises(InvalidAnswer):
        parse_name(text)
