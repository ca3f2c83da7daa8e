"""Phrases of the closed vocabularies and the official regions, for the spaCy entity ruler.

Standard library only: the builder (Rasa venv, Python 3.10) and the unit tests (app venv)
both import it. Inputs are the project's single sources:

* ``ieomoa/data/vocabulary.json``: disability types, severity, education, employment type,
  support needs; each value's ``id`` is the normalized value and ``patterns`` its phrasings.
* ``ieomoa/data/regions.json``: the official 시도 and 시군구 (read at build time).

Region phrases, each with the official name as id:

* every "시도 시군구" and the 시도 alone (official name and aliases: "서울", "강원도" …);
* every 시도 spelling with every 시군구, with and without its 시/군/구 ("충북 청주" →
  "충청북도 청주시");
* an everyday place name the file lists inside a 시군구 ("영종도" → "인천광역시 영종구"),
  alone and after every 시도 spelling;
* a 시군구 alone when its name is unique in the country ("해운대구", "수원시") and does not
  start with another 시도's name (경기도 "광주시" alone is left out: "광주" is 광주광역시); its stem
  alone ("수원") only when that stem is unique too and is not a 시도's short name ("광주",
  "제주"), and then only where MeCab reads it as a proper noun (``needs_proper_noun``), so
  "음성으로 말할게요" is not 충청북도 음성군. Ambiguous names (중구, 고성군 …) only with
  their 시도.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "ieomoa" / "data"
VOCABULARY_FILE = DATA_DIR / "vocabulary.json"
REGIONS_FILE = DATA_DIR / "regions.json"

REGION_ENTITY = "region"
_SIGUNGU_SUFFIX = re.compile(r"(시|군|구)$")
_SIDO_SUFFIX = re.compile(r"(특별자치시|특별자치도|특별시|광역시|도|시)$")


@dataclass(frozen=True)
class Phrase:
    """One pattern: the text people write, the entity it is and the normalized value."""

    entity: str
    text: str
    id: str
    kind: str = "vocabulary"  # vocabulary | sido | sido_sigungu | sigungu | sigungu_stem

    @property
    def needs_proper_noun(self) -> bool:
        """Only where MeCab tags the word NNP (a 시군구 stem that is also a common word)."""
        return self.kind == "sigungu_stem"


def load_json(path: Path) -> dict:
    return json.loads(Path(path).read_text("utf-8"))


def vocabularies(path: Path = VOCABULARY_FILE) -> dict[str, dict]:
    """The vocabularies by name (disability_type, severity …)."""
    return load_json(path)["vocabularies"]


def vocabulary_phrases(path: Path = VOCABULARY_FILE) -> list[Phrase]:
    phrases: list[Phrase] = []
    for vocabulary in vocabularies(path).values():
        for value in vocabulary["values"]:
            texts = [value["id"], *value["patterns"]]
            for text in dict.fromkeys(t.strip() for t in texts if t.strip()):
                phrases.append(Phrase(vocabulary["entity"], text, value["id"]))
    return phrases


def sigungu_stem(name: str) -> str | None:
    """"청주시" → "청주"; None when nothing of two letters or more would be left."""
    stem = _SIGUNGU_SUFFIX.sub("", name)
    return stem if stem != name and len(stem) >= 2 else None


def sido_short_names(regions: dict) -> set:
    """Every 시도 spelling and its stem ("광주광역시", "광주"; "제주도", "제주")."""
    names = set()
    for sido in regions["sido"]:
        for spelling in [sido["name"], *sido["aliases"]]:
            names.add(spelling)
            stem = _SIDO_SUFFIX.sub("", spelling)
            if len(stem) >= 2:
                names.add(stem)
    return names


def region_phrases(path: Path = REGIONS_FILE) -> list[Phrase]:
    regions = load_json(path)
    taken = sido_short_names(regions)
    full_count: Counter = Counter()
    stem_count: Counter = Counter()
    for sido in regions["sido"]:
        for name in sido["sigungu"]:
            full_count[name] += 1
            stem = sigungu_stem(name)
            if stem:
                stem_count[stem] += 1
    sido_spellings = [
        (spelling, sido["name"]) for sido in regions["sido"] for spelling in [sido["name"], *sido["aliases"]]
    ]
    phrases: list[Phrase] = []
    for sido in regions["sido"]:
        spellings = list(dict.fromkeys([sido["name"], *sido["aliases"]]))
        for spelling in spellings:
            phrases.append(Phrase(REGION_ENTITY, spelling, sido["name"], "sido"))
        for name in sido["sigungu"]:
            official = f"{sido['name']} {name}"
            stem = sigungu_stem(name)
            forms = [name] + ([stem] if stem else [])
            for spelling in spellings:
                for form in forms:
                    phrases.append(Phrase(REGION_ENTITY, f"{spelling} {form}", official, "sido_sigungu"))
            # "광주시" alone: 경기도's, but "광주" is how people name 광주광역시.
            prefixed = any(
                name.startswith(other) and other_sido != sido["name"]
                for other, other_sido in sido_spellings
            )
            if full_count[name] == 1 and not prefixed:
                phrases.append(Phrase(REGION_ENTITY, name, official, "sigungu"))
            if (
                stem
                and stem_count[stem] == 1
                and full_count[stem] == 0
                and stem not in taken
            ):
                phrases.append(Phrase(REGION_ENTITY, stem, official, "sigungu_stem"))
        # Everyday names of places inside a 시군구 ("영종도" → 인천광역시 영종구).
        for place, name in sido.get("places", {}).items():
            official = f"{sido['name']} {name}"
            phrases.append(Phrase(REGION_ENTITY, place, official, "sigungu"))
            for spelling in spellings:
                phrases.append(Phrase(REGION_ENTITY, f"{spelling} {place}", official, "sido_sigungu"))
    return phrases


def region_names(path: Path = REGIONS_FILE) -> list[str]:
    """Every single-word region spelling: the tokenizer keeps each one token."""
    regions = load_json(path)
    names = set()
    for sido in regions["sido"]:
        names.update([sido["name"], *sido["aliases"]])
        for name in sido["sigungu"]:
            names.add(name)
            stem = sigungu_stem(name)
            if stem:
                names.add(stem)
        names.update(sido.get("places", {}))
    return sorted(names)


def all_phrases(
    vocabulary_path: Path = VOCABULARY_FILE, regions_path: Path = REGIONS_FILE
) -> list[Phrase]:
    return vocabulary_phrases(vocabulary_path) + region_phrases(regions_path)

