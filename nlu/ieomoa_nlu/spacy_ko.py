"""spaCy tokenizer for Korean backed by python-mecab-ko ("ieomoa.MecabTokenizer.v1").

spaCy 3.4's own Korean tokenizer needs the MeCab C library and natto-py; this one uses the
python-mecab-ko wheel that Rasa's MecabKoTokenizer already uses, so both see the same
morphemes. Tokens are MeCab surface substrings of the text with ``whitespace_`` taken from
the text, so ``doc.text == text``. Each token has the first MeCab tag as ``tag_`` (all
tags in ``doc.user_data["full_tags"]``), a universal ``pos`` and, for inflected words, the
stem as ``lemma_`` ("보여요" → "보이"), so patterns can match any inflection.

The morphemes are those of ``ieomoa_nlu.korean_morphemes``, which Rasa's
MecabKoTokenizer uses too: names MeCab does not know are joined from a list (``names``:
region names and one-word vocabulary phrases, stored with the pipeline), so "영종구에"
becomes "영종구" + "에" and "대구" is never found inside "해운대구"; a verb fused with its
ending is split after its stem ("보여요" → "보여" + "요"). The component ``ieomoa_word_ends``
(below) lets an entity that ends with a verb take a past marker attached to it ("좋았").

Registered through the ``spacy_tokenizers`` entry point (nlu/pyproject.toml), so
``spacy.load`` finds it without importing this module first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.lang.ko.tag_map import TAG_MAP
from spacy.language import Language
from spacy.symbols import POS, X
from spacy.tokens import Doc, Span
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

from ieomoa_nlu.korean_morphemes import PREDICATE_TAGS, KoreanMorphemes, Morpheme

TOKENIZER_NAME = "ieomoa.MecabTokenizer.v1"


class MecabTokenizer:
    """Callable spaCy tokenizer: text → Doc of MeCab morphemes (ieomoa_nlu.korean_morphemes)."""

    def __init__(self, vocab: Vocab, names: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self._analyzer = KoreanMorphemes(names)

    @property
    def names(self) -> list[str]:
        return self._analyzer.names

    def set_names(self, names: Iterable[str]) -> None:
        """Words that stay one token when MeCab splits them (region names, vocabulary words)."""
        self._analyzer.set_names(names)

    def __reduce__(self) -> tuple[Any, ...]:
        return MecabTokenizer, (self.vocab, self.names)

    def morphemes(self, text: str) -> list[Morpheme]:
        """The morphemes of the text, names joined and fused verbs split after their stem."""
        return self._analyzer(text)

    def __call__(self, text: str) -> Doc:
        pieces: list[tuple[str, str, str]] = []  # (text, full tag, lemma)
        position = 0
        for start, end, tag, lemma, _ in self.morphemes(text):
            if start > position and text[position:start].strip():
                gap = text[position:start]  # anything MeCab skipped stays in the Doc
                pieces.append((gap.strip(), "SY", gap.strip()))
            pieces.append((text[start:end], tag, lemma))
            position = end
        if text[position:].strip():
            pieces.append((text[position:].strip(), "SY", text[position:].strip()))
        words, spaces = get_words_and_spaces([p[0] for p in pieces], text)
        full_tags: list[str] = []
        lemmas: list[str] = []
        tags: list[str] = []
        k = 0
        for word in words:
            if k < len(pieces) and word == pieces[k][0]:
                full_tags.append(pieces[k][1])
                lemmas.append(pieces[k][2])
                tags.append(pieces[k][1].partition("+")[0])
                k += 1
            else:  # whitespace token inserted by get_words_and_spaces
                full_tags.append("_SP")
                lemmas.append(word)
                tags.append("_SP")
        doc = Doc(self.vocab, words=words, spaces=spaces, tags=tags, lemmas=lemmas)
        for token in doc:
            token.pos = TAG_MAP[token.tag_][POS] if token.tag_ in TAG_MAP else X
        doc.user_data["full_tags"] = full_tags
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # Serialization: the joined names travel with the pipeline (tokenizer file).
    def to_bytes(self, **kwargs: Any) -> bytes:
        return srsly.json_dumps({"names": self.names}).encode("utf-8")

    def from_bytes(self, data: bytes, **kwargs: Any) -> MecabTokenizer:
        self.set_names(srsly.json_loads(data.decode("utf-8"))["names"])
        return self

    def to_disk(self, path: Path, **kwargs: Any) -> None:
        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path: Path, **kwargs: Any) -> MecabTokenizer:
        return self.from_bytes(Path(path).read_bytes())


def create_tokenizer() -> Callable[[Any], MecabTokenizer]:
    """Factory registered as ``ieomoa.MecabTokenizer.v1`` in ``spacy_tokenizers``."""

    def make(nlp: Any) -> MecabTokenizer:
        return MecabTokenizer(nlp.vocab)

    return make


@Language.component("ieomoa_word_ends")
def extend_to_word_end(doc: Doc) -> Doc:
    """An entity that ends with a verb or adjective stem takes the past marker attached to it.

    Endings stay outside ("[상관없]어요", "[눈이 안 보여]요": README, "Span convention"), but
    "좋았어요" is 좋 + 았 + 어요 and the stem as written there is "좋았".
    """
    spans = []
    changed = False
    for ent in doc.ents:
        end = ent.end
        if doc[end - 1].tag_.startswith(PREDICATE_TAGS):
            while (
                end < len(doc)
                and not doc[end - 1].whitespace_
                and doc[end].ent_iob_ == "O"
                and doc[end].tag_.startswith("EP")
            ):
                end += 1
        if end != ent.end:
            changed = True
            spans.append(Span(doc, ent.start, end, label=ent.label_, span_id=ent.ent_id_))
        else:
            spans.append(ent)
    if changed:
        doc.ents = spans
    return doc


# What may follow a 시군구 stem when a message is only the answer ("마포요", "전주입니다").
ANSWER_TAILS = ("VCP", "E", "J", "SF", "SY", "SE", "SS", "IC", "_SP")
# Verbs of living somewhere: "마포에 살아요", "전주에서 살고 있어요", "노원 살아요".
LIVING = {"살", "거주", "거주하", "이사", "이사하"}


class RegionContext:
    """A 시군구 stem MeCab reads as a common word is a region where the sentence says so.

    "마포", "전주", "음성" are tagged NNG (MeCab knows 전주 as "the week before", 음성 as
    "voice"), so the ruler matches a stem alone only where MeCab says proper noun. This
    component adds the region where nothing else claimed the word and the sentence leaves
    no doubt: the message is the stem alone with a copula or particle ("마포요", "전주
    입니다"), or the stem is where someone lives ("노원에 살아요", "마포 살아요").
    "음성으로 말할게요" and "예산이 부족해요" stay what they are.
    """

    def __init__(self, stems: dict[str, str]) -> None:
        self.stems = dict(stems)

    def __call__(self, doc: Doc) -> Doc:
        added = []
        for i, token in enumerate(doc):
            official = self.stems.get(token.text)
            if official is None or token.ent_type_ or any(e.start <= i < e.end for e in added):
                continue
            if self._answer_only(doc, i) or self._lives_there(doc, i):
                added.append(Span(doc, i, i + 1, label="region", span_id=official))
        if added:
            doc.ents = sorted([*doc.ents, *added], key=lambda e: e.start)
        return doc

    @staticmethod
    def _answer_only(doc: Doc, i: int) -> bool:
        before = [t for t in doc[:i] if not t.is_space]
        after = [t for t in doc[i + 1 :] if not t.is_space]
        return not before and all(t.tag_.startswith(ANSWER_TAILS) for t in after)

    @staticmethod
    def _lives_there(doc: Doc, i: int) -> bool:
        rest = [t for t in doc[i + 1 :] if not t.is_space][:2]
        if rest and rest[0].text in ("에", "에서"):
            rest = rest[1:]
        return bool(rest) and rest[0].lemma_ in LIVING


def make_region_context(nlp: Language, name: str, stems: dict[str, str]) -> RegionContext:
    """Factory of RegionContext (the stems and their official names are in the pipeline's config)."""
    return RegionContext(stems)


# spaCy validates factory arguments from the annotations, which this module's postponed
# evaluation leaves as strings.
make_region_context.__annotations__ = {"nlp": Language, "name": str, "stems": dict[str, str], "return": RegionContext}
Language.factory("ieomoa_region_context", default_config={"stems": {}}, func=make_region_context)


# The entry point registers it for spacy.load; registering here too lets code that imports
# this module (tests, the builder) work without the package installed.
spacy.registry.tokenizers.register(TOKENIZER_NAME, func=create_tokenizer)


def blank_korean(names: Iterable[str] | None = None) -> Any:
    """A blank ``ko`` pipeline with this tokenizer."""
    nlp = spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    if names is not None:
        nlp.tokenizer.set_names(names)
    return nlp
