"""How the process runner starts Rasa and the action server: no secret on a command line."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ieomoa.config import PROJECT_ROOT
from tools.stack import NLU_DIR, action_server_process, child_env, rasa_process


def load_rasa_cli() -> ModuleType:
    """nlu/ieomoa_nlu/rasa_cli.py, which runs under the Rasa environment, loaded from its file."""
    path = NLU_DIR / "ieomoa_nlu" / "rasa_cli.py"
    spec = importlib.util.spec_from_file_location("rasa_cli", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rasa_cli = load_rasa_cli()


def test_no_secret_is_on_any_command_line(tmp_path: Path) -> None:
    env = child_env({"RASA_AUTH_TOKEN": "-Xy_z-token",
                     "ACTION_SERVER_SECRET": "action-secret-1234"})
    rasa = rasa_process(model=Path("m.tar.gz"), endpoints=Path("e.yml"), port=5005, env=env,
                        log_dir=tmp_path)
    actions = action_server_process(port=5055, env=env, log_dir=tmp_path)
    for process in (rasa, actions):
        command = " ".join(process.command)
        assert "-Xy_z-token" not in command and "action-secret-1234" not in command
        assert "--auth-token" not in command
    # They reach the processes through the environment instead.
    assert rasa.env["RASA_AUTH_TOKEN"] == "-Xy_z-token"
    assert actions.env["ACTION_SERVER_SECRET"] == "action-secret-1234"
    assert rasa.command[1:4] == ["-m", "ieomoa_nlu.rasa_cli", "run"]
    assert actions.command[1:3] == ["-m", "actions.server"]


def test_generated_secrets_are_new_each_run_and_never_look_like_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    monkeypatch.setenv("ACTION_SERVER_SECRET", "")  # empty, as in a copied .env.example
    runs = [child_env() for _ in range(200)]
    for name in ("RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET"):
        values = {run[name] for run in runs}
        assert len(values) == 200 and all(len(value) >= 32 for value in values)
        assert not any(value.startswith("-") for value in values)


def test_rasa_run_gets_the_token_from_the_environment() -> None:
    arguments = rasa_cli.rasa_arguments(["run", "--enable-api", "--port", "5005"],
                                        {"RASA_AUTH_TOKEN": "-Xy_z"})
    # Rasa's own argparse reads "--auth-token=-Xy_z" as the token (a bare "-Xy_z" would be
    # taken for an option).
    assert "--auth-token=-Xy_z" in arguments
    assert "--interface=127.0.0.1" in arguments


def test_rasa_run_listens_on_the_bind_host_unless_told_otherwise() -> None:
    env = {"RASA_AUTH_TOKEN": "t", "IEOMOA_BIND_HOST": "0.0.0.0"}
    assert "--interface=0.0.0.0" in rasa_cli.rasa_arguments(["run"], env)
    for given in (["-i", "10.0.0.1"], ["--interface", "10.0.0.1"], ["--interface=10.0.0.1"],
                  ["-i10.0.0.1"], ["--inter", "10.0.0.1"]):
        assert rasa_cli.rasa_arguments(["run", *given], env) == ["run", *given, "--auth-token=t"]


@pytest.mark.parametrize("given", [["--auth-token", "x"], ["--auth-token=x"], ["-t", "x"], ["-tx"],
                                   ["--auth", "x"]])
def test_a_token_on_the_command_line_is_refused(given: list[str]) -> None:
    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN"):
        rasa_cli.rasa_arguments(["run", "--enable-api", *given], {"RASA_AUTH_TOKEN": "t"})


def test_the_api_is_not_enabled_without_a_token() -> None:
    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN"):
        rasa_cli.rasa_arguments(["run", "--enable-api"], {})
    assert "--enable-api" not in rasa_cli.rasa_arguments(["run"], {})


def test_other_rasa_commands_pass_unchanged() -> None:
    for argv in (["train", "--domain", "domain"], ["run", "actions"], ["test", "core"]):
        assert rasa_cli.rasa_arguments(argv, {"RASA_AUTH_TOKEN": "t"}) == argv


@pytest.mark.parametrize("secret", [None, "", "short"])
def test_the_action_server_does_not_start_without_a_real_secret(secret: str | None) -> None:
    env = {key: value for key, value in os.environ.items() if key != "ACTION_SERVER_SECRET"}
    if secret is not None:
        env["ACTION_SERVER_SECRET"] = secret
    result = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", "1"], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "ACTION_SERVER_SECRET" in result.stderr


def test_make_run_frees_the_ports_it_will_listen_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from ieomoa.config import load_settings
    from tools.stack import ports_of

    for name in ("RASA_URL", "ACTION_SERVER_URL", "AGENCY_API_PORT", "TELEGRAM_WEBHOOK_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_MODE", "polling")
    assert set(ports_of(load_settings(), with_bot=True)) == {5005, 5055, 8000}
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_PORT", "8443")
    assert ports_of(load_settings(), with_bot=True)[8443] == "the bot's webhook"
    assert 8443 not in ports_of(load_settings(), with_bot=False)  # the terminal chat runs no bot


def test_every_process_sees_the_env_file_under_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Rasa reads no .env itself: without this its tracker store would use another key.
    env_file = tmp_path / ".env"
    env_file.write_text("IEOMOA_SECRET_KEY=from-the-file\nLOG_LEVEL=DEBUG\n", encoding="utf-8")
    monkeypatch.setenv("IEOMOA_ENV_FILE", str(env_file))
    monkeypatch.delenv("IEOMOA_SECRET_KEY", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    env = child_env()
    assert env["IEOMOA_SECRET_KEY"] == "from-the-file"
    assert env["LOG_LEVEL"] == "WARNING"  # the environment wins, as in the app's settings
