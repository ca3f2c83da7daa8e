"""The action server, answering only Rasa: ``python -m actions.server [--port 5055]``.

rasa_sdk's own server (``python -m rasa_sdk``) accepts a forged tracker from anyone who can
reach it, and the actions trust the tracker's sender id: a hand-made POST to ``/webhook``
could read someone else's status, issue a caregiver code for their application or erase it.
This builds the same Sanic app and refuses every request but ``/health`` (which reveals
nothing) unless it carries the shared secret ``ACTION_SERVER_SECRET`` in the header
``X-Ieomoa-Action-Secret``, which Rasa sends from its endpoints file
(ieomoa/rasa_endpoints.py for local runs, nlu/endpoints.yml in docker-compose).

The secret comes from the environment, never the command line. The server listens on
IEOMOA_BIND_HOST (default 127.0.0.1) in a single process, so stopping this process frees
the port.
"""

from __future__ import annotations

import argparse
import hmac
import logging

from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from ieomoa.config import ACTION_SECRET_HEADER, load_settings
from ieomoa.logging_setup import install_log_privacy

logger = logging.getLogger(__name__)

# Paths anyone may call: the readiness check of tools/stack.py and docker-compose.
OPEN_PATHS = frozenset({"/health"})
# Shorter secrets are refused at start: they could be guessed.
MIN_SECRET_LENGTH = 16


MAX_REQUEST_BYTES = 8 * 1024 * 1024


def require_secret(app: Sanic, secret: str) -> Sanic:
    """Answer 401 to every request but OPEN_PATHS whose secret header is missing or wrong."""
    expected = secret.encode("utf-8")

    async def check_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        given = request.headers.get(ACTION_SECRET_HEADER, "").encode("utf-8")
        if hmac.compare_digest(given, expected):
            return None
        logger.warning("Refused %s %s from %s: %s secret", request.method, request.path,
                       request.ip, "wrong" if given else "no")
        return response.json({"error": "unauthorized"}, status=401)

    # A plain call, not a decorator: Sanic types only this form. Before rasa_sdk's own
    # middleware (CORS).
    app.on_request(check_secret, priority=1000)
    return app


def create_app(secret: str, actions_package: str = "actions", **options: object) -> Sanic:
    """rasa_sdk's Sanic app serving ``actions_package``, behind the secret check."""
    from rasa_sdk.endpoint import create_app_for_serve
    from rasa_sdk.executor import ActionExecutor

    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"ACTION_SERVER_SECRET must have at least {MIN_SECRET_LENGTH} characters")
    executor = ActionExecutor()
    executor.register_package(actions_package)
    # No CORS: only Rasa calls this server, never a browser.
    app = create_app_for_serve(executor, cors_origins=None, **options)
    # Sanic reads a body before any handler runs: a stranger's huge POST is refused by size
    # (413) before the secret is checked. Rasa's largest call carries one session's events.
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, exception: PayloadTooLarge) -> HTTPResponse:
        # rasa_sdk turns every exception into a 500; the caller should hear what was wrong.
        return response.json({"error": "request body too large"}, status=413)

    return require_secret(app, secret)


def argument_parser() -> argparse.ArgumentParser:
    """rasa_sdk's own options, so this is a drop-in for ``python -m rasa_sdk``."""
    from rasa_sdk.endpoint import create_argument_parser

    parser = create_argument_parser()
    parser.description = __doc__.splitlines()[0]
    parser.set_defaults(actions="actions")
    return parser


def main(argv: list[str] | None = None) -> None:
    """Start the action server; without ACTION_SERVER_SECRET it does not start."""
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_ssl_config

    args = argument_parser().parse_args(argv)
    if args.grpc:
        raise SystemExit("--grpc is not supported: the gRPC server has no secret check")
    settings = load_settings()
    if not settings.action_server_secret:
        raise SystemExit("ACTION_SERVER_SECRET is not set; the action server would accept anyone")

    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file,
                                 args.loglevel, args.logging_config_file)
    utils.update_sanic_log_level()
    install_log_privacy()  # after rasa_sdk's set-up: no person in any log line

    try:
        app = create_app(settings.action_server_secret, args.actions_module or args.actions,
                         auto_reload=args.auto_reload, endpoints=args.endpoints)
    except ValueError as error:
        raise SystemExit(str(error)) from error
    ssl = create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("Action server on %s://%s:%s (secret required)",
                "https" if ssl else "http", settings.bind_host, args.port)
    # One process: no Sanic worker left holding the port after this process is killed.
    app.run(host=settings.bind_host, port=args.port, ssl=ssl, single_process=True,
            access_log=False, motd=False)


if __name__ == "__main__":
    main()
