"""Korean morphemes for both tokenizers of the NLU (Rasa's and spaCy's): one analysis.

MeCab-ko (python-mecab-ko) splits words into morphemes, but for entity spans three of its
habits get in the way, and this module corrects them so that every span the training data
marks (README, "Span convention") starts and ends on a token boundary:

* **Names it does not know come apart or take a tail** ("영종구에" → 영종 + 구 + 에,
  "여수시요" → 여수 + 시요, "해운대구예요" → 해운대 + 구예 + 요). Given a list of names
  (regions, one-word vocabulary phrases), the morphemes that spell one are joined and a tail
  glued to its last syllable is split off ("여수시" + "요"). A name never takes the copula:
  "청각장애인데요" is 청각장애 + 인데요, not 청각장애인 + 데요.
* **A verb fused with its ending is one token** ("보여요" = 보이 + 어요, "했어요" = 하 +
  았 + 어요). The stem's syllables are split from the ending written after them ("보여" +
  "요", "했" + "어요"), so a description can end with its verb's stem as written ("[눈이
  거의 안 보여]요", "[고등학교 졸업했]어요").

Standard library and python-mecab-ko only, so the unit tests can run it without Rasa or spaCy.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from mecab import MeCab


class Morpheme(NamedTuple):
    """A piece of the text: its offsets, MeCab's tag ("NNG", "VV+EC" …) and lemma.

    For a fused token ("보여요", VV+EC) the lemma is the stem (보이) and ``ending`` the last
    morpheme of MeCab's analysis (어요).
    """

    start: int
    end: int
    tag: str
    lemma: str
    ending: str = ""


# Morphemes that may start a joined name: nouns, numbers, Latin letters, prefixes.
JOINABLE = ("N", "SN", "SL", "SH", "XSN", "XPN")
# A vocabulary phrase that starts with one of these and that MeCab splits is kept one token.
NOUN_LIKE = ("N", "SN", "SL", "XSN", "XPN")
# Predicates: a fused "predicate + ending" token is split after its stem.
PREDICATE_TAGS = ("VV", "VA", "VX", "VCN", "XSV", "XSA")
# Endings whose vowel may merge into the stem's last syllable: 보이 + 어 → 보여, 하 + 아 → 해.
PLAIN_VOWELS = ("아", "어", "여")
# What a name may leave behind in a morpheme MeCab glued to it.
COPULA_STARTS = ("이", "인", "입", "일", "예", "였")
PARTICLES = {
    "이", "가", "은", "는", "을", "를", "에", "에서", "에게", "한테", "으로", "로", "도", "만", "요",
    "이요", "랑", "이랑", "하고", "과", "와", "까지", "부터", "의", "쪽", "께", "서",
}


def tail_tag(text: str) -> str:
    """A tag for what is left of a morpheme after a name: copula, particle or ending."""
    if text == "요":
        return "EF"
    if text in PARTICLES:
        return "JX"
    if text.startswith(COPULA_STARTS):
        return "VCP"
    return "EC"


class KoreanMorphemes:
    """Callable: text → morphemes, names joined and fused verbs split from their endings."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._mecab = MeCab()
        self.names: list[str] = []
        self.set_names(names)

    def set_names(self, names: Iterable[str]) -> None:
        """Words that stay one token when MeCab splits them (region names, vocabulary words)."""
        self.names = sorted({n for n in names if n and not any(c.isspace() for c in n)})
        self._names = set(self.names)
        self._longest = max((len(n) for n in self.names), default=0)

    def __call__(self, text: str) -> list[Morpheme]:
        return split_endings(text, self._join_names(text, self.mecab(text)))

    def mecab(self, text: str) -> list[Morpheme]:
        """MeCab's morphemes with offsets in the text; a verb's lemma is its stem."""
        found: list[Morpheme] = []
        position = 0
        for m in self._mecab.parse(text):
            # MeCab's spans do not count leading whitespace: find each surface in the text.
            start = text.find(m.surface, position)
            if start < 0:
                continue
            position = start + len(m.surface)
            lemma, ending = m.surface, ""
            feature = m.feature
            if feature.type == "Inflect" and feature.expression:
                parts = [part.split("/", 1)[0] for part in feature.expression.split("+")]
                lemma, ending = parts[0] or m.surface, parts[-1]
            found.append(Morpheme(start, position, m.pos, lemma, ending))
        return found

    def _join_names(self, text: str, found: list[Morpheme]) -> list[Morpheme]:
        """Join the morphemes that spell a name; the longest name wins.

        A run spans two morphemes or more and starts a word or with a noun-like morpheme
        (MeCab may read "안산시" as 안 + 산 + 시; "하남" inside "뭐하남" is not joined).
        The name may end inside the run's last morpheme ("해운대" + "구요" → "해운대구" +
        "요"), except where that would take the copula ("청각장애" + "인데요"); a single
        morpheme is never split ("수원지" stays). A joined name is tagged NNP.
        """
        if not self._names:
            return found
        joined: list[Morpheme] = []
        i = 0
        while i < len(found):
            start = found[i].start
            best: tuple | None = None  # (last morpheme, end offset)
            j = i
            at_word_start = start == 0 or text[start - 1].isspace()
            while (
                (at_word_start or found[i].tag.startswith(JOINABLE))
                and j + 1 < len(found)
                and found[j + 1].start == found[j].end
                and found[j + 1].start - start < self._longest
            ):
                j += 1
                if text[start : found[j].end] in self._names:
                    best = (j, found[j].end)
                    continue
                last = found[j]
                for end in range(min(last.end - 1, start + self._longest), last.start, -1):
                    taken = text[last.start : end]
                    if last.tag.startswith("VCP") and taken.startswith(COPULA_STARTS):
                        continue  # "청각장애인" + "데요" would eat the copula of 인데요
                    if text[start:end] in self._names:
                        best = (j, end)
                        break
            if best is None:
                joined.append(found[i])
                i += 1
                continue
            last, end = best
            # MeCab did not know the name: as a name it is a proper noun ("영종구", "마포").
            joined.append(Morpheme(start, end, "NNP", text[start:end]))
            if end < found[last].end:
                rest = text[end : found[last].end]
                joined.append(Morpheme(end, found[last].end, tail_tag(rest), rest))
            i = last + 1
        return joined


def stem_end(text: str, m: Morpheme) -> int | None:
    """Where the stem ends inside a fused "predicate + ending" token, or None to keep it whole.

    The ending written out in full is split off ("했어요" = 하 + 았 + 어요 → "했" | "어요");
    an ending whose 아/어 merged into the stem's syllable leaves that syllable to the stem
    ("보여요" = 보이 + 어요 → "보여" | "요", "불편해서" → "해" | "서").
    """
    parts = m.tag.split("+")
    if len(parts) < 2 or not parts[0].startswith(PREDICATE_TAGS) or not parts[-1].startswith("E"):
        return None
    surface, ending = text[m.start : m.end], m.ending
    if ending and surface.endswith(ending) and len(surface) > len(ending):
        return m.end - len(ending)
    rest = ending[1:]
    if ending.startswith(PLAIN_VOWELS) and rest and surface.endswith(rest) and len(surface) > len(rest):
        return m.end - len(rest)
    return None


def split_endings(text: str, morphemes: list[Morpheme]) -> list[Morpheme]:
    """Split each fused predicate into its stem and the ending after it: "보여요" → "보여" + "요"."""
    result: list[Morpheme] = []
    for m in morphemes:
        cut = stem_end(text, m)
        if cut is None:
            result.append(m)
            continue
        rest = text[cut : m.end]
        result.append(Morpheme(m.start, cut, m.tag, m.lemma))
        result.append(Morpheme(cut, m.end, "EF" if rest.endswith("요") or rest.endswith("다") else "EC", rest))
    return result


def tokenizer_names(vocabulary_path: Path | None = None, regions_path: Path | None = None) -> list[str]:
    """The names both tokenizers join: every region spelling, and nouns of the vocabulary.

    MeCab reads a word differently alone and in a sentence ("소아마비" is one noun alone,
    소아 + 마비 after "어릴 때"), so these stay one token wherever they appear:

    * a one-word phrase that starts with a noun and does not end with a particle or an
      ending ("소아마비", "근로지원인"; not "집에서");
    * the leading nouns of a word of a longer phrase, when a verb or particle follows them
      ("부정확" of "발음이 부정확해").
    """
    from ieomoa_nlu.vocabulary import (
        REGION_ENTITY,
        REGIONS_FILE,
        VOCABULARY_FILE,
        region_names,
        vocabulary_phrases,
    )

    plain = KoreanMorphemes()
    names = set()
    for phrase in vocabulary_phrases(vocabulary_path or VOCABULARY_FILE):
        if phrase.entity == REGION_ENTITY:
            continue
        words = phrase.text.split()
        for word in words:
            morphemes = plain(word)
            if not morphemes or not morphemes[0].tag.startswith(NOUN_LIKE):
                continue
            if len(words) == 1:
                if not morphemes[-1].tag.startswith(("J", "E")):
                    names.add(word)
                continue
            nouns = 0
            while nouns < len(morphemes) and morphemes[nouns].tag.startswith(NOUN_LIKE):
                nouns += 1
            if nouns < len(morphemes):
                names.add(word[: morphemes[nouns - 1].end])
    return region_names(regions_path or REGIONS_FILE) + sorted(n for n in names if len(n) >= 2)
