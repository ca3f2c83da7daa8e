"""The training data's entity spans follow the span convention, on the NLU's own tokens.

The convention (README, "Span convention"): a span is the value phrase only; particles, the
copula and endings stay outside ("[강남구]예요"), a description ends with its verb's stem as
written ("[눈이 거의 안 보여]요", "[걷는 게 힘들]어서"). Both tokenizers split words there
(nlu/ieomoa_nlu/korean_morphemes.py), and Rasa trains DIET only on spans that start and end
on tokens. MeCab lives in the Rasa environment, so these tests run their checks there.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venvs" / "rasa" / "bin" / "python"
CHECKER = ROOT / "scripts" / "nlu_spans.py"

pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not built")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RASA_PYTHON), *args], capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )


def test_every_training_span_follows_the_convention() -> None:
    result = run(str(CHECKER))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_checker_finds_and_trims_particles_copulas_and_endings(tmp_path: Path) -> None:
    data = tmp_path / "data.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n'
        "    - [서울에서](region:서울특별시) 살아요\n"
        '    - [강남구예요]{"entity": "region", "value": "서울특별시 강남구"}\n'
        '    - [눈이 거의 안 보여요]{"entity": "disability_type", "value": "시각"}\n'
        '    - [걷는 게 힘들어서]{"entity": "disability_type", "value": "지체"} 앉아서 일해요\n'
        "    - [바리스타](job) 하고 싶어요\n",
        "utf-8",
    )
    found = run(str(CHECKER), str(data))
    assert found.returncode == 1
    assert len(found.stdout.splitlines()) == 4  # the job is already right
    fixed = run(str(CHECKER), "--fix", str(data))
    assert fixed.returncode == 0, fixed.stdout
    assert data.read_text("utf-8").splitlines()[4:] == [
        "    - [서울](region:서울특별시)에서 살아요",
        '    - [강남구]{"entity": "region", "value": "서울특별시 강남구"}예요',
        '    - [눈이 거의 안 보여]{"entity": "disability_type", "value": "시각"}요',
        '    - [걷는 게 힘들]{"entity": "disability_type", "value": "지체"}어서 앉아서 일해요',
        "    - [바리스타](job) 하고 싶어요",
    ]


TOKENS = """
import json, sys
sys.path.insert(0, "nlu")
from ieomoa_nlu.korean_morphemes import KoreanMorphemes, tokenizer_names
analyzer = KoreanMorphemes(tokenizer_names())
texts = json.loads(sys.stdin.read())
print(json.dumps([[t[m.start:m.end] for m in analyzer(t)] for t in texts], ensure_ascii=False))
"""


def test_tokens_split_tails_from_names_and_fused_verbs_after_their_stem() -> None:
    texts = ["여수시요", "해운대구예요", "청각장애인데요", "보여요", "졸업했어요", "근로지원인이 필요해요", "어릴 때 소아마비를"]
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", TOKENS], input=json.dumps(texts), capture_output=True, text=True,
        timeout=120, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        ["여수시", "요"],
        ["해운대구", "예", "요"],
        ["청각장애", "인데요"],  # a name never takes the copula
        ["보여", "요"],  # 보이 + 어요: the stem keeps the syllable its 어 merged into
        ["졸업", "했", "어요"],
        ["근로지원인", "이", "필요", "해", "요"],
        ["어릴", "때", "소아마비", "를"],
    ]
