"""Run the local stack: Rasa server, action server, agency API, the bot or terminal chat, KakaoTalk's skill.

Used by ``make run`` and by the integration and end-to-end tests, so both start the
very same processes the same way. Under ``make run`` a supervisor (``tools/supervisor.py``)
restarts a process that crashes, stops every process group on Ctrl-C or SIGTERM, and first
stops what an earlier run left behind on our ports (``tools/leftovers.py``).

Every server listens on 127.0.0.1 unless IEOMOA_BIND_HOST says otherwise. Secrets reach the
processes through the environment (or, for Rasa's call to the action server, the endpoints
file, mode 0600), never through a command line, which ``ps`` shows to every user.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from functools import partial
from pathlib import Path
from typing import IO

import httpx

from ieomoa.config import PROJECT_ROOT, VAR_DIR, Settings, dotenv_variables, env_file, load_settings
from ieomoa.crypto import current_secret
from ieomoa.rasa_endpoints import write_endpoints
from tools import service_commands
from tools.leftovers import clear_leftovers
from tools.process_groups import ManagedProcess
from tools.supervisor import PidFile, Supervisor, run_supervised, wait_forever

__all__ = ["ManagedProcess", "main", "wait_until_ready"]

RASA_BIN = PROJECT_ROOT / ".venvs" / "rasa" / "bin" / "rasa"
RASA_PYTHON = RASA_BIN.with_name("python")
NLU_DIR = PROJECT_ROOT / "nlu"
CURRENT_MODEL_POINTER = VAR_DIR / "models" / "current"
PID_FILE = VAR_DIR / "stack.pid"


def current_model() -> Path:
    """The trained model that ``make model`` last selected."""
    if not CURRENT_MODEL_POINTER.exists():
        raise SystemExit("No trained model: run 'make model' (make run does it for you).")
    return Path(CURRENT_MODEL_POINTER.read_text().strip())


def wait_until_ready(url: str, process: ManagedProcess, timeout: float = 300.0) -> None:
    """Poll ``url`` until it answers 2xx; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited; see {process.log_path}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 300:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{process.name} not ready after {timeout:.0f}s; see {process.log_path}")


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for children: ``.env``'s variables under ours, no telemetry, unbuffered output.

    Rasa reads no ``.env`` itself, so it gets the file's values here, as the app's settings
    do. Rasa's API token and the action server's secret are generated per run when unset.
    """
    env = {name: value for name, value in dotenv_variables(env_file()).items() if value is not None}
    env.update(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"})
    for name in ("RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET"):
        if not env.get(name):
            env[name] = secrets.token_hex(24)
    env.update(extra or {})
    return env


def rasa_process(
    *, model: Path, endpoints: Path, port: int, env: dict[str, str], log_dir: Path,
    echo: IO[str] | None = None,
) -> ManagedProcess:
    """The Rasa server on the REST channel, through nlu/ieomoa_nlu/rasa_cli.py.

    The launcher hands Rasa the API token from RASA_AUTH_TOKEN, so it is not in argv, and
    the interface from IEOMOA_BIND_HOST (127.0.0.1 unless set).
    """
    command = [str(RASA_PYTHON), *service_commands.rasa(
        model=str(model), endpoints=str(endpoints), credentials=str(NLU_DIR / "credentials.yml"), port=port,
    )]
    env = dict(env, PYTHONPATH=str(NLU_DIR))
    return ManagedProcess("rasa", command, env, NLU_DIR, log_dir / "rasa.log", echo)


def service_process(
    name: str, arguments: list[str], *, env: dict[str, str], log_dir: Path, echo: IO[str] | None = None
) -> ManagedProcess:
    """A service of this checkout under the app environment's interpreter, logging to <name>.log."""
    command = [sys.executable, *arguments]
    return ManagedProcess(name, command, env, PROJECT_ROOT, log_dir / f"{name}.log", echo)


def action_server_process(
    *, port: int, env: dict[str, str], log_dir: Path, echo: IO[str] | None = None
) -> ManagedProcess:
    """The action server running actions/: rasa_sdk behind the ACTION_SERVER_SECRET check."""
    return service_process("actions", service_commands.action_server(port), env=env, log_dir=log_dir, echo=echo)


# The Telegram bot (polling, or a webhook server when BOT_MODE=webhook), the outbox relay,
# the agency API and KakaoTalk's skill server (both FastAPI under uvicorn).
bot_process = partial(service_process, "bot", service_commands.bot())
relay_process = partial(service_process, "relay", service_commands.relay())
agency_api_process = partial(service_process, "agency-api", service_commands.agency_api())
kakao_process = partial(service_process, "kakao", service_commands.kakao())


def kakao_skill_port(settings: Settings) -> int | None:
    """The skill server's port when KAKAO_SKILL_SECRET is set (it runs then), else None."""
    return settings.kakao_skill_port if settings.kakao_skill_secret else None


def port_of(url: str, default: int) -> int:
    """Port of a URL, or the default."""
    return httpx.URL(url).port or default


def ports_of(settings: Settings, *, with_bot: bool) -> dict[int, str]:
    """Every port this run will listen on, with what listens there."""
    ports = {
        port_of(settings.action_server_url, 5055): "the action server",
        port_of(settings.rasa_url, 5005): "the Rasa server",
        settings.agency_api_port: "the agency API",
    }
    if with_bot and settings.bot_mode == "webhook":
        ports[settings.telegram_webhook_port] = "the bot's webhook"
    if (kakao_port := kakao_skill_port(settings)) is not None:
        ports[kakao_port] = "the KakaoTalk skill server"
    return ports


def main() -> None:
    """Start the stack; the bot when a token is set, otherwise the terminal chat."""
    # Databases, logs and caches this run creates hold personal data: owner-only files.
    os.umask(0o077)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terminal", action="store_true", help="terminal chat even with a token")
    args = parser.parse_args()

    log_dir = VAR_DIR / "log"
    # Every process, Rasa's encrypted tracker store included, uses the same key.
    env = child_env({"IEOMOA_SECRET_KEY": current_secret()})
    # The action server's secret of this run goes into the endpoints file Rasa reads.
    settings = load_settings().model_copy(update={"action_server_secret": env["ACTION_SERVER_SECRET"]})
    with_bot = bool(settings.telegram_bot_token) and not args.terminal
    if with_bot:
        from bot.webhook import check_update_settings

        check_update_settings(settings)  # a webhook without its secret stops here, not in a loop
    pid_file = PidFile(PID_FILE)
    for note in clear_leftovers(pid_file, ports_of(settings, with_bot=with_bot), host=settings.bind_host):
        print(note, flush=True)
    endpoints = write_endpoints(VAR_DIR / "endpoints.yml", settings)
    echo = sys.stdout if with_bot else None
    supervisor = Supervisor(pid_file=pid_file)

    def run() -> None:
        actions = action_server_process(
            port=port_of(settings.action_server_url, 5055), env=env, log_dir=log_dir, echo=echo
        )
        rasa = rasa_process(
            model=current_model(), endpoints=endpoints, port=port_of(settings.rasa_url, 5005),
            env=env, log_dir=log_dir, echo=echo,
        )
        agency_api = agency_api_process(env=env, log_dir=log_dir, echo=echo)
        print("Starting the action server and the Rasa server (Rasa takes about 30 s)...", flush=True)
        for process in (actions, rasa, agency_api):
            supervisor.start(process)
        wait_until_ready(settings.action_server_url.rsplit("/", 1)[0] + "/health", actions)
        wait_until_ready(settings.rasa_url + "/", rasa)
        wait_until_ready(f"http://127.0.0.1:{settings.agency_api_port}/docs", agency_api)
        print(f"Agency API: http://127.0.0.1:{settings.agency_api_port}/docs", flush=True)
        kakao_port = kakao_skill_port(settings)
        if kakao_port is not None:  # KakaoTalk's skill, next to the Telegram bot or the terminal
            kakao = kakao_process(env=env, log_dir=log_dir, echo=echo)
            supervisor.start(kakao)
            wait_until_ready(f"http://127.0.0.1:{kakao_port}/health", kakao)
            print(f"KakaoTalk skill: http://127.0.0.1:{kakao_port}/kakao/skill", flush=True)
        if not with_bot:
            from bot.terminal import run_terminal_chat
            from ieomoa.retention import sweep

            sweep(settings.database_url)  # no relay runs here to sweep every hour
            if settings.kakao_bot_id and settings.kakao_rest_api_key:  # KakaoTalk's pushes
                supervisor.start(relay_process(env=env, log_dir=log_dir, echo=echo))

            # Rasa's REST channel wants this run's token from the terminal chat too.
            os.environ["RASA_AUTH_TOKEN"] = env["RASA_AUTH_TOKEN"]
            run_terminal_chat(settings.database_url, settings.rasa_url)
            return
        supervisor.start(bot_process(env=env, log_dir=log_dir, echo=echo))
        supervisor.start(relay_process(env=env, log_dir=log_dir, echo=echo))
        print("The bot is running; a process that stops is started again. Press Ctrl-C to stop. "
              "Logs are in var/log/.", flush=True)
        wait_forever()

    try:
        run_supervised(supervisor, run)
    except (RuntimeError, TimeoutError) as error:  # a server that never came up
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
