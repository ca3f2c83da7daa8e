"""Regions, checked against the official list of administrative divisions (data/regions.json).

The list is the one in force on the file's ``as_of`` date. Names that were abolished (인천광역시
중구·동구 since 2026-07-01) are neither accepted nor refused: the answer asks which of the new
districts the person lives in (``region_abolished``), because people keep the old names for years.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from ieomoa.answers import InvalidAnswer
from ieomoa.answers.text import clean
from ieomoa.korean import particle, to_direction

DATA = Path(__file__).resolve().parent.parent / "data" / "regions.json"
_SUFFIX = re.compile(r"(시|군|구)$")


@dataclass(frozen=True)
class Division:
    """One 시군구 inside its 시도."""

    sido: str
    sigungu: str

    @property
    def name(self) -> str:
        """Official "시도 시군구" name."""
        return f"{self.sido} {self.sigungu}"


@dataclass(frozen=True)
class Abolished(Division):
    """A 시군구 that no longer exists, and the current 시군구 of the same 시도 that took its area."""

    replaced_by: tuple[str, ...]
    since: date


@dataclass(frozen=True)
class Moved:
    """A 시군구 that moved, whole and under the same name, to another 시도 (군위군 → 대구)."""

    name: str
    old_sido: str
    new_sido: str
    since: date


def _spellings(name: str) -> list[str]:
    """"강남구" and "강남"; a one-syllable stem ("중" of 중구) is too vague to count."""
    stem = _SUFFIX.sub("", name)
    return [name] + ([stem] if len(stem) >= 2 else [])


def _mentions(text: str, spellings: list[str]) -> bool:
    """True when a spelling starts a word that is not itself a longer 시/군/구 name."""
    return any(re.search(rf"(^|\s){re.escape(s)}(?![가-힣]*(시|군|구)\b)", text) for s in spellings)


def _and(words: list[str]) -> str:
    """"A", "A와 B", "A, B와 C" (와/과 after the last but one)."""
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-2] + [f"{particle(words[-2], '과', '와')} {words[-1]}"])


def _korean_date(day: date) -> str:
    return f"{day.year}년 {day.month}월 {day.day}일"


@dataclass(frozen=True)
class RegionDirectory:
    """The 17 시도 and their 시군구, with the everyday names people use."""

    sido_names: dict[str, str]  # any spelling → official 시도
    sigungu: dict[str, list[str]]  # official 시도 → its 시군구
    places: dict[str, dict[str, str]] = field(default_factory=dict)  # 시도 → {"영종도": "영종구"}
    abolished: tuple[Abolished, ...] = ()
    moved: tuple[Moved, ...] = ()

    @classmethod
    def load(cls, path: Path = DATA) -> RegionDirectory:
        """Read the shipped list."""
        data = json.loads(path.read_text("utf-8"))
        names: dict[str, str] = {}
        sigungu: dict[str, list[str]] = {}
        places: dict[str, dict[str, str]] = {}
        for entry in data["sido"]:
            names[entry["name"]] = entry["name"]
            for alias in entry["aliases"]:
                names[alias] = entry["name"]
            sigungu[entry["name"]] = entry["sigungu"]
            if entry.get("places"):
                places[entry["name"]] = dict(entry["places"])
        abolished = tuple(
            Abolished(
                item["sido"],
                item["name"],
                tuple(item["replaced_by"]),
                date.fromisoformat(item["since"]),
            )
            for item in data.get("abolished", [])
        )
        moved = tuple(
            Moved(item["name"], item["from"], item["to"], date.fromisoformat(item["since"]))
            for item in data.get("moved", [])
        )
        return cls(names, sigungu, places, abolished, moved)

    # --- read-only views (e.g. for entity patterns) ------------------------------------------

    def official_names(self) -> list[str]:
        """Every official 시도 and every official "시도 시군구", in the order of the list."""
        names: list[str] = []
        for sido, sigungu in self.sigungu.items():
            names.append(sido)
            names.extend(f"{sido} {name}" for name in sigungu)
        return names

    def sigungu_names(self) -> list[str]:
        """Every current 시군구 name once ("중구" stands for all the 중구), in the order of the list."""
        return list(dict.fromkeys(name for names in self.sigungu.values() for name in names))

    def sido_aliases(self) -> dict[str, str]:
        """Everyday short forms of the 시도 ("서울", "강원도", "제주") → official 시도."""
        return {
            spelling: official
            for spelling, official in self.sido_names.items()
            if spelling != official
        }

    def place_names(self) -> dict[str, str]:
        """Everyday names of places inside a 시군구 ("영종도") → official "시도 시군구"."""
        return {
            place: f"{sido} {name}"
            for sido, found in self.places.items()
            for place, name in found.items()
        }

    def abolished_names(self) -> dict[str, list[str]]:
        """Old "시도 시군구" names no longer in force → the official names that replaced them."""
        return {
            old.name: [f"{old.sido} {name}" for name in old.replaced_by]
            for old in self.abolished
        }

    # --- understanding an answer ---------------------------------------------------------------

    def _sido_in(self, text: str) -> tuple[str, str] | None:
        """The first 시도 named in the text (longest spelling at a place) and that spelling.

        A spelling that only starts one of that 시도's own 시군구 ("제주" in "제주시") is not the 시도.
        """
        found = []
        for spelling, official in self.sido_names.items():
            for match in re.finditer(rf"(^|\s){re.escape(spelling)}", text):
                start = match.end() - len(spelling)
                if any(
                    len(name) > len(spelling) and text.startswith(name, start)
                    for name in self.sigungu[official]
                ):
                    continue
                found.append((match.start(), -len(spelling), official, spelling))
                break
        if not found:
            return None
        _, _, official, spelling = min(found)
        return official, spelling

    def _divisions_in(self, text: str, sido: str | None) -> list[Division]:
        """시군구 named in the text (with or without 시/군/구, or by a place in it), within ``sido``."""
        found: list[Division] = []
        for candidate_sido, names in self.sigungu.items():
            if sido and candidate_sido != sido:
                continue
            places = self.places.get(candidate_sido, {})
            for name in names:
                spellings = _spellings(name) + [p for p, where in places.items() if where == name]
                if _mentions(text, spellings):
                    found.append(Division(candidate_sido, name))
        return found

    def _abolished_in(self, text: str, sido: str | None) -> list[Abolished]:
        """Abolished 시군구 named in the text, within ``sido`` if given."""
        return [
            old for old in self.abolished
            if (not sido or old.sido == sido) and _mentions(text, _spellings(old.sigungu))
        ]

    def _moved_in(self, text: str, sido: str) -> Moved | None:
        """A 시군구 named under the 시도 it used to belong to ("경북 군위군")."""
        return next(
            (m for m in self.moved if m.old_sido == sido and _mentions(text, _spellings(m.name))),
            None,
        )

    def _short_sido(self, sido: str) -> str:
        """The shortest everyday spelling of a 시도 ("인천")."""
        return min((s for s, official in self.sido_names.items() if official == sido), key=len)

    def _ask_about_abolished(self, olds: list[Abolished]) -> InvalidAnswer:
        """``region_abolished`` with old and new names, and ready-made phrases for the reply."""
        candidates = list(
            dict.fromkeys(Division(old.sido, n) for old in olds for n in old.replaced_by)
        )
        old_names = [old.name for old in olds]
        new_names = [d.name for d in candidates]
        return InvalidAnswer(
            "region_abolished",
            old=", ".join(old_names),
            candidates=", ".join(new_names),
            old_topic=particle(_and(old_names), "은", "는"),  # "인천광역시 중구는"
            candidates_to=to_direction(_and(new_names)),  # "인천광역시 제물포구와 인천광역시 영종구로"
            since=_korean_date(min(old.since for old in olds)),  # "2026년 7월 1일"
            example=f"{self._short_sido(candidates[0].sido)} {candidates[0].sigungu}",  # "인천 제물포구"
        )

    def normalize(self, text: str) -> str:
        """Official "시도 시군구" (or "세종특별자치시") for an answer like "수원에 살아요"."""
        value = clean(text)
        sido_match = self._sido_in(value)
        sido = sido_match[0] if sido_match else None
        rest = value.replace(sido_match[1], " ", 1) if sido_match else value
        if sido and not self.sigungu[sido]:
            return sido  # 세종특별자치시 has no 시군구
        divisions = self._divisions_in(rest, sido)
        if len(divisions) == 1:
            return divisions[0].name
        if len(divisions) > 1:
            raise InvalidAnswer(
                "region_ambiguous", candidates=", ".join(d.name for d in divisions[:5])
            )
        # No current 시군구 named: perhaps one that moved or was abolished.
        moved = self._moved_in(rest, sido) if sido else None
        if moved:
            return f"{moved.new_sido} {moved.name}"
        olds = self._abolished_in(rest, sido)
        if olds:
            raise self._ask_about_abolished(olds)
        if sido:
            raise InvalidAnswer(
                "region_need_sigungu", sido=sido, example=f"{sido} {self.sigungu[sido][0]}"
            )
        raise InvalidAnswer("region_unknown")

    def is_official(self, name: str) -> bool:
        """True for an official "시도" without 시군구 or "시도 시군구" name."""
        sido, _, sigungu = name.partition(" ")
        if sido not in self.sigungu:
            return False
        return sigungu in self.sigungu[sido] if sigungu else not self.sigungu[sido]


@lru_cache(maxsize=1)
def regions() -> RegionDirectory:
    """The directory, loaded once per process."""
    return RegionDirectory.load()
