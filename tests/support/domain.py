"""The bot's Rasa domain as tests read it: nlu/domain/*.yml merged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "nlu" / "domain"


def domain_responses() -> dict[str, list[dict[str, Any]]]:
    """Every response with its variations, as Rasa's ``GET /domain`` lists them."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        responses.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return responses
