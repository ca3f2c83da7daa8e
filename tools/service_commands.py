"""The command each service runs, in one place for docker-compose.yml, `make run` and the tests.

Each function gives the arguments after the interpreter. Containers run them with ``python``
(CONTAINER_COMMANDS: tests/unit/test_deployment.py checks docker-compose.yml says exactly
these); local runs with their environment's interpreter (tools/stack.py for `make run` and
the tests, bench/support/replicas.py for the migration). Only the parameters here differ
between the two: ports (tests take free ones), and Rasa's model and endpoints file (the
image trains its model at build; local runs write endpoints from DATABASE_URL). Everything
else, secrets included, comes from the environment.
"""

from __future__ import annotations

ACTION_SERVER_PORT = 5055
RASA_PORT = 5005


def migrate() -> list[str]:
    """Bring the database to the newest schema (a one-shot)."""
    return ["-m", "ieomoa.migrate"]


def action_server(port: int = ACTION_SERVER_PORT) -> list[str]:
    """rasa_sdk serving actions/, behind ACTION_SERVER_SECRET (actions/server.py)."""
    return ["-m", "actions.server", "--actions", "actions", "--port", str(port)]


def rasa(*, model: str, endpoints: str, credentials: str, port: int = RASA_PORT) -> list[str]:
    """`rasa run` through ieomoa_nlu.rasa_cli, which hands Rasa its token from the environment.

    The HTTP API (parse, trackers) is for the bot's recovery step, operators and tests; it
    needs the token, like the REST channel nlu/credentials.yml sets up.
    """
    return ["-m", "ieomoa_nlu.rasa_cli", "run", "--model", model, "--endpoints", endpoints,
            "--credentials", credentials, "--port", str(port), "--enable-api"]


def bot() -> list[str]:
    """The Telegram bot (BOT_MODE picks polling or webhook)."""
    return ["-m", "bot"]


def relay() -> list[str]:
    """The outbox relay that pushes status messages."""
    return ["-m", "relay"]


def agency_api() -> list[str]:
    """The agency API (FastAPI under uvicorn) on AGENCY_API_PORT."""
    return ["-m", "agency_api"]


def kakao() -> list[str]:
    """The KakaoTalk skill server (FastAPI under uvicorn) on KAKAO_SKILL_PORT."""
    return ["-m", "kakao"]


CONTAINER_PYTHON = "python"
# The app image runs from /app (docker/app.Dockerfile); Rasa's image has nlu/ at /app and its
# model, trained at build, in /app/models (docker/rasa.Dockerfile).
CONTAINER_COMMANDS: dict[str, list[str]] = {
    "migrate": [CONTAINER_PYTHON, *migrate()],
    "action-server": [CONTAINER_PYTHON, *action_server()],
    "rasa": [CONTAINER_PYTHON, *rasa(model="/app/models/ieomoa.tar.gz", endpoints="endpoints.yml",
                                     credentials="credentials.yml")],
    "bot": [CONTAINER_PYTHON, *bot()],
    "relay": [CONTAINER_PYTHON, *relay()],
    "agency-api": [CONTAINER_PYTHON, *agency_api()],
    "kakao": [CONTAINER_PYTHON, *kakao()],
}
