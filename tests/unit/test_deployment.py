"""The docker-compose deployment, checked without a Docker engine.

``docker-compose config`` validates docker-compose.yml against the Compose schema and resolves
it with a complete env file; the rest reads the files: everything the compose file and the
Dockerfiles reference exists and is in the build context, every ``${VAR}`` is documented in
.env.example, every service has a healthcheck and waits for what it calls to be healthy, the
images run as non-root, and each service gets only the secrets it uses.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
DOCKER_COMPOSE = shutil.which("docker-compose")

# Who needs which secret (a database password reaches the app services inside DATABASE_URL).
SECRETS: dict[str, set[str]] = {
    # Encrypts the disability fields and Rasa's events, seals claimed updates, keys HMACs.
    "IEOMOA_SECRET_KEY": {"action-server", "rasa", "bot", "agency-api"},
    # Rasa sends it to the action server, which refuses calls without it.
    "ACTION_SERVER_SECRET": {"action-server", "rasa"},
    # Rasa's HTTP API (it opens every conversation): Rasa and its only caller, the bot.
    "RASA_AUTH_TOKEN": {"rasa", "bot"},
    "TELEGRAM_BOT_TOKEN": {"bot", "relay"},
    "POSTGRES_PASSWORD": {"postgres", "migrate", "action-server", "rasa", "bot", "relay", "agency-api"},
}
# The tool each image has for its healthcheck.
HEALTHCHECK_TOOL = {"postgres": "pg_isready", "redis": "redis-cli"}
OUR_IMAGES_TOOL = "python"


def env_example_names() -> list[str]:
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"), flags=re.MULTILINE)


def secret_value(name: str) -> str:
    return f"test-{name.lower().replace('_', '-')}-5f1c9a7e3b"


def write_env_file(path: Path, leave_out: tuple[str, ...] = ()) -> Path:
    """.env.example with every secret filled in (distinct values, to trace where each goes)."""
    lines = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        name = line.split("=", 1)[0] if re.match(r"^[A-Z][A-Z0-9_]*=", line) else None
        if name in leave_out:
            continue
        if name in SECRETS:
            line = f"{name}={secret_value(name)}"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def compose(env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if DOCKER_COMPOSE is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose): the compose file is not validated")
    # A clean environment: variables set in the shell would override the env file.
    return subprocess.run(
        [DOCKER_COMPOSE, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), "--env-file", str(env_file), *args],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin:/usr/local/bin"}, capture_output=True, text=True, timeout=120,
    )


@cache
def resolved_config() -> dict[str, Any]:
    """docker-compose.yml as docker-compose resolves it with the complete test env file."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = compose(write_env_file(Path(tmp) / "test.env"), "config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@cache
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict[str, Any]]:
    return resolved_config()["services"]


# -- docker-compose config ---------------------------------------------------------------


def test_compose_file_is_valid_with_a_complete_env_file(tmp_path: Path) -> None:
    result = compose(write_env_file(tmp_path / "test.env"), "config", "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("secret", sorted(set(SECRETS) - {"POSTGRES_PASSWORD"}) + ["POSTGRES_PASSWORD"])
def test_a_missing_secret_stops_compose_with_its_name(tmp_path: Path, secret: str) -> None:
    result = compose(write_env_file(tmp_path / "test.env", leave_out=(secret,)), "config", "-q")
    assert result.returncode != 0
    assert f"set {secret} in .env" in result.stderr


# -- Files ---------------------------------------------------------------------------------


def dockerfiles() -> list[Path]:
    return sorted({ROOT / s["build"]["dockerfile"] for s in raw_compose()["services"].values() if "build" in s}
                  | {ROOT / a["build"]["dockerfile"] for k, a in raw_compose().items() if k.startswith("x-") and isinstance(a, dict) and "build" in a})


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", "\n".join(
        line for line in dockerfile.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    ))
    return [(m.group(1).upper(), m.group(2).strip()) for m in re.finditer(r"^\s*(\w+)\s+(.*)$", text, flags=re.MULTILINE)]


def copy_sources(dockerfile: Path) -> list[str]:
    sources = []
    for instruction, args in instructions(dockerfile):
        if instruction in {"COPY", "ADD"}:
            parts = json.loads(args) if args.startswith("[") else args.split()
            parts = [p for p in parts if not p.startswith("--")]
            sources += parts[:-1]
    return sources


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def dockerignored(path: str) -> bool:
    """Whether .dockerignore leaves ``path`` (relative to the context) out: it or a parent matches."""
    patterns = [p.strip().strip("/") for p in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
                if p.strip() and not p.lstrip().startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "exceptions (!) are not handled by this test"
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(_pattern_regex(p).fullmatch(prefix) for p in patterns for prefix in prefixes)


def project_files(under: str) -> list[str]:
    """Files git would commit under ``under`` (tracked or new, not gitignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", under],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    return [f for f in listed if (ROOT / f).exists()]


def test_build_contexts_and_dockerfiles_exist() -> None:
    for name, service in raw_compose()["services"].items():
        build = service.get("build")  # merged from x-app where the service uses it
        if build:
            assert (ROOT / build["context"]).is_dir(), name
            assert (ROOT / build["dockerfile"]).is_file(), name
    assert len(dockerfiles()) == 2, dockerfiles()


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=lambda p: p.name)
def test_everything_a_dockerfile_copies_exists_and_is_in_the_context(dockerfile: Path) -> None:
    sources = copy_sources(dockerfile)
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"{dockerfile.name} copies {source}, which does not exist"
        assert not dockerignored(source), f"{dockerfile.name} copies {source}, which .dockerignore leaves out"
        for file in project_files(source):
            assert not dockerignored(file), f".dockerignore leaves out {file}, which {dockerfile.name} copies"


def test_the_build_context_leaves_out_local_state_and_secrets() -> None:
    for path in [".venvs/app/bin/python", "var/secret.key", "var/ieomoa.sqlite", "var/models/current", ".env",
                 ".git/config", "bot/__pycache__/app.cpython-311.pyc", "nlu/.rasa/cache/cache.db",
                 "bench/results/run.json", "tests/unit/test_deployment.py"]:
        assert dockerignored(path), path


def test_the_commands_run_modules_that_exist() -> None:
    """App services run ``python -m <module>`` from the project; Rasa's image is nlu/ at /app."""
    for name, service in services().items():
        command = service.get("command") or []
        if command[:2] == ["python", "-m"]:
            module = ROOT / command[2].replace(".", "/")
            assert module.with_suffix(".py").is_file() or (module / "__main__.py").is_file(), (name, command)
    rasa = services()["rasa"]["command"]
    for option in ("--endpoints", "--credentials"):
        assert (ROOT / "nlu" / rasa[rasa.index(option) + 1]).is_file(), option
    rasa_image = [args for i, args in instructions(ROOT / "docker/rasa.Dockerfile") if i == "ENTRYPOINT"][-1]
    module = json.loads(rasa_image)[2]
    assert (ROOT / "nlu" / (module.replace(".", "/") + ".py")).is_file(), module


# -- Variables -----------------------------------------------------------------------------


def test_every_compose_variable_is_documented_in_env_example() -> None:
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE_FILE.read_text(encoding="utf-8")))
    assert used >= set(SECRETS)
    assert not used - set(env_example_names()), f"not in .env.example: {sorted(used - set(env_example_names()))}"


def test_no_service_reads_the_whole_env_file() -> None:
    assert not [name for name, s in services().items() if "env_file" in s]


def test_each_service_gets_only_the_secrets_it_uses() -> None:
    got: dict[str, set[str]] = {secret: set() for secret in SECRETS}
    for name, service in services().items():
        for secret in SECRETS:
            if secret_value(secret) in json.dumps(service, ensure_ascii=False):
                got[secret].add(name)
                outside = {k: v for k, v in service.items() if k != "environment"}
                assert secret_value(secret) not in json.dumps(outside), f"{name} gets {secret} outside its environment"
    assert got == SECRETS


# -- Health, order, users -----------------------------------------------------------------


def one_shots() -> set[str]:
    """Services others wait for with service_completed_successfully (migrate)."""
    return {dep for s in services().values() for dep, c in (s.get("depends_on") or {}).items()
            if c.get("condition") == "service_completed_successfully"}


def test_every_service_has_a_healthcheck_with_a_tool_its_image_has() -> None:
    for name, service in services().items():
        check = service.get("healthcheck")
        if name in one_shots():
            assert service.get("restart") == "no", name
            continue
        assert check and not check.get("disable") and check.get("test"), f"{name} has no healthcheck"
        test = check["test"]
        assert test[0] in {"CMD", "CMD-SHELL"}, name
        tool = test[1].split()[0]
        image = service.get("image", "").split(":")[0]
        assert tool == HEALTHCHECK_TOOL.get(image, OUR_IMAGES_TOOL), (name, tool)
        if tool == "python":
            compile(test[test.index("-c") + 1], name, "exec")  # the one-liner is valid Python


def test_services_wait_for_what_they_call_to_be_healthy() -> None:
    for name, service in services().items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            wanted = "service_completed_successfully" if dependency in one_shots() else "service_healthy"
            assert condition.get("condition") == wanted, (name, dependency, condition)
    assert set(services()["bot"]["depends_on"]) >= {"rasa", "migrate"}
    assert set(services()["rasa"]["depends_on"]) >= {"postgres", "redis", "action-server"}


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=lambda p: p.name)
def test_images_run_as_non_root_with_a_healthcheck_decision(dockerfile: Path) -> None:
    steps = instructions(dockerfile)
    users = [args for instruction, args in steps if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, dockerfile.name
    assert any(instruction == "HEALTHCHECK" for instruction, _ in steps), dockerfile.name
