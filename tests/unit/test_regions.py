"""The region list is the one in force on 2026-07-01; abolished districts are asked about kindly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from ieomoa.answers import InvalidAnswer
from ieomoa.answers.regions import DATA, regions

ROOT = Path(__file__).parents[2]
DOMAIN = ROOT / "nlu" / "domain" / "application_form.yml"


def data() -> dict:
    return json.loads(DATA.read_text("utf-8"))


def problem(text: str) -> InvalidAnswer:
    with pytest.raises(InvalidAnswer) as error:
        regions().normalize(text)
    return error.value


@pytest.mark.parametrize(
    ("text", "official"),
    [
        ("인천 영종구", "인천광역시 영종구"),
        ("인천광역시 영종구요", "인천광역시 영종구"),
        ("영종도", "인천광역시 영종구"),
        ("영종도에 살아요", "인천광역시 영종구"),
        ("영종", "인천광역시 영종구"),
        ("용유도", "인천광역시 영종구"),
        ("인천 중구 영종도 살아요", "인천광역시 영종구"),  # the old name plus the place is clear enough
        ("검단", "인천광역시 검단구"),
        ("인천 검단구", "인천광역시 검단구"),
        ("제물포구", "인천광역시 제물포구"),
        ("인천 제물포구", "인천광역시 제물포구"),
        ("인천 서구", "인천광역시 서구"),
        ("인천 부평구", "인천광역시 부평구"),
        ("서울 중구", "서울특별시 중구"),
        ("부산 동구", "부산광역시 동구"),
        ("경북 군위군", "대구광역시 군위군"),  # moved to 대구 on 2023-07-01
        ("제주 서귀포", "제주특별자치도 서귀포시"),
        ("제주시", "제주특별자치도 제주시"),
    ],
)
def test_new_and_current_districts_get_official_names(text: str, official: str) -> None:
    assert regions().normalize(text) == official
    assert regions().is_official(official)


@pytest.mark.parametrize(
    ("text", "old", "candidates"),
    [
        ("인천 중구", "인천광역시 중구", "인천광역시 제물포구, 인천광역시 영종구"),
        ("인천광역시 중구에 살아요", "인천광역시 중구", "인천광역시 제물포구, 인천광역시 영종구"),
        ("인천 중구청 근처", "인천광역시 중구", "인천광역시 제물포구, 인천광역시 영종구"),
        ("인천 동구", "인천광역시 동구", "인천광역시 제물포구"),  # one successor: still asked, not assumed
        ("인천광역시 동구", "인천광역시 동구", "인천광역시 제물포구"),
    ],
)
def test_abolished_districts_are_asked_about(text: str, old: str, candidates: str) -> None:
    error = problem(text)
    assert error.reason == "region_abolished"
    assert error.details["old"] == old
    assert error.details["candidates"] == candidates
    assert error.details["since"] == "2026년 7월 1일"


def test_abolished_reply_phrases_have_the_right_particles() -> None:
    junggu = problem("인천 중구").details
    assert junggu["old_topic"] == "인천광역시 중구는"
    assert junggu["candidates_to"] == "인천광역시 제물포구와 인천광역시 영종구로"
    assert regions().normalize(junggu["example"]) in junggu["candidates"].split(", ")
    donggu = problem("인천 동구").details
    assert donggu["candidates_to"] == "인천광역시 제물포구로"
    assert regions().normalize(donggu["example"]) == "인천광역시 제물포구"


def test_abolished_names_are_not_official_any_more() -> None:
    assert not regions().is_official("인천광역시 중구")
    assert not regions().is_official("인천광역시 동구")
    assert "인천광역시 중구" not in regions().official_names()


@pytest.mark.parametrize("name", ["중구", "동구"])
def test_a_bare_shared_name_is_ambiguous_without_incheon(name: str) -> None:
    error = problem(name)
    assert error.reason == "region_ambiguous"
    candidates = error.details["candidates"].split(", ")
    assert len(candidates) == 5
    assert not any(c.startswith("인천") for c in candidates)


def test_ambiguous_junggu_lists_the_cities_that_still_have_one() -> None:
    assert problem("중구").details["candidates"] == (
        "서울특별시 중구, 부산광역시 중구, 대구광역시 중구, 대전광역시 중구, 울산광역시 중구"
    )


def test_need_sigungu_gives_a_real_example_of_that_sido() -> None:
    for sido in ("인천", "경기", "서울", "제주"):
        error = problem(sido)
        assert error.reason == "region_need_sigungu"
        assert regions().is_official(error.details["example"])
        assert error.details["example"].startswith(error.details["sido"] + " ")


def test_the_file_records_its_date_and_source() -> None:
    file = data()
    assert file["as_of"] == "2026-07-01"
    assert "행정안전부" in file["source"]
    assert file["law"]["name"] == "인천광역시 제물포구·영종구 및 검단구 설치 등에 관한 법률"
    assert (file["law"]["passed"], file["law"]["effective"]) == ("2024-01-09", "2026-07-01")
    dates = [c["date"] for c in file["earlier_changes"]]
    assert dates == ["2023-06-11", "2023-07-01", "2024-01-18"]


def test_counts_in_the_file_match_the_list() -> None:
    file = data()
    listed = sum(len(s["sigungu"]) for s in file["sido"])
    assert len(file["sido"]) == file["counts"]["sido"] == 17
    assert listed == file["counts"]["listed"] == 229
    assert file["counts"]["sigungu"] == 227 == listed - file["counts"]["jeju_administrative_cities"]
    assert "시도 17" in file["source"] and "시군구 227" in file["source"]


def test_incheon_has_two_gun_and_nine_gu() -> None:
    incheon = regions().sigungu["인천광역시"]
    assert sorted(incheon) == sorted(
        ["제물포구", "영종구", "미추홀구", "연수구", "남동구", "부평구", "계양구", "서구", "검단구", "강화군", "옹진군"]
    )
    assert sum(n.endswith("군") for n in incheon) == 2
    assert sum(n.endswith("구") for n in incheon) == 9


def test_every_sigungu_is_unique_within_its_sido() -> None:
    for entry in data()["sido"]:
        assert len(entry["sigungu"]) == len(set(entry["sigungu"])), entry["name"]
        assert all(re.fullmatch(r"[가-힣]+(시|군|구)", n) for n in entry["sigungu"]), entry["name"]


def test_every_alias_names_one_sido() -> None:
    spellings = [s for e in data()["sido"] for s in [e["name"], *e["aliases"]]]
    assert len(spellings) == len(set(spellings))


def test_no_abolished_name_is_still_listed_and_successors_exist() -> None:
    file = data()
    sigungu = {e["name"]: e["sigungu"] for e in file["sido"]}
    assert {(a["sido"], a["name"]) for a in file["abolished"]} == {("인천광역시", "중구"), ("인천광역시", "동구")}
    for old in file["abolished"]:
        assert old["name"] not in sigungu[old["sido"]]
        assert old["replaced_by"] and all(n in sigungu[old["sido"]] for n in old["replaced_by"])
        assert old["since"] == "2026-07-01"
    for moved in file["moved"]:
        assert moved["name"] not in sigungu[moved["from"]] and moved["name"] in sigungu[moved["to"]]
    for sido, places in ((e["name"], e.get("places", {})) for e in file["sido"]):
        assert all(name in sigungu[sido] for name in places.values())


def test_read_only_views_for_entity_patterns() -> None:
    directory = regions()
    names = directory.official_names()
    assert "서울특별시" in names and "인천광역시 영종구" in names and "세종특별자치시" in names
    assert len(names) == 17 + 229
    aliases = directory.sido_aliases()
    assert aliases["인천"] == "인천광역시" and aliases["강원도"] == "강원특별자치도" and aliases["제주"] == "제주특별자치도"
    assert "인천광역시" not in aliases
    aliases["인천"] = "엉뚱한 곳"  # a copy: the directory does not change
    assert directory.sido_aliases()["인천"] == "인천광역시"
    names.append("엉뚱한 곳")
    assert "엉뚱한 곳" not in directory.official_names()
    assert directory.place_names()["영종도"] == "인천광역시 영종구"
    assert directory.abolished_names()["인천광역시 동구"] == ["인천광역시 제물포구"]


def test_the_reply_uses_only_values_the_answer_gives() -> None:
    responses = yaml.safe_load(DOMAIN.read_text("utf-8"))["responses"]
    for reason, text in (("region_abolished", "인천 중구"), ("region_need_sigungu", "인천")):
        details = problem(text).details
        variations = responses[f"utter_invalid_{reason}"]
        assert variations[0]["condition"] and "condition" not in variations[-1]
        for variation in variations:
            used = set(re.findall(r"{(\w+)}", variation["text"]))
            assert used <= set(details), (reason, used - set(details))
            rendered = variation["text"].format(**details)
            assert "인천광역시 중구" not in rendered or reason == "region_abolished"


def test_no_reply_or_example_names_an_abolished_incheon_district() -> None:
    pattern = re.compile(r"인천(광역시)?\s*(중구|동구)")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("nlu/domain", "nlu/data")
        for path in sorted((ROOT / folder).rglob("*.yml"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders
    for sido in regions().sigungu:
        try:
            regions().normalize(sido)
        except InvalidAnswer as error:
            assert not pattern.search(str(error.details.get("example", "")))
