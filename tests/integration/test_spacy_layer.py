"""The spaCy layer of the Korean NLU, built and run in the Rasa environment.

Builds the pipeline with nlu/ieomoa_nlu/build_spacy.py (as scripts/train-model.sh does),
loads it with plain ``spacy.load`` (the tokenizer comes from the installed package's entry
point) and checks the entities people's answers should give.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venvs" / "rasa" / "bin" / "python"

pytestmark = pytest.mark.rasa

# No import of ieomoa_nlu before spacy.load: the entry point must be enough.
PARSE = """
import json, sys
import spacy
nlp = spacy.load(sys.argv[1])
out = []
for text in json.loads(sys.stdin.read()):
    doc = nlp(text)
    out.append({
        "text": doc.text,
        "tokens": [t.text for t in doc],
        "ents": [[e.text, e.label_, e.ent_id_] for e in doc.ents],
    })
print(json.dumps(out, ensure_ascii=False))
"""

EXTRACT = """
import json, sys
from ieomoa_nlu.entity_rules import keep_first_of_each_value, pattern_entities, resolve_overlaps
texts = json.loads(sys.stdin.read())
found = [[[e["entity"], text[e["start"]:e["end"]], e["value"]] for e in pattern_entities(text)] for text in texts]
diet = {"entity": "region", "value": "서울", "start": 0, "end": 2, "extractor": "DIETClassifier"}
job = {"entity": "job", "value": "바리스타", "start": 10, "end": 14, "extractor": "DIETClassifier"}
ruler = {"entity": "region", "value": "서울특별시 강남구", "start": 0, "end": 6, "extractor": "VocabularyEntityExtractor"}
merged = resolve_overlaps([diet, job, ruler], ["PatternEntityExtractor", "VocabularyEntityExtractor"])
again = {"entity": "region", "value": "서울특별시 강남구", "start": 20, "end": 23, "extractor": "VocabularyEntityExtractor"}
once = keep_first_of_each_value([again, *merged])
print(json.dumps({"found": found, "merged": [e["value"] for e in merged], "once": [e["start"] for e in once]},
                 ensure_ascii=False))
"""


def run_in_rasa_env(code: str, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", code, *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT / "nlu", timeout=300,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(Path.home())},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spacy") / "ko_ieomoa"
    result = subprocess.run(
        [str(RASA_PYTHON), str(ROOT / "nlu" / "ieomoa_nlu" / "build_spacy.py"), str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "meta.json").exists()
    return out


def parse(pipeline: Path, texts: list[str]) -> list[dict]:
    return json.loads(run_in_rasa_env(PARSE, str(pipeline), stdin=json.dumps(texts)))


EXPECTED = [
    ("인천 영종구에 살아요", "인천 영종구", "region", "인천광역시 영종구"),
    ("광주광역시 북구", "광주광역시 북구", "region", "광주광역시 북구"),
    ("전라남도 여수시입니다", "전라남도 여수시", "region", "전라남도 여수시"),
    ("강원도 춘천에 살아요", "강원도 춘천", "region", "강원특별자치도 춘천시"),
    ("충북 청주요", "충북 청주", "region", "충청북도 청주시"),
    ("해운대구에 살아요", "해운대구", "region", "부산광역시 해운대구"),
    ("서울에서 일하고 싶어요", "서울", "region", "서울특별시"),
    ("전라남도 여수시요", "전라남도 여수시", "region", "전라남도 여수시"),
    ("영종도에 살아요", "영종도", "region", "인천광역시 영종구"),
    ("마포에 살아요", "마포", "region", "서울특별시 마포구"),  # MeCab reads 마포 as a common noun
    ("전주입니다", "전주", "region", "전북특별자치도 전주시"),
    # Descriptions end with their verb's stem as written: endings stay outside (README, "Span convention").
    ("눈이 거의 안 보여요", "눈이 거의 안 보여", "disability_type", "시각"),
    ("귀가 잘 안 들려요", "귀가 잘 안 들려", "disability_type", "청각"),
    ("걷는 게 힘들어서요", "걷는 게 힘들", "disability_type", "지체"),
    ("청각장애인데요", "청각장애", "disability_type", "청각"),
    ("어릴 때 소아마비를 앓았어요", "소아마비", "disability_type", "지체"),
    ("목발 짚고 다녀요", "목발", "disability_type", "지체"),
    ("인공와우 했어요", "인공와우", "disability_type", "청각"),
    ("고등학교 다니고 있어요", "고등학교 다니고 있", "education", "중졸"),
    ("중학교까지 나왔어요", "중학교까지 나왔", "education", "중졸"),
    ("옆에서 도와주는 사람이 필요해요", "옆에서 도와주는 사람", "support_need", "근로지원인"),
    ("휠체어를 타요", "휠체어를 타", "disability_type", "지체"),
    ("휠체어 타고 다녀요", "휠체어 타", "disability_type", "지체"),
    ("그렇게 심하진 않아요", "심하진 않", "severity", "심하지않은"),
    ("삼급이에요", "삼급", "severity", "심한"),
    ("심한 장애요", "심한", "severity", "심한"),  # "장애" written apart stays outside
    ("심한장애예요", "심한장애", "severity", "심한"),
    ("고등학교 3학년이에요", "고등학교 3학년", "education", "중졸"),
    ("하루 4시간만 일하고 싶어요", "하루 4시간", "employment_type", "시간제"),
    ("조현병이 있어요", "조현병", "disability_type", "정신"),
    ("2급이에요", "2급", "severity", "심한"),
    ("5급입니다", "5급", "severity", "심하지않은"),
    ("심하지 않은 장애예요", "심하지 않은", "severity", "심하지않은"),
    ("집에서 일하고 싶어요", "집에서", "employment_type", "재택"),
    ("상관없어요", "상관없", "employment_type", "무관"),
    ("시력이 많이 나빠요", "시력이 많이 나빠", "disability_type", "시각"),
    ("근로지원인이 필요해요", "근로지원인", "support_need", "근로지원인"),
    ("고등학교 졸업했어요", "고등학교 졸업", "education", "고졸"),  # 하다 after a noun stays outside
    ("수어 통역이 필요해요", "수어 통역", "support_need", "수어통역"),
]


def test_entities_of_everyday_answers(pipeline: Path) -> None:
    results = parse(pipeline, [text for text, *_ in EXPECTED])
    for (text, span, label, value), result in zip(EXPECTED, results):
        assert result["text"] == text
        assert result["ents"] == [[span, label, value]], text


def test_ambiguous_or_common_words_are_not_regions(pipeline: Path) -> None:
    texts = ["중구에 살아요", "고성군이요", "음성으로 말할게요", "예산이 부족해요", "학교 간 날", "뭐하남", "조은우",
             "수영 좋아해요", "연수 받았어요", "고양이 키워요"]
    for result in parse(pipeline, texts):
        assert result["ents"] == [], result["text"]


def test_tokens_are_morphemes_and_the_text_survives(pipeline: Path) -> None:
    texts = ["서울에서  일하고\n싶어요 ", " 영종구요", "IEM-2026-000123 어떻게 됐나요?"]
    results = parse(pipeline, texts)
    assert [r["text"] for r in results] == texts
    assert results[0]["tokens"][:2] == ["서울", "에서"]
    assert "영종구" in results[1]["tokens"]


def test_phone_and_application_numbers_and_one_entity_per_span() -> None:
    texts = ["010-2345-6789", "제 번호는 010 2345 6789 예요", "01098765432입니다", "+82 10-1234-5678",
             "신청번호 IEM-2026-000123 확인해 주세요", "02-123-4567", "1234",
             "0 1 0 2 2 3 3 4 4 5 5", "공일공 이삼사오 육칠팔구요", "IEM - 2026 - 000345", "1번 제출 2번 3번"]
    out = json.loads(run_in_rasa_env(EXTRACT, stdin=json.dumps(texts)))
    assert out["found"] == [
        [["phone", "010-2345-6789", "01023456789"]],
        [["phone", "010 2345 6789", "01023456789"]],
        [["phone", "01098765432", "01098765432"]],
        [["phone", "+82 10-1234-5678", "01012345678"]],
        [["application_number", "IEM-2026-000123", "IEM-2026-000123"]],
        [],
        [],
        [["phone", "0 1 0 2 2 3 3 4 4 5 5", "01022334455"]],
        [["phone", "공일공 이삼사오 육칠팔구", "01023456789"]],
        [["application_number", "IEM - 2026 - 000345", "IEM-2026-000345"]],
        [],
    ]
    assert out["merged"] == ["서울특별시 강남구", "바리스타"]  # DIET's "서울" inside the ruler's span goes
    assert out["once"] == [0, 10]  # the same region said again is kept once
