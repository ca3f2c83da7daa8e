"""The docker-compose deployment, checked without a Docker engine.

``docker-compose config`` (Debian's docker-compose 1.29, which `make test` installs through
scripts/ensure-docker-compose.sh) validates docker-compose.yml against the Compose schema and
resolves it; the rest reads the files. Everything the compose file and the Dockerfiles
reference exists, or is made by `make secrets`; every variable is documented in .env.example;
each service gets only its own secrets, as files, and reads them; every service has a
healthcheck and waits for what it calls to be healthy; images are pinned and run as non-root;
and each service runs the very command `make run` and the tests run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from ieomoa.config import env_value, load_settings
from ieomoa.conversation.rasa_client import TOKEN_HEADER
from tools import service_commands
from tools.stack import (
    NLU_DIR,
    RASA_PYTHON,
    action_server_process,
    agency_api_process,
    bot_process,
    rasa_process,
    relay_process,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
MAKE_SECRETS = ROOT / "scripts" / "make-secrets.sh"
SECRETS_MOUNT = "/run/secrets/"

# Who needs which secret, and why. Nothing else reaches a container.
SECRETS: dict[str, set[str]] = {
    # Sets up the database user's password at first start.
    "postgres": {"postgres_password"},
    "redis": set(),
    "migrate": {"database_url"},
    # Checks Rasa's calls; decrypts the disability fields it reads and writes.
    "action-server": {"database_url", "action_server_secret", "ieomoa_secret_key"},
    # Its API token (also the REST channel's), the action server's secret it sends, the
    # tracker store's database password and the key that encrypts conversation events.
    "rasa": {"rasa_auth_token", "action_server_secret", "postgres_password", "ieomoa_secret_key"},
    # Calls Rasa with its token, seals claimed updates, talks to Telegram, checks webhook calls.
    "bot": {"database_url", "rasa_auth_token", "ieomoa_secret_key", "telegram_bot_token",
            "telegram_webhook_secret"},
    # Decrypts queued push texts and sends them through Telegram and KakaoTalk's Event API.
    "relay": {"database_url", "ieomoa_secret_key", "telegram_bot_token", "kakao_rest_api_key"},
    # Decrypts the disability fields it serves; keys its per-client lockout.
    "agency-api": {"database_url", "ieomoa_secret_key"},
    # KakaoTalk's skill server: calls Rasa, checks Kakao's header secret, finishes erasures.
    "kakao": {"database_url", "rasa_auth_token", "ieomoa_secret_key", "kakao_skill_secret"},
    # HAProxy in front of the Rasa replicas passes requests on; it reads none of them.
    "rasa-lb": set(),
}
# Only the servers others call listen beyond their container's loopback; the bot for webhooks.
LISTEN_ON_ALL = {"action-server", "rasa", "agency-api", "bot", "kakao"}
# The tool each image has for its healthcheck.
HEALTHCHECK_TOOL = {"postgres": "pg_isready", "redis": "redis-cli", "haproxy": "bash"}
OUR_IMAGES_TOOL = "python"
# An exact release of each image we pull, never latest or a bare major (PostgreSQL numbers
# its releases MAJOR.MINOR since 10), optionally with the Debian release it is built on.
EXACT_RELEASE = {"python": r"\d+\.\d+\.\d+", "postgres": r"\d+\.\d+", "redis": r"\d+\.\d+\.\d+",
                 "haproxy": r"\d+\.\d+\.\d+"}


# -- docker-compose ----------------------------------------------------------------------


def variables_in(path: Path) -> set[str]:
    """The ${VAR}s in a YAML file's values (its comments left out)."""
    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(key)
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)
        elif isinstance(node, str):
            yield from re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", node)

    return set(walk(yaml.safe_load(path.read_text(encoding="utf-8"))))


def docker_compose() -> str:
    """The docker-compose executable; its absence is a failure, never a skip."""
    found = shutil.which("docker-compose")
    assert found, "docker-compose is not installed: run scripts/ensure-docker-compose.sh (make test does)"
    return found


def compose(env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: variables set in the shell would override the env file.
    return subprocess.run(
        [docker_compose(), "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), "--env-file", str(env_file), *args],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin:/usr/local/bin"}, capture_output=True, text=True, timeout=120,
    )


@cache
def resolved_config() -> dict[str, Any]:
    """docker-compose.yml as docker-compose resolves it with .env.example."""
    result = compose(ENV_EXAMPLE, "config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@cache
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict[str, Any]]:
    return resolved_config()["services"]


def environment(service: str) -> dict[str, str]:
    return {key: "" if value is None else str(value) for key, value in (services()[service].get("environment") or {}).items()}


def test_docker_compose_runs() -> None:
    result = subprocess.run([docker_compose(), "version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_compose_file_is_valid_with_the_documented_env_file() -> None:
    result = compose(ENV_EXAMPLE, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_file_is_valid_without_any_env_file(tmp_path: Path) -> None:
    """No setting in .env is required: the defaults make a working polling deployment."""
    empty = tmp_path / "empty.env"
    empty.write_text("", encoding="utf-8")
    result = compose(empty, "config", "-q")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr  # no variable left unset


def test_the_setup_step_installs_docker_compose_and_is_idempotent() -> None:
    result = subprocess.run([str(ROOT / "scripts" / "ensure-docker-compose.sh")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # already there: nothing installed, nothing said
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test:.*\bcompose-tool\b", makefile, flags=re.MULTILINE)
    assert re.search(r"^compose-tool:\n\t@?scripts/ensure-docker-compose\.sh$", makefile, flags=re.MULTILINE)


# -- Secrets -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The secret files as `TELEGRAM_BOT_TOKEN=... make secrets` writes them."""
    folder = tmp_path_factory.mktemp("deploy") / "secrets"
    result = subprocess.run([str(MAKE_SECRETS), str(folder)], env=dict(os.environ, TELEGRAM_BOT_TOKEN="123456:test-bot-token"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return folder


def secret_values(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8").strip() for path in sorted(folder.iterdir())}


def test_each_service_gets_only_the_secrets_it_needs() -> None:
    got = {name: {entry["source"] for entry in service.get("secrets") or []} for name, service in services().items()}
    assert got == SECRETS


def test_secrets_are_files_never_values_in_the_environment() -> None:
    """Each mounted secret is named by a <NAME>_FILE variable; no secret is a plain variable."""
    secret_variables = {"TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "DATABASE_URL", "IEOMOA_SECRET_KEY",
                        "ACTION_SERVER_SECRET", "RASA_AUTH_TOKEN", "POSTGRES_PASSWORD", "TRACKER_DB_PASSWORD"}
    for name in services():
        env = environment(name)
        assert not secret_variables & set(env), f"{name} gets a secret as a plain variable"
        named = {value.removeprefix(SECRETS_MOUNT) for key, value in env.items() if key.endswith("_FILE")}
        assert all(env[key].startswith(SECRETS_MOUNT) for key in env if key.endswith("_FILE")), name
        mounted = {entry["source"] for entry in services()[name].get("secrets") or []}
        assert named == mounted, f"{name}: mounted {sorted(mounted)}, read {sorted(named)}"


def test_no_service_reads_the_whole_env_file() -> None:
    assert not [name for name, s in services().items() if "env_file" in s]


def test_make_secrets_writes_every_file_compose_mounts(secrets_dir: Path) -> None:
    declared = raw_compose()["secrets"]
    assert {name: entry["file"] for name, entry in declared.items()} == {name: f"./secrets/{name}" for name in declared}
    values = secret_values(secrets_dir)
    assert set(values) == set(declared)
    assert all(values.values()) and len(set(values.values())) == len(values)
    assert values["telegram_bot_token"] == "123456:test-bot-token"
    assert values["database_url"] == f"postgresql+psycopg://ieomoa:{values['postgres_password']}@postgres:5432/ieomoa"
    # Telegram accepts 1-256 of A-Z, a-z, 0-9, _ and - as a webhook secret_token.
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", values["telegram_webhook_secret"])
    assert len(values["action_server_secret"]) >= 16
    # Other host users cannot enter the folder; the containers' own users can read the files.
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in secrets_dir.iterdir()} == {0o644}


def test_make_secrets_keeps_what_exists_and_needs_the_bot_token(secrets_dir: Path, tmp_path: Path) -> None:
    before = secret_values(secrets_dir)
    again = subprocess.run([str(MAKE_SECRETS), str(secrets_dir)], env={"PATH": os.environ["PATH"]},
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert secret_values(secrets_dir) == before
    fresh = subprocess.run([str(MAKE_SECRETS), str(tmp_path / "secrets")], env={"PATH": os.environ["PATH"]},
                           capture_output=True, text=True, timeout=60)
    assert fresh.returncode != 0
    assert "telegram_bot_token" in fresh.stderr and "TELEGRAM_BOT_TOKEN" in fresh.stderr
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^secrets:\n\t@?scripts/make-secrets\.sh$", makefile, flags=re.MULTILINE)


def test_secret_files_stay_out_of_git_and_the_images() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", "secrets/ieomoa_secret_key"], cwd=ROOT, timeout=30)
    assert ignored.returncode == 0, "secrets/ is not in .gitignore"
    assert dockerignored("secrets/ieomoa_secret_key")


@pytest.fixture
def container_env(secrets_dir: Path) -> Iterator[Any]:
    """Runs code with exactly one service's environment, its /run/secrets/ being ``secrets_dir``."""
    saved = dict(os.environ)

    def enter(service: str) -> dict[str, str]:
        env = {key: value.replace(SECRETS_MOUNT, f"{secrets_dir}/") for key, value in environment(service).items()}
        os.environ.clear()
        os.environ.update(env)
        return env

    yield enter
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.parametrize("service", ["migrate", "action-server", "bot", "relay", "agency-api"])
def test_each_app_service_reads_its_secrets_from_the_mounted_files(
    service: str, secrets_dir: Path, container_env: Any,
) -> None:
    values = secret_values(secrets_dir)
    env = container_env(service)
    for key in env:
        if key.endswith("_FILE"):
            assert env_value(key.removesuffix("_FILE")) == values[Path(env[key]).name], key
    settings = load_settings()
    assert settings.database_url == values["database_url"]
    expected = {
        "action-server": {"action_server_secret": values["action_server_secret"], "secret_key": values["ieomoa_secret_key"]},
        "bot": {"telegram_bot_token": values["telegram_bot_token"], "secret_key": values["ieomoa_secret_key"],
                "telegram_webhook_secret": values["telegram_webhook_secret"], "rasa_url": "http://rasa-lb:5005"},
        "relay": {"telegram_bot_token": values["telegram_bot_token"], "secret_key": values["ieomoa_secret_key"]},
        "agency-api": {"secret_key": values["ieomoa_secret_key"]},
    }.get(service, {})
    for field, value in expected.items():
        assert getattr(settings, field) == value, field
    assert settings.bind_host == ("0.0.0.0" if service in LISTEN_ON_ALL else "127.0.0.1")


def test_rasa_finds_every_variable_of_its_endpoints_in_its_container(secrets_dir: Path) -> None:
    """ieomoa_nlu.rasa_cli loads the files; nlu/endpoints.yml and the channel then find them."""
    sys.path.insert(0, str(NLU_DIR / "ieomoa_nlu"))
    try:
        import secret_files  # nlu/ieomoa_nlu/secret_files.py: no Rasa import
    finally:
        sys.path.pop(0)
    values = secret_values(secrets_dir)
    env = {key: value.replace(SECRETS_MOUNT, f"{secrets_dir}/") for key, value in environment("rasa").items()}
    secret_files.load_secret_files(env)
    used = variables_in(NLU_DIR / "endpoints.yml")
    assert used and not used - {key for key, value in env.items() if value}
    assert env["ACTION_SERVER_SECRET"] == values["action_server_secret"]
    assert env["TRACKER_DB_PASSWORD"] == values["postgres_password"]
    assert env["RASA_AUTH_TOKEN"] == values["rasa_auth_token"]
    assert env["IEOMOA_SECRET_KEY"] == values["ieomoa_secret_key"]
    assert env["TRACKER_DB_USER"] == environment("postgres")["POSTGRES_USER"]
    assert environment("postgres")["POSTGRES_PASSWORD_FILE"] == f"{SECRETS_MOUNT}postgres_password"


# -- Rasa only for its callers -------------------------------------------------------------


def test_rasas_rest_channel_requires_the_token_the_bot_sends() -> None:
    credentials = yaml.safe_load((NLU_DIR / "credentials.yml").read_text(encoding="utf-8"))
    assert list(credentials) == ["ieomoa_nlu.rest_channel.TokenRestInput"]  # not Rasa's open `rest`
    channel = (NLU_DIR / "ieomoa_nlu" / "rest_channel.py").read_text(encoding="utf-8")
    assert f'TOKEN_HEADER = "{TOKEN_HEADER}"' in channel
    # Rasa and the bot hold the same token.
    assert "rasa_auth_token" in SECRETS["rasa"] & SECRETS["bot"]


def test_only_the_servers_others_call_listen_beyond_loopback() -> None:
    listening = {name for name in services() if environment(name).get("IEOMOA_BIND_HOST") == "0.0.0.0"}
    assert listening == LISTEN_ON_ALL
    for name, service in services().items():
        for port in service.get("ports") or []:
            published = port if isinstance(port, str) else f"{port.get('host_ip')}:{port.get('published')}"
            assert published.startswith("127.0.0.1:"), (name, port)


def test_the_bot_is_wired_for_webhook_mode() -> None:
    env = environment("bot")
    assert env["BOT_MODE"] == "polling"  # the default; BOT_MODE=webhook in .env switches
    assert env["TELEGRAM_WEBHOOK_SECRET_FILE"] == f"{SECRETS_MOUNT}telegram_webhook_secret"
    published = services()["bot"]["ports"]
    assert published == ["127.0.0.1:8081:8081/tcp"] or published == [
        {"host_ip": "127.0.0.1", "published": 8081, "target": 8081, "protocol": "tcp"}]
    assert env["TELEGRAM_WEBHOOK_PORT"] == "8081"


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
    assert len(dockerfiles()) == 3, dockerfiles()  # the app's, the action server's, Rasa's


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
                 "secrets/database_url", ".git/config", "bot/__pycache__/app.cpython-311.pyc",
                 "nlu/.rasa/cache/cache.db", "bench/results/run.json", "tests/unit/test_deployment.py"]:
        assert dockerignored(path), path


def test_every_file_a_service_names_exists() -> None:
    """The modules the commands run, and Rasa's endpoints and credentials (nlu/ is /app)."""
    for name, service in services().items():
        command = service.get("command") or []
        if command[:2] == ["python", "-m"]:
            module = command[2].replace(".", "/")
            found = [base / module for base in (ROOT, NLU_DIR)
                     if (base / module).with_suffix(".py").is_file() or (base / module / "__main__.py").is_file()]
            assert found, (name, command)
    rasa = services()["rasa"]["command"]
    for option in ("--endpoints", "--credentials"):
        assert (NLU_DIR / rasa[rasa.index(option) + 1]).is_file(), option
    assert set(raw_compose()["volumes"]) == {"postgres-data"}  # named volumes only, no host paths
    for name, service in services().items():
        for volume in service.get("volumes") or []:
            assert (volume["type"] if isinstance(volume, dict) else "volume") == "volume", (name, volume)


# -- Commands: the ones make run and the tests run ------------------------------------------


def test_each_container_runs_the_shared_command() -> None:
    for name, command in service_commands.CONTAINER_COMMANDS.items():
        assert services()[name]["command"] == command, name
    ours = {name for name, service in raw_compose()["services"].items() if "build" in service or "<<" in service}
    assert ours == set(service_commands.CONTAINER_COMMANDS)
    rasa_cmd = [args for instruction, args in instructions(ROOT / "docker" / "rasa.Dockerfile") if instruction == "CMD"]
    assert json.loads(rasa_cmd[-1]) == service_commands.CONTAINER_COMMANDS["rasa"]
    assert not [i for i, _ in instructions(ROOT / "docker" / "rasa.Dockerfile") if i == "ENTRYPOINT"]


def test_make_run_and_the_tests_run_the_same_commands(tmp_path: Path) -> None:
    """tools/stack.py (make run, the integration and e2e tests) differs only in interpreter and parameters."""
    env: dict[str, str] = {}
    model, endpoints = tmp_path / "model.tar.gz", tmp_path / "endpoints.yml"
    local = {
        "action-server": action_server_process(port=6055, env=env, log_dir=tmp_path).command,
        "rasa": rasa_process(model=model, endpoints=endpoints, port=6005, env=env, log_dir=tmp_path).command,
        "bot": bot_process(env=env, log_dir=tmp_path).command,
        "relay": relay_process(env=env, log_dir=tmp_path).command,
        "agency-api": agency_api_process(env=env, log_dir=tmp_path).command,
    }
    expected = {
        "action-server": [sys.executable, *service_commands.action_server(6055)],
        "rasa": [str(RASA_PYTHON), *service_commands.rasa(model=str(model), endpoints=str(endpoints),
                                                         credentials=str(NLU_DIR / "credentials.yml"), port=6005)],
        "bot": [sys.executable, *service_commands.bot()],
        "relay": [sys.executable, *service_commands.relay()],
        "agency-api": [sys.executable, *service_commands.agency_api()],
    }
    assert local == expected
    # With the containers' parameters, the same words as docker-compose.yml.
    container_rasa = ["python", *service_commands.rasa(model="/app/models/ieomoa.tar.gz", endpoints="endpoints.yml",
                                                      credentials="credentials.yml")]
    assert services()["rasa"]["command"] == container_rasa
    assert services()["action-server"]["command"] == ["python", *service_commands.action_server()]
    migrate_source = (ROOT / "bench" / "support" / "replicas.py").read_text(encoding="utf-8")
    assert "service_commands.migrate()" in migrate_source


# -- Variables -----------------------------------------------------------------------------


def env_example_names() -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_every_compose_variable_is_documented_in_env_example() -> None:
    used = variables_in(COMPOSE_FILE)
    assert used, "no ${VAR} found: the pattern is wrong"
    assert not used - env_example_names(), f"not in .env.example: {sorted(used - env_example_names())}"


def test_every_container_variable_is_one_we_read() -> None:
    """Documented in .env.example (itself or as <NAME>_FILE), nlu/endpoints.yml's, or the image's own."""
    endpoints = variables_in(NLU_DIR / "endpoints.yml")
    images_own = {"postgres": {"POSTGRES_USER", "POSTGRES_PASSWORD_FILE", "POSTGRES_DB"}}
    for name in services():
        for key in environment(name):
            known = (key in env_example_names() or key.removesuffix("_FILE") in env_example_names()
                     or key.removesuffix("_FILE") in endpoints or key in images_own.get(name, set()))
            assert known, f"{name}: {key} is not documented"


# -- Health, order -------------------------------------------------------------------------


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
            source = test[test.index("-c") + 1]
            compile(source, name, "exec")  # the one-liner is valid Python
            # Secrets are files: a check reads settings through ieomoa.config, not os.environ.
            assert "os.environ" not in source, name


def test_services_wait_for_what_they_call_to_be_healthy() -> None:
    for name, service in services().items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            wanted = "service_completed_successfully" if dependency in one_shots() else "service_healthy"
            assert condition.get("condition") == wanted, (name, dependency, condition)
    assert set(services()["bot"]["depends_on"]) >= {"rasa", "migrate"}
    assert set(services()["rasa"]["depends_on"]) >= {"postgres", "redis", "action-server"}
    assert one_shots() == {"migrate"}


# -- Images --------------------------------------------------------------------------------


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def pinned(image: str) -> bool:
    """True for ``name:<exact release>[-<variant>]`` of an image in EXACT_RELEASE."""
    name, _, tag = image.partition(":")
    return name in EXACT_RELEASE and re.fullmatch(rf"{EXACT_RELEASE[name]}(-[a-z0-9.-]+)?", tag) is not None


def test_every_image_is_pinned_to_an_exact_version() -> None:
    for name, service in services().items():
        image = service["image"]
        if "build" in service:
            assert image.split(":")[1] == project_version(), (name, image)  # ours: the release they hold
        else:
            assert pinned(image), f"{name}: {image} is not an exact release"
    bases = [args for dockerfile in dockerfiles() for instruction, args in instructions(dockerfile) if instruction == "FROM"]
    assert bases and all(pinned(base) for base in bases), bases
    assert not pinned("python:3.11-slim") and not pinned("redis:7") and not pinned("postgres:latest")


def test_the_images_python_is_the_one_the_environments_use() -> None:
    """3.11 for the app and 3.10 for Rasa, as the Makefile's environments."""
    bases = {dockerfile.name: args for dockerfile in dockerfiles() for instruction, args in instructions(dockerfile)
             if instruction == "FROM"}
    assert bases["app.Dockerfile"].startswith("python:3.11.") and bases["rasa.Dockerfile"].startswith("python:3.10.")
    assert bases["actions.Dockerfile"] == bases["app.Dockerfile"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "find_python,3.11" in makefile and "find_python,3.10" in makefile


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=lambda p: p.name)
def test_pip_installs_only_pinned_requirements(dockerfile: Path) -> None:
    for instruction, args in instructions(dockerfile):
        if instruction == "RUN" and "pip install" in args:
            for command in re.split(r"&&|;", args):
                if "pip install" not in command:
                    continue
                words = command.split()
                requirement_files = [words[i + 1] for i, w in enumerate(words) if w == "-r"]
                local = "--no-deps" in words and ("-e" in words or "." in words)
                assert requirement_files or local, f"{dockerfile.name}: {command.strip()}"
                assert not requirement_files or "--no-build-isolation" not in words
                if local:
                    assert "--no-build-isolation" in words, f"{dockerfile.name}: a build would fetch unpinned setuptools"
                assert not requirement_files or "--require-hashes" in words, f"{dockerfile.name}: {command.strip()}"
                for file in requirement_files:
                    text = (ROOT / file).read_text(encoding="utf-8").replace("\\\n", " ")
                    lines = [" ".join(line.split("#")[0].split()) for line in text.splitlines()]
                    pinned_with_hashes = r"[A-Za-z0-9._-]+==[^=\s]+( --hash=sha256:[0-9a-f]{64})+"
                    unpinned = [line for line in lines if line and not re.fullmatch(pinned_with_hashes, line)]
                    assert not unpinned, f"{file}: {unpinned[:5]}"


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=lambda p: p.name)
def test_images_run_as_non_root_with_a_healthcheck(dockerfile: Path) -> None:
    steps = instructions(dockerfile)
    users = [args for instruction, args in steps if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, dockerfile.name
    checks = [args for instruction, args in steps if instruction == "HEALTHCHECK"]
    assert checks and "CMD" in checks[-1] and checks[-1] != "NONE", dockerfile.name
    source = json.loads(checks[-1][checks[-1].index("["):])
    assert source[0] == "python"
    compile(source[source.index("-c") + 1], dockerfile.name, "exec")
