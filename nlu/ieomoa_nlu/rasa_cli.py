"""Rasa's command line, with the secrets of ``rasa run`` read from the environment.

    python -m ieomoa_nlu.rasa_cli run --model … --enable-api      (instead of ``rasa run …``)

``rasa run --auth-token TOKEN`` puts the HTTP API token, which opens every conversation,
in the process's command line, where ``ps`` shows it to every user of the machine. Here the
token comes from ``RASA_AUTH_TOKEN`` and reaches Rasa's own argument parser through
``sys.argv``, which is only Python's copy: ``/proc/<pid>/cmdline`` keeps what the process
was started with. An ``--auth-token`` on the command line is refused, and so is
``--enable-api`` without a token (the API would open to anyone who can reach it).

``rasa run`` listens on ``IEOMOA_BIND_HOST`` (default 127.0.0.1; containers set 0.0.0.0)
unless ``--interface`` is given. Every other command goes to Rasa unchanged.

Secrets given as files (``RASA_AUTH_TOKEN_FILE``, ``ACTION_SERVER_SECRET_FILE``, ... as
docker-compose mounts them) are read into this process's environment first
(ieomoa_nlu/secret_files.py), where the endpoints file and the tracker store find them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

TOKEN_VARIABLE = "RASA_AUTH_TOKEN"
BIND_HOST_VARIABLE = "IEOMOA_BIND_HOST"
DEFAULT_BIND_HOST = "127.0.0.1"


def _gives(argv: Sequence[str], long: str, short: str | None = None) -> bool:
    """True when ``argv`` gives the option, in any spelling argparse accepts.

    ``-t X``, ``-tX``, ``--auth-token X``, ``--auth-token=X`` and abbreviations such as
    ``--auth X`` all count.
    """
    for arg in argv:
        if arg == "--":
            break
        key = arg.split("=", 1)[0]
        if key.startswith("--") and len(key) > 2 and long.startswith(key):
            return True
        if short and not arg.startswith("--") and arg.startswith(short):
            return True
    return False


def rasa_arguments(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The arguments for Rasa's parser: ``argv`` plus the token and interface for ``run``."""
    arguments = list(argv)
    if arguments[:1] != ["run"] or arguments[1:2] == ["actions"]:
        return arguments
    if _gives(arguments, "--auth-token", "-t"):
        raise SystemExit(f"Pass the token in {TOKEN_VARIABLE}, not on the command line "
                         "(ps shows it).")
    token = environ.get(TOKEN_VARIABLE) or ""
    if token:
        # "=" keeps a token that starts with "-" from being read as an option.
        arguments.append(f"--auth-token={token}")
    elif _gives(arguments, "--enable-api"):
        raise SystemExit(f"--enable-api without {TOKEN_VARIABLE} would open every conversation.")
    if not _gives(arguments, "--interface", "-i"):
        arguments.append(f"--interface={environ.get(BIND_HOST_VARIABLE) or DEFAULT_BIND_HOST}")
    return arguments


MAX_REQUEST_BYTES = 8 * 1024 * 1024


def main() -> None:
    """Run Rasa's own ``main`` on the completed arguments, its logs kept free of personal data."""
    from ieomoa_nlu import log_privacy
    from ieomoa_nlu.secret_files import load_secret_files

    log_privacy.install()
    load_secret_files(os.environ)
    # Sanic reads SANIC_* settings from the environment: bodies over 8 MiB get 413 before they
    # are read (Sanic's default is 100 MB; a user's message is a few KiB).
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))
    arguments = rasa_arguments(sys.argv[1:], os.environ)
    import rasa.__main__ as rasa_entry

    log_privacy.wrap_rasa_logging_setup(rasa_entry)
    sys.argv = ["rasa", *arguments]
    rasa_entry.main()


if __name__ == "__main__":
    main()
