"""The folders' import rules (README, "Architecture"; each folder's docstring or README).

The core ``ieomoa`` knows no adapter, tool or test: bot/, kakao/, relay/ and agency_api/
wrap it, each on its own; tools/ and bench/ drive it. Every ``import`` counts, a lazy one
inside a function too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = {"bot", "kakao", "relay", "agency_api"}
ADAPTERS_AND_TOOLS = ADAPTERS | {"tools", "bench", "tests"}
# Installed into both Python environments, the app's and Rasa's.
STANDARD_LIBRARY_ONLY = "log_privacy"

# Folder -> the top-level names its modules must never import.
RULES: dict[str, set[str]] = {
    # The messenger library and the action server's SDK stay out of the core as well: the
    # core serves every channel, and the images without rasa_sdk import it.
    "ieomoa": ADAPTERS_AND_TOOLS | {"actions", "telegram", "rasa_sdk"},
    "actions": ADAPTERS_AND_TOOLS,
    # The adapters reach Rasa over HTTP and the data through the core only, never each other.
    **{adapter: ADAPTERS_AND_TOOLS - {adapter} | {"actions"} for adapter in sorted(ADAPTERS)},
    "tools": {"bench", "tests"},
    "bench": {"tests"},
    # ieomoa_nlu runs inside Rasa's own environment, where none of the project is installed.
    "nlu": ADAPTERS_AND_TOOLS | {"ieomoa", "actions"},
    # The NLU report's scripts run there too, or under plain Python.
    "scripts": ADAPTERS_AND_TOOLS | {"ieomoa", "actions"},
}


def imported_names(path: Path) -> set[str]:
    """The top-level names of every absolute import in one module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def violations(folder: str) -> list[str]:
    """``path: name`` for each forbidden import under ``folder``."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in sorted(imported_names(path) & RULES[folder]):
            found.append(f"{path.relative_to(ROOT)}: {name}")
    return found


@pytest.mark.parametrize("folder", sorted(RULES))
def test_folder_imports_only_what_its_layer_may(folder: str) -> None:
    assert (ROOT / folder).is_dir()
    assert violations(folder) == []


def test_the_shared_log_rules_import_the_standard_library_only() -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__", STANDARD_LIBRARY_ONLY}
    for path in sorted((ROOT / STANDARD_LIBRARY_ONLY).rglob("*.py")):
        assert imported_names(path) <= allowed, path.relative_to(ROOT)


def test_the_check_sees_lazy_and_dotted_imports(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "import os.path\n\ndef f():\n    from bot.webhook import x\n    from . import y\n"
    )
    assert imported_names(module) == {"os", "bot"}
