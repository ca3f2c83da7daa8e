"""Rasa's own story tests and data validation pass on the trained model."""

from __future__ import annotations

import subprocess

from tools.stack import NLU_DIR, RASA_BIN, child_env, current_model


def run_rasa(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = dict(child_env(), PYTHONPATH=str(NLU_DIR))
    return subprocess.run(
        [str(RASA_BIN), *args], cwd=NLU_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_story_tests_pass(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_rasa(
        "test", "core", "--stories", "tests/test_stories.yml", "--model", str(current_model()),
        "--out", str(tmp_path), "--fail-on-prediction-errors", "--no-plot",
    )
    failed = (tmp_path / "failed_test_stories.yml")
    details = failed.read_text() if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, details


def test_training_data_is_valid() -> None:
    result = run_rasa("data", "validate", "--domain", "domain", "--max-history", "5")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
