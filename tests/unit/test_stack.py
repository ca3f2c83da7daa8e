"""How the process runner starts Rasa."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ieomoa.stack import child_env, rasa_process


def test_an_auth_token_starting_with_a_dash_stays_the_tokens_value(tmp_path: Path) -> None:
    process = rasa_process(model=Path("m.tar.gz"), endpoints=Path("e.yml"), port=5005,
                           env={"RASA_AUTH_TOKEN": "-Xy_z"}, log_dir=tmp_path)
    # Parsed the way Rasa's argparse CLI reads it (a bare "-Xy_z" would be taken for an option).
    parser = argparse.ArgumentParser()
    parser.add_argument("-t", "--auth-token")
    known, _ = parser.parse_known_args(process.command[2:])
    assert known.auth_token == "-Xy_z"


def test_generated_tokens_never_look_like_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    assert not any(child_env()["RASA_AUTH_TOKEN"].startswith("-") for _ in range(200))
