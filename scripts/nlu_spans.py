"""Check (or fix) that the training data's entity spans follow the span convention.

    .venvs/rasa/bin/python scripts/nlu_spans.py            # list the spans that break it
    .venvs/rasa/bin/python scripts/nlu_spans.py --fix      # trim them in place

The convention (README, "Span convention"): a span covers the value phrase and nothing
after it. Particles, the copula and endings stay outside ("[서울]에서", "[강남구]예요",
"[시각장애]인데요"); a description ends with its verb's stem as written ("[눈이 거의 안
보여]요", "[걷는 게 힘들]어서", "[고등학교 졸업했]어요"). Spans must also start and end where a token of the NLU's tokenizer
does (ieomoa_nlu.korean_morphemes), because Rasa drops any other span from DIET's training.
A phrasing of data/vocabulary.json that ends with its particle ("집에서") is kept.

Needs only python-mecab-ko (the Rasa environment); exits 1 when a span breaks the rule.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "nlu"))

from ieomoa_nlu.korean_morphemes import KoreanMorphemes, Morpheme, tokenizer_names  # noqa: E402
from ieomoa_nlu.vocabulary import vocabulary_phrases  # noqa: E402

DATA = ROOT / "nlu" / "data" / "nlu"
# Rasa's entity markup: [text](entity), [text](entity:value), [text]{"entity": …}.
ENTITY = re.compile(r"\[(?P<text>[^\]]+?)\](?P<note>\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|\{(?P<json>[^}]+?)\})")
EXAMPLE = re.compile(r"^(?P<lead>\s*- )(?P<body>.*)$")
FREE_FORM = {"job", "field"}


class Span(NamedTuple):
    """One annotated entity of an example: where it is in the plain text and in the line."""

    start: int
    end: int
    entity: str
    value: str | None
    markup: tuple[int, int]  # offsets of "[…](…)" in the line's body


def parse(body: str) -> tuple[str, list[Span]]:
    """Plain text of an example and its spans."""
    plain, spans, last = "", [], 0
    for match in ENTITY.finditer(body):
        plain += body[last : match.start()]
        start = len(plain)
        plain += match["text"]
        if match["json"]:
            note = json.loads("{" + match["json"] + "}")
            entity, value = note["entity"], note.get("value")
        else:
            entity, value = match["entity"], match["value"]
        spans.append(Span(start, len(plain), entity, value, (match.start(), match.end())))
        last = match.end()
    return plain + body[last:], spans


def outside_tail(morphemes: list[Morpheme], i: int, entity: str) -> bool:
    """True for what a span may not end with: a particle, the copula, an ending.

    A past marker after a stem stays ("좋았"), as does a modifier ending ("심하지 않은").
    Free-form entities (jobs) are names, never descriptions: MeCab's reading of an unknown
    name as a verb ("사서" = 사 + 서) says nothing about endings there.
    """
    tag = morphemes[i].tag
    if tag.startswith(("J", "VCP")):
        return True
    if entity in FREE_FORM:
        return False
    return tag.startswith("E") and not tag.startswith(("EP", "ETM", "ETN"))


def trimmed(text: str, span: Span, morphemes: list[Morpheme], phrases: dict[str, set]) -> tuple[int, int]:
    """The span's offsets under the convention (unchanged when it already follows it)."""
    inside = [i for i, m in enumerate(morphemes) if span.start < m.end and m.start < span.end]
    if not inside:
        return span.start, span.end
    start = max(span.start, morphemes[inside[0]].start)
    written = "".join(text[span.start : span.end].split())
    if written in phrases.get(span.entity, set()) and morphemes[inside[-1]].tag.startswith("J"):
        return span.start, span.end  # a phrasing whose particle is its meaning: "집에서"
    while len(inside) > 1 and outside_tail(morphemes, inside[-1], span.entity):
        inside.pop()
    end = min(span.end, morphemes[inside[-1]].end)
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def problems(text: str, span: Span, morphemes: list[Morpheme], phrases: dict[str, set]) -> list[str]:
    """What is wrong with one span: a tail it should leave out, or a token boundary it misses."""
    found = []
    start, end = trimmed(text, span, morphemes, phrases)
    if (start, end) != (span.start, span.end):
        found.append(f"leave '{text[end:span.end]}' outside")
    starts = {m.start for m in morphemes}
    ends = {m.end for m in morphemes}
    if start not in starts or end not in ends:
        found.append("not on token boundaries")
    return found


def examples(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of each example line under `examples: |`."""
    inside = False
    for number, line in enumerate(path.read_text("utf-8").splitlines()):
        if re.match(r"^\s*examples:\s*\|", line):
            inside = True
            continue
        if inside and re.match(r"^\s*- ", line):
            yield number, line
        elif inside and line.strip() and not line.startswith("      "):
            inside = False


def fix_line(line: str, analyzer: KoreanMorphemes, phrases: dict[str, set]) -> tuple[str, list[str]]:
    """The line with its spans trimmed, and what could not be fixed."""
    match = EXAMPLE.match(line)
    assert match
    body = match["body"]
    text, spans = parse(body)
    morphemes = analyzer(text)
    for span in reversed(spans):
        start, end = trimmed(text, span, morphemes, phrases)
        if (start, end) == (span.start, span.end):
            continue
        old = body[span.markup[0] : span.markup[1]]
        inner = text[span.start : span.end]
        value = span.value if span.value is not None else inner
        head, kept, tail = inner[: start - span.start], text[start:end], inner[end - span.start :]
        if value == kept:
            note = f"({span.entity})"
        elif "{" in old:
            note = json.dumps({"entity": span.entity, "value": value}, ensure_ascii=False)
        else:
            note = f"({span.entity}:{value})"
        body = body[: span.markup[0]] + f"{head}[{kept}]{note}{tail}" + body[span.markup[1] :]
    text, spans = parse(body)
    morphemes = analyzer(text)
    left = [f"{text[s.start:s.end]}: {p}" for s in spans for p in problems(text, s, morphemes, phrases)]
    return match["lead"] + body, left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="default: nlu/data/nlu/*.yml")
    parser.add_argument("--fix", action="store_true", help="trim the spans in place")
    args = parser.parse_args(argv)
    analyzer = KoreanMorphemes(tokenizer_names())
    phrases: dict[str, set] = {}
    for phrase in vocabulary_phrases():
        phrases.setdefault(phrase.entity, set()).add("".join(phrase.text.split()))
    bad = 0
    for path in args.files or sorted(DATA.glob("*.yml")):
        lines = path.read_text("utf-8").splitlines(keepends=True)
        changed = False
        for number, line in examples(path):
            if "[" not in line:
                continue
            fixed, left = fix_line(line, analyzer, phrases)
            if fixed != line:
                if args.fix:
                    lines[number] = fixed + "\n"
                    changed = True
                else:
                    left = [f"{line.strip()} → {fixed.strip()}"] + left
            for problem in left:
                bad += 1
                shown = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
                print(f"{shown}:{number + 1}: {problem}")
        if changed:
            path.write_text("".join(lines), "utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
