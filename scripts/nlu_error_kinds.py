"""Kinds of NLU errors, as counts only: no held-out text leaves this module.

Used by scripts/nlu_eval.py (``--error-kinds``). Every miss is described by entity type,
extractor and MeCab part-of-speech tags, never by its words, so the held-out sets can be
diagnosed without being read:

* ``boundary``: a prediction of the same type overlaps the gold span; for each side that
  differs, the tags of the extra (+) or missing (-) characters, and ``~`` when the boundary
  falls inside a MeCab morpheme (a tokenizer problem rather than a convention one); at the
  end, also the tag of the morpheme after the gold span (what the annotation left out) and
  whether it starts with 아/어;
* ``type``: the same span with another type; ``overlap``: another type overlapping;
* ``matched``: for a span matched exactly that ends with a verb, its tag and what follows
  (which convention the annotation and the prediction share);
* ``missed``: nothing overlaps (with the tags of the gold span and whether it is
  morpheme-aligned); ``spurious``: a prediction overlapping no gold entity.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

# Values of these entities are labels of a closed set, not people's words: safe to count.
# A value outside the set (DIET returns the words it saw when no synonym maps them) is
# counted as "<words>", never written.
CLOSED_SETS = {
    "disability_type": {"지체", "뇌병변", "시각", "청각", "언어", "안면", "신장", "심장", "간",
                        "호흡기", "장루요루", "뇌전증", "지적", "자폐성", "정신"},
    "severity": {"심한", "심하지않은"},
    "education": {"초졸이하", "중졸", "고졸", "전문대졸", "대졸이상"},
    "employment_type": {"전일제", "시간제", "재택", "무관"},
    "support_need": {"근로지원인", "보조공학기기", "수어통역", "직업훈련", "직업능력평가", "지원고용", "통근지원"},
}


def _label(entity: str, value: Any) -> str:
    """The entity type, with its value only when that is a label of a closed set."""
    if entity not in CLOSED_SETS:
        return entity
    return f"{entity}={value if value in CLOSED_SETS[entity] else '<words>'}"

_mecab = None
# Whether the ending after a span starts with 아/어 ("어요") or not ("습니다", "고"): which
# of two span conventions an annotation follows, without saying what the ending is.
VOWEL_ENDINGS = ("아", "어", "여")
PREDICATES = ("VV", "VA", "VX", "XSV", "XSA", "EP")


def morphemes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, tag) of MeCab-ko's morphemes."""
    global _mecab
    if _mecab is None:
        from mecab import MeCab

        _mecab = MeCab()
    found, position = [], 0
    for m in _mecab.parse(text):
        start = text.find(m.surface, position)
        if start < 0:
            continue
        position = start + len(m.surface)
        found.append((start, position, m.pos))
    return found


def tags_between(morphs: list[tuple[int, int, str]], start: int, end: int) -> str:
    """Tags of the morphemes covering [start, end), '~' where a boundary cuts one."""
    tags = [tag for s, e, tag in morphs if s < end and start < e]
    cut = any(s < start < e for s, e, _ in morphs) or any(s < end < e for s, e, _ in morphs)
    return " ".join(tags) + (" ~" if cut else "")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def error_kinds(
    text: str, gold: dict[tuple[int, int, str], Any], predicted: list[dict[str, Any]]
) -> Counter:
    """Counts of the kinds of entity errors in one message."""
    kinds: Counter = Counter()
    morphs = morphemes(text)
    keys = {(e["start"], e["end"], e["entity"]) for e in predicted}
    for (start, end, entity), value in gold.items():
        if (start, end, entity) in keys:
            last = [tag for s, e, tag in morphs if s < end <= e][:1]
            if last and last[0].split("+")[0].startswith(PREDICATES):
                after = [f"{tag}{'(아/어)' if text[s:e].startswith(VOWEL_ENDINGS) else ''}"
                         for s, e, tag in morphs if s >= end][:1]
                kinds[f"{entity}: matched, ends with [{last[0]}] then[{' '.join(after)}]"] += 1
            continue
        same = [e for e in predicted if e["entity"] == entity and _overlaps((start, end), (e["start"], e["end"]))]
        label = _label(entity, value)
        if same:
            p = same[0]
            sides = []
            if p["start"] != start:
                sign = "+" if p["start"] < start else "-"
                lo, hi = sorted((p["start"], start))
                sides.append(f"start{sign}[{tags_between(morphs, lo, hi)}]")
            if p["end"] != end:
                sign = "+" if p["end"] > end else "-"
                lo, hi = sorted((p["end"], end))
                after = [f"{tag}{'(아/어)' if text[s:e].startswith(VOWEL_ENDINGS) else ''}"
                         for s, e, tag in morphs if s >= end][:1]
                sides.append(f"end{sign}[{tags_between(morphs, lo, hi)}] then[{' '.join(after)}]")
            kinds[f"{entity}: boundary {' '.join(sides)} by {p.get('extractor')}"] += 1
            continue
        same_span = [e for e in predicted if (e["start"], e["end"]) == (start, end)]
        if same_span:
            kinds[f"{label}: type -> {same_span[0]['entity']}"] += 1
            continue
        other = [e for e in predicted if _overlaps((start, end), (e["start"], e["end"]))]
        if other:
            kinds[f"{label}: overlapped by {other[0]['entity']} ({other[0].get('extractor')})"] += 1
            continue
        kinds[f"{label}: missed [{tags_between(morphs, start, end)}]"] += 1
    for e in predicted:
        if not any(_overlaps((s, en), (e["start"], e["end"])) for s, en, _ in gold):
            label = _label(e["entity"], e.get("value"))
            kinds[f"{label}: spurious by {e.get('extractor')}"] += 1
    return kinds
