"""Build the spaCy ``ko`` pipeline of the NLU: MeCab tokenizer + entity ruler.

    .venvs/rasa/bin/python nlu/ieomoa_nlu/build_spacy.py var/spacy/ko_ieomoa

The ruler's patterns come from ieomoa/data/vocabulary.json and ieomoa/data/regions.json
(see ieomoa_nlu/vocabulary.py); each pattern's ``id`` is the normalized value, which
ieomoa_nlu.entities.VocabularyEntityExtractor returns as the entity value. Phrases become
token patterns on MeCab's morphemes, so particles and endings attached to a word never
stop a match ("서울에서" = "서울" + "에서"):

* words written together in the phrase must be together in the text ("시각장애"), words
  written apart match either way ("수어 통역" also matches "수어통역"); a phrase written as
  one noun-led word ("근로지원인") is kept one token by the tokenizer, like region names;
* a case or topic particle after a noun (이/가/은/는/을/를/도) may be any of them or none
  ("눈이 안 보여" matches "눈도 안 보여요", "눈 안 보여");
* degree adverbs (잘, 거의, 전혀, 많이 …) may stand before 안/못 and before a verb or
  adjective ("눈이 거의 안 보여요", "시력이 많이 나빠요");
* verbs and adjectives match by stem, in any inflection ("귀가 안 들려" matches "귀가 안
  들리는데요"); endings at the end of a phrase are dropped, and the component
  ``ieomoa_word_ends`` extends an entity over the endings attached to its last word, so
  the entity is the whole written word ("상관없어요");
* a 시군구 stem alone ("수원") matches only where MeCab tags it as a proper noun (NNP);
  elsewhere the component ``ieomoa_region_context`` takes it where the message is only the
  answer ("마포요") or says someone lives there ("전주에 살아요").

The output directory is replaced atomically; its meta.json records the inputs' sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ieomoa_nlu importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ieomoa_nlu.korean_morphemes import tokenizer_names  # noqa: E402
from ieomoa_nlu.spacy_ko import PREDICATE_TAGS, blank_korean  # noqa: E402
from ieomoa_nlu.vocabulary import (  # noqa: E402
    REGION_ENTITY,
    REGIONS_FILE,
    VOCABULARY_FILE,
    Phrase,
    region_phrases,
    vocabularies,
    vocabulary_phrases,
)

PIPELINE_NAME = "ieomoa"
PIPELINE_VERSION = "1.0.0"
DEGREE_ADVERBS = [
    "잘", "거의", "전혀", "많이", "좀", "조금", "너무", "아예", "하나도", "제대로", "아주", "정말",
    "진짜", "완전", "완전히", "별로", "잘은", "영",
]
NEGATIONS = {"안", "못"}
OPTIONAL_DEGREE = {"LOWER": {"IN": DEGREE_ADVERBS}, "OP": "*"}
LOOSE_PARTICLES = ["JKS", "JKO", "JX"]  # 이/가, 을/를, 은/는/도


def _is_noun(tag: str) -> bool:
    return tag.startswith(("N", "SN", "SL", "XSN", "XPN"))


def phrase_pattern(nlp: Any, phrase: Phrase) -> list[dict[str, Any]] | None:
    """Token pattern for one phrase (see the module docstring for the rules), or None."""
    doc = nlp.make_doc(phrase.text)
    tokens = [t for t in doc if not t.is_space]
    if phrase.entity == REGION_ENTITY:
        # Names: the tokenizer keeps each one token, so the words themselves.
        if phrase.needs_proper_noun:
            if len(tokens) != 1:
                return None  # MeCab does not read it as one noun: never tagged NNP
            return [{"LOWER": tokens[0].lower_, "TAG": "NNP"}]
        return [{"LOWER": t.lower_} for t in tokens]
    # Endings after a verb or adjective, a copula after a noun: not part of the phrase.
    while len(tokens) > 1 and (
        (tokens[-1].tag_.startswith(("EP", "EF", "EC")) and tokens[-2].tag_.startswith((*PREDICATE_TAGS, "E")))
        or (tokens[-1].tag_ == "VCP" and _is_noun(tokens[-2].tag_))
    ):
        tokens.pop()
    if len(tokens) == 1:
        token = tokens[0]
        if token.tag_.startswith(PREDICATE_TAGS):
            return [{"LEMMA": token.lemma_}]
        spec: dict[str, Any] = {"LOWER": token.lower_}
        if phrase.needs_proper_noun:
            spec["TAG"] = "NNP"
        elif len(token.text) == 1 and _is_noun(token.tag_):
            spec["TAG"] = token.tag_  # "간" the organ, not "간" of "학교 간 날" (NNB)
        return [spec]
    pattern: list[dict[str, Any]] = []
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else None
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.lower_ in DEGREE_ADVERBS and token.tag_ == "MAG":
            continue  # replaced by the optional slot before 안/못
        if token.lower_ in NEGATIONS and token.tag_ == "MAG":
            pattern.append(OPTIONAL_DEGREE)
            pattern.append({"LOWER": token.lower_})
        elif (
            token.tag_ in LOOSE_PARTICLES
            and previous is not None
            and (_is_noun(previous.tag_) or previous.tag_ == "ETN")
        ):
            pattern.append({"TAG": {"IN": LOOSE_PARTICLES}, "OP": "?"})
        elif token.tag_.startswith(PREDICATE_TAGS):
            negated = previous is not None and previous.lower_ in NEGATIONS and previous.tag_ == "MAG"
            if previous is not None and not negated and not previous.tag_.startswith(PREDICATE_TAGS):
                pattern.append(OPTIONAL_DEGREE)  # "시력이 많이 나빠요"
            spec = {"LEMMA": token.lemma_}
            if following is not None and not token.whitespace_ and _is_noun(following.tag_):
                spec["SPACY"] = False  # written together: "심한장애", not "심한 장애"
            pattern.append(spec)
        else:
            spec = {"LOWER": token.lower_}
            if (
                following is not None
                and not token.whitespace_
                and _is_noun(following.tag_)
            ):
                spec["SPACY"] = False  # written together: "시각장애", not "시각 장애"
            pattern.append(spec)
    return pattern


def ruler_patterns(nlp: Any, phrases: list[Phrase]) -> list[dict[str, Any]]:
    """Entity-ruler patterns, one per distinct (entity, token pattern, id)."""
    seen = set()
    patterns = []
    for phrase in phrases:
        pattern = phrase_pattern(nlp, phrase)
        if pattern is None:
            continue
        key = (phrase.entity, json.dumps(pattern, ensure_ascii=False, sort_keys=True), phrase.id)
        if key not in seen:
            seen.add(key)
            patterns.append({"label": phrase.entity, "pattern": pattern, "id": phrase.id})
    return patterns


def inputs_hash(*paths: Path) -> str:
    """sha256 over the builder's inputs and code (what train-model.sh caches by)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    code = ["build_spacy.py", "spacy_ko.py", "korean_morphemes.py", "vocabulary.py"]
    for path in [*paths, *(here / name for name in code)]:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def build(vocabulary_path: Path = VOCABULARY_FILE, regions_path: Path = REGIONS_FILE) -> Any:
    """The pipeline object (not saved)."""
    vocabulary = vocabulary_phrases(vocabulary_path)
    nlp = blank_korean(names=tokenizer_names(vocabulary_path, regions_path))
    phrases = vocabulary + region_phrases(regions_path)
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True, "overwrite_ents": True})
    ruler.add_patterns(ruler_patterns(nlp, phrases))
    stems = {p.text: p.id for p in phrases if p.needs_proper_noun}
    nlp.add_pipe("ieomoa_region_context", after="entity_ruler", config={"stems": stems})
    nlp.add_pipe("ieomoa_word_ends", after="ieomoa_region_context")
    sources = {name: v["source"] for name, v in vocabularies(vocabulary_path).items()}
    sources["region"] = json.loads(Path(regions_path).read_text("utf-8")).get("source", "")
    nlp.meta.update(
        {
            "name": PIPELINE_NAME,
            "version": PIPELINE_VERSION,
            "description": "이어모아 Korean NLU layer: MeCab-ko tokens + vocabulary entity ruler",
            "sources": sources,
            "inputs_sha256": inputs_hash(vocabulary_path, regions_path),
            "patterns": len(ruler.patterns),
        }
    )
    return nlp


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write the pipeline to")
    parser.add_argument("--vocabulary", type=Path, default=VOCABULARY_FILE)
    parser.add_argument("--regions", type=Path, default=REGIONS_FILE)
    parser.add_argument("--print-hash", action="store_true", help="print the inputs' hash and exit")
    args = parser.parse_args(argv)
    if args.print_hash:
        print(inputs_hash(args.vocabulary, args.regions))
        return
    nlp = build(args.vocabulary, args.regions)
    out = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=out.parent))
    nlp.to_disk(staging)
    if out.exists() or out.is_symlink():
        if out.is_dir() and not out.is_symlink():
            shutil.rmtree(out)
        else:
            out.unlink()
    staging.rename(out)
    print(f"spaCy pipeline with {nlp.meta['patterns']} patterns written to {out}")


if __name__ == "__main__":
    main()
