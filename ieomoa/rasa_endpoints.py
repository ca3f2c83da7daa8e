"""Write Rasa's endpoints.yml for local runs from the app's settings.

The tracker store lives on the same database server as the app, in its own database:
a sibling SQLite file, or ``<db>_rasa`` on PostgreSQL (Rasa creates it on first start).
The action endpoint carries the action server's shared secret in a header, so the file
holds secrets: it is written readable by its owner only. Several Rasa servers sharing one
tracker store also need a lock store in Redis (``redis_lock_store_config``), so that one
conversation is processed by one server at a time.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from ieomoa.config import ACTION_SECRET_HEADER, VAR_DIR, Settings, load_settings

# Rasa's SQL tracker store with event data encrypted (nlu/ieomoa_nlu/tracker_store.py).
TRACKER_STORE_TYPE = "ieomoa_nlu.tracker_store.EncryptedSQLTrackerStore"
# Rasa's Redis lock store with atomic ticket changes (nlu/ieomoa_nlu/lock_store.py).
LOCK_STORE_TYPE = "ieomoa_nlu.lock_store.AtomicRedisLockStore"


def tracker_store_config(database_url: str) -> dict[str, Any]:
    """Rasa SQL tracker store settings beside the app database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        app_db = Path(url.database or VAR_DIR / "ieomoa.sqlite")
        return {
            "type": TRACKER_STORE_TYPE,
            "dialect": "sqlite",
            "db": str(app_db.with_name(app_db.stem + "_rasa.sqlite")),
        }
    if url.get_backend_name() != "postgresql":
        raise ValueError("DATABASE_URL must be SQLite or PostgreSQL")
    config: dict[str, Any] = {
        "type": TRACKER_STORE_TYPE,
        "dialect": "postgresql",
        "url": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "db": f"{url.database}_rasa",
        "login_db": url.database,
    }
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    return config


def tracker_store_url(database_url: str) -> str:
    """SQLAlchemy URL of the tracker store that ``tracker_store_config`` describes."""
    config = tracker_store_config(database_url)
    if config["dialect"] == "sqlite":
        return f"sqlite:///{config['db']}"
    return make_url(database_url).set(database=config["db"]).render_as_string(hide_password=False)


def action_endpoint(settings: Settings) -> dict[str, Any]:
    """Where Rasa calls the actions, with the secret the action server demands."""
    if not settings.action_server_secret:
        raise ValueError("ACTION_SERVER_SECRET is not set: the action server refuses calls "
                         "without it")
    return {
        "url": settings.action_server_url,
        "headers": {ACTION_SECRET_HEADER: settings.action_server_secret},
    }


def redis_lock_store_config(redis_url: str, key_prefix: str = "ieomoa") -> dict[str, Any]:
    """Rasa's lock store in Redis at ``redis://[:password@]host[:port][/db]``.

    ``key_prefix`` (letters and digits only, Rasa ignores anything else) keeps apart the
    locks of deployments sharing one Redis.
    """
    if not key_prefix.isalnum():
        raise ValueError("the lock store's key prefix must be letters and digits")
    url = urlsplit(redis_url)
    if url.scheme != "redis" or not url.hostname:
        raise ValueError("the lock store URL must look like redis://host:6379/1")
    config: dict[str, Any] = {
        "type": LOCK_STORE_TYPE,
        "url": url.hostname,
        "port": url.port or 6379,
        "db": int(url.path.strip("/") or 1),
        "key_prefix": key_prefix,
    }
    if url.password:
        config["password"] = url.password
    return config


def endpoints(settings: Settings, lock_store: dict[str, Any] | None = None) -> dict[str, Any]:
    """The endpoints document: action server, tracker store and, for replicas, the lock store."""
    document = {
        "action_endpoint": action_endpoint(settings),
        "tracker_store": tracker_store_config(settings.database_url),
    }
    if lock_store is not None:
        document["lock_store"] = lock_store
    return document


def write_endpoints(path: Path, settings: Settings | None = None, lock_store: dict[str, Any] | None = None) -> Path:
    """Write endpoints as YAML (JSON is valid YAML, so no YAML writer is needed), mode 0600."""
    document = json.dumps(endpoints(settings or load_settings(), lock_store), indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 (and an older, wider file narrowed) before the secrets go in.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(document)
    return path


if __name__ == "__main__":
    print(write_endpoints(Path(sys.argv[1]) if len(sys.argv) > 1 else VAR_DIR / "endpoints.yml"))
