"""Secrets given as files (``<NAME>_FILE``, as docker-compose mounts them) inside Rasa's process.

Rasa reads its secrets from the environment: ``${ACTION_SERVER_SECRET}`` and
``${TRACKER_DB_PASSWORD}`` in nlu/endpoints.yml, IEOMOA_SECRET_KEY in the tracker store,
RASA_AUTH_TOKEN in ieomoa_nlu/rasa_cli.py and the REST channel. ``load_secret_files`` puts
the contents of each ``<NAME>_FILE`` into the process's own environment before Rasa starts,
as ieomoa/config.py does for the app. No Rasa import: the app's tests load this file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

# The secrets Rasa's process reads; other *_FILE variables are left alone.
SECRET_VARIABLES = ("RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET", "IEOMOA_SECRET_KEY", "TRACKER_DB_PASSWORD")


def secret(name: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """``name`` from ``environ``, else the contents of the file ``<name>_FILE`` names."""
    value = environ.get(name)
    if value:
        return value
    path = environ.get(f"{name}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except OSError as error:
        # The path and the reason only: never the contents.
        raise SystemExit(f"{name}_FILE: cannot read {path} ({error.strerror})") from None


def load_secret_files(environ: MutableMapping[str, str], names: tuple[str, ...] = SECRET_VARIABLES) -> None:
    """Set each of ``names`` that is unset in ``environ`` from its ``_FILE``, if one is given."""
    for name in names:
        if not environ.get(name):
            value = secret(name, environ)
            if value:
                environ[name] = value
