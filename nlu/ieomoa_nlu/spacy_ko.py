"""spaCy tokenizer for Korean backed by python-mecab-ko ("ieomoa.MecabTokenizer.v1").

spaCy 3.4's own Korean tokenizer needs the MeCab C library and natto-py; this one uses the
python-mecab-ko wheel that Rasa's MecabKoTokenizer already uses, so both see the same
morphemes. Tokens are MeCab surface substrings of the text with ``whitespace_`` taken from
the text, so ``doc.text == text``. Each token has the first MeCab tag as ``tag_`` (all
tags in ``doc.user_data["full_tags"]``), a universal ``pos`` and, for inflected words, the
stem as ``lemma_`` ("보여요" → "보이"), so patterns can match any inflection.

Names MeCab does not know come apart ("영종구" → "영종" + "구", "해운대구" → "해운" +
"대구", "근로지원인" → "근로" + "지원" + "인"). The tokenizer keeps a list of names
(``names``: region names and one-word vocabulary phrases, stored with the pipeline) and
joins the morphemes that spell one of them, so "영종구에" becomes "영종구" + "에" and
"대구" is never found inside "해운대구". The component ``ieomoa_word_ends`` (below) lets
an entity that ends with a verb take the endings attached to it.

Registered through the ``spacy_tokenizers`` entry point (nlu/pyproject.toml), so
``spacy.load`` finds it without importing this module first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, List, Optional, Tuple

import spacy
import srsly
from mecab import MeCab
from spacy.lang.ko.tag_map import TAG_MAP
from spacy.language import Language
from spacy.symbols import POS, X
from spacy.tokens import Doc, Span
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

TOKENIZER_NAME = "ieomoa.MecabTokenizer.v1"
# Morphemes that may start a joined name: nouns, numbers, Latin letters, prefixes.
_JOINABLE = ("N", "SN", "SL", "SH", "XSN", "XPN")


class MecabTokenizer:
    """Callable spaCy tokenizer: text → Doc of MeCab morphemes."""

    def __init__(self, vocab: Vocab, names: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self._mecab = MeCab()
        self.names: List[str] = []
        self.set_names(names)

    def set_names(self, names: Iterable[str]) -> None:
        """Words that stay one token when MeCab splits them (region names, vocabulary words)."""
        self.names = sorted({n for n in names if n and not any(c.isspace() for c in n)})
        self._names = set(self.names)
        self._longest = max((len(n) for n in self.names), default=0)

    def __reduce__(self) -> Tuple[Any, ...]:
        return MecabTokenizer, (self.vocab, self.names)

    def morphemes(self, text: str) -> List[Tuple[int, int, str, str]]:
        """(start, end, tag, lemma) of each morpheme, joined names merged."""
        found = []
        position = 0
        for m in self._mecab.parse(text):
            # MeCab's spans do not count leading whitespace: find each surface in the text.
            start = text.find(m.surface, position)
            if start < 0:
                continue
            position = start + len(m.surface)
            feature = m.feature
            lemma = m.surface
            if feature.type == "Inflect" and feature.expression:
                lemma = feature.expression.split("/", 1)[0] or m.surface
            found.append((start, position, m.pos, lemma))
        return self._join_names(text, found)

    def _join_names(
        self, text: str, found: List[Tuple[int, int, str, str]]
    ) -> List[Tuple[int, int, str, str]]:
        """Join the morphemes that spell a name; the longest name wins.

        A run spans two morphemes or more and starts a word or with a noun-like morpheme
        (MeCab may read "안산시" as 안 + 산 + 시, or the last syllable of "영종구" as a
        copula; "하남" inside "뭐하남" is not joined). When MeCab has already broken a
        name apart, the name may also end inside the run's last morpheme ("해운대" +
        "구요" → "해운대구" + "요"); a single morpheme is never split ("수원지" stays).
        """
        if not self._names:
            return found
        joined: List[Tuple[int, int, str, str]] = []
        i = 0
        while i < len(found):
            start = found[i][0]
            best: Optional[Tuple[int, int]] = None  # (last morpheme, end offset)
            j = i
            at_word_start = start == 0 or text[start - 1].isspace()
            while (
                (at_word_start or found[i][2].startswith(_JOINABLE))
                and j + 1 < len(found)
                and found[j + 1][0] == found[j][1]
                and found[j + 1][0] - start < self._longest
            ):
                j += 1
                if text[start : found[j][1]] in self._names:
                    best = (j, found[j][1])
                    continue
                for end in range(min(found[j][1] - 1, start + self._longest), found[j][0], -1):
                    if text[start:end] in self._names:
                        best = (j, end)
                        break
            if best is None:
                joined.append(found[i])
                i += 1
                continue
            last, end = best
            joined.append((start, end, found[i][2], text[start:end]))
            if end < found[last][1]:
                joined.append((end, found[last][1], found[last][2], text[end : found[last][1]]))
            i = last + 1
        return joined

    def __call__(self, text: str) -> Doc:
        pieces: List[Tuple[str, str, str]] = []  # (text, full tag, lemma)
        position = 0
        for start, end, tag, lemma in self.morphemes(text):
            if start > position and text[position:start].strip():
                gap = text[position:start]  # anything MeCab skipped stays in the Doc
                pieces.append((gap.strip(), "SY", gap.strip()))
            pieces.append((text[start:end], tag, lemma))
            position = end
        if text[position:].strip():
            pieces.append((text[position:].strip(), "SY", text[position:].strip()))
        words, spaces = get_words_and_spaces([p[0] for p in pieces], text)
        full_tags: List[str] = []
        lemmas: List[str] = []
        tags: List[str] = []
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

    def from_bytes(self, data: bytes, **kwargs: Any) -> "MecabTokenizer":
        self.set_names(srsly.json_loads(data.decode("utf-8"))["names"])
        return self

    def to_disk(self, path: Path, **kwargs: Any) -> None:
        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path: Path, **kwargs: Any) -> "MecabTokenizer":
        return self.from_bytes(Path(path).read_bytes())


def create_tokenizer() -> Callable[[Any], MecabTokenizer]:
    """Factory registered as ``ieomoa.MecabTokenizer.v1`` in ``spacy_tokenizers``."""

    def make(nlp: Any) -> MecabTokenizer:
        return MecabTokenizer(nlp.vocab)

    return make


PREDICATE_TAGS = ("VV", "VA", "VX", "VCN", "XSV", "XSA")


@Language.component("ieomoa_word_ends")
def extend_to_word_end(doc: Doc) -> Doc:
    """An entity that ends with a verb or adjective stem takes the endings attached to it.

    "상관없어요" is MeCab's 상관없 + 어요 and "못 들어요" is 못 + 들 + 어요: the entity
    covers the whole written word ("상관없어요", "못 들어요"), as the training data marks it.
    """
    spans = []
    changed = False
    for ent in doc.ents:
        end = ent.end
        if doc[end - 1].tag_.startswith(PREDICATE_TAGS):
            while (
                end < len(doc)
                and not doc[end - 1].whitespace_
                and doc[end].tag_.startswith("E")
                and doc[end].ent_iob_ == "O"
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


# The entry point registers it for spacy.load; registering here too lets code that imports
# this module (tests, the builder) work without the package installed.
spacy.registry.tokenizers.register(TOKENIZER_NAME, func=create_tokenizer)


def blank_korean(names: Optional[Iterable[str]] = None) -> Any:
    """A blank ``ko`` pipeline with this tokenizer."""
    nlp = spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    if names is not None:
        nlp.tokenizer.set_names(names)
    return nlp
