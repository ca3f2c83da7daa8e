"""Regions, checked against the official list of administrative divisions (data/regions.json)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ieomoa.answers import InvalidAnswer
from ieomoa.answers.text import clean

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
class RegionDirectory:
    """The 17 시도 and their 시군구, with the everyday names people use."""

    sido_names: dict[str, str]  # any spelling → official 시도
    sigungu: dict[str, list[str]]  # official 시도 → its 시군구

    @classmethod
    def load(cls, path: Path = DATA) -> "RegionDirectory":
        """Read the shipped list."""
        data = json.loads(path.read_text("utf-8"))
        names: dict[str, str] = {}
        sigungu: dict[str, list[str]] = {}
        for entry in data["sido"]:
            names[entry["name"]] = entry["name"]
            for alias in entry["aliases"]:
                names[alias] = entry["name"]
            sigungu[entry["name"]] = entry["sigungu"]
        return cls(names, sigungu)

    def _sido_in(self, text: str) -> tuple[str, str] | None:
        """The first 시도 named in the text (longest spelling at a place) and that spelling."""
        found = []
        for spelling, official in self.sido_names.items():
            match = re.search(rf"(^|\s){re.escape(spelling)}", text)
            if match:
                found.append((match.start(), -len(spelling), official, spelling))
        if not found:
            return None
        _, _, official, spelling = min(found)
        return official, spelling

    def _divisions_in(self, text: str, sido: str | None) -> list[Division]:
        """시군구 named in the text, with or without 시/군/구, within ``sido`` if given."""
        found: list[Division] = []
        for candidate_sido, names in self.sigungu.items():
            if sido and candidate_sido != sido:
                continue
            for name in names:
                stem = _SUFFIX.sub("", name)
                spellings = [name] + ([stem] if len(stem) >= 2 else [])
                if any(re.search(rf"(^|\s){re.escape(s)}(?![가-힣]*(시|군|구)\b)", text) for s in spellings):
                    found.append(Division(candidate_sido, name))
        return found

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
        if sido:
            raise InvalidAnswer("region_need_sigungu", sido=sido)
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
