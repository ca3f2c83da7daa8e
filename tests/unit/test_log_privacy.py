"""Log lines without people: the app's record rules, and Rasa's (structlog, warnings, records)."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from ieomoa import logging_setup

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venvs" / "rasa" / "bin" / "python"
PERSON = ("박서진", "010-4821-7390", "01048217390", "대구광역시 수성구", "IEM-2026-000123")


def escaped(value: str) -> str:
    """The value as a JSON log line writes it (Rasa's structlog escapes Hangul)."""
    return json.dumps(value)[1:-1]


def assert_no_person(text: str) -> None:
    for value in PERSON:
        assert value not in text and escaped(value) not in text, value


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Records of this process as a handler writes them, with the privacy rules installed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    factory, level = logging.getLogRecordFactory(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging_setup.install_log_privacy()
    try:
        yield stream
    finally:
        logging.setLogRecordFactory(factory)
        root.removeHandler(handler)
        root.setLevel(level)


def test_numbers_and_credentials_in_a_message_are_withheld(captured: io.StringIO) -> None:
    log = logging.getLogger("ieomoa.test")
    log.warning("POST /api/v1/applications/%s/status from %s", "IEM-2026-000123", "010-4821-7390")
    log.warning("GET https://api.telegram.org/bot123456:ABC-def_ghi/getMe?token=s3cret")
    text = captured.getvalue()
    assert_no_person(text)
    assert "ABC-def_ghi" not in text and "s3cret" not in text
    assert "POST /api/v1/applications/IEM-<withheld>/status" in text  # the rest stays readable


def test_a_traceback_keeps_its_frames_but_not_the_exception_message(captured: io.StringIO) -> None:
    name, phone = PERSON[0], PERSON[2]
    try:
        raise ValueError(f"INSERT INTO applications (name, phone) VALUES ('{name}', '{phone}')")
    except ValueError:
        logging.getLogger("actions.application_flow").exception("Submitting an application failed")
    text = captured.getvalue()
    assert_no_person(text)
    assert "Submitting an application failed" in text and "builtins.ValueError" in text
    assert "test_log_privacy.py" in text  # where it happened is still there


def test_access_log_arguments_stay_usable_for_their_formatter(captured: io.StringIO) -> None:
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/applications/IEM-2026-000123", "1.1", 200), None)
    assert record.args[2] == "/api/v1/applications/IEM-<withheld>" and record.args[4] == 200


def test_library_debug_lines_are_withheld(captured: io.StringIO) -> None:
    logging.getLogger("rasa_sdk").setLevel(logging.DEBUG)  # even when someone lowers it again
    logging.getLogger("rasa_sdk.executor").debug("Received request with tracker %s", {"name": "박서진"})
    assert_no_person(captured.getvalue())


# -- Rasa's side (nlu/ieomoa_nlu/log_privacy.py imports nothing of Rasa at module level) ------


def rasa_side() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rasa_log_privacy", ROOT / "nlu" / "ieomoa_nlu" / "log_privacy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rasa_structured_events_keep_only_their_name_and_description() -> None:
    event = rasa_side().withhold_event_fields(None, "debug", {
        "event": "processor.message.parse", "parse_data_text": "박서진 010-4821-7390",
        "parse_data_entities": [{"value": "대구광역시 수성구"}], "event_info": "Received a message"})
    assert event == {"event": "processor.message.parse", "parse_data_text": "<withheld>",
                     "parse_data_entities": "<withheld>", "event_info": "Received a message"}


def test_rasa_warning_about_a_slash_message_does_not_quote_it() -> None:
    module, shown = rasa_side(), []
    show = module._show_warning_without_text(lambda message, *rest: shown.append(str(message)))
    show(UserWarning("Failed to parse arguments in line '/박서진 010-4821-7390'. Continuing without 대구"),
         UserWarning, "yaml_story_reader.py", 651)
    assert shown == [module.PARSE_WARNING]


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not built")
def test_real_rasa_logs_no_slot_value_and_no_message_text() -> None:
    """Rasa's own logging set-up and code paths, with the wrapper ieomoa_nlu.rasa_cli installs."""
    script = r'''
import copy, glob, json, logging, yaml
from ieomoa_nlu import log_privacy
log_privacy.install()
import rasa.__main__ as rasa_entry
log_privacy.wrap_rasa_logging_setup(rasa_entry)
rasa_entry.configure_structlog(logging.DEBUG)
logging.getLogger("rasa").setLevel(logging.DEBUG)  # LOG_LEVEL=DEBUG: Rasa's debug stays quiet
import structlog
from rasa.core.nlg.interpolator import interpolate, interpolate_text
from rasa.shared.utils.io import raise_warning
slots = {"applicant_name": "박서진", "phone": "01048217390", "region": "대구광역시 수성구"}
# A brace the interpolator cannot fill: before the payloads were escaped, every button did this.
interpolate_text('/inform{"answer": "네"}', slots)
raise_warning("Failed to parse arguments in line '/박서진 010-4821-7390'. Continuing.")
structlog.get_logger("rasa.core.processor").warning("message.parsing.failed", user_text="박서진")
logging.getLogger("rasa.core.processor").debug("Received user message '박서진' with intent 'inform'")
print("--- payloads")
for path in sorted(glob.glob("domain/*.yml")):
    for variations in (yaml.safe_load(open(path, encoding="utf-8")).get("responses") or {}).values():
        for variation in variations:
            # Rasa fills a deep copy (YAML anchors share one button list between responses).
            for button in interpolate(copy.deepcopy(variation.get("buttons") or []), slots):
                print(button["payload"])
'''
    run = subprocess.run([str(RASA_PYTHON), "-c", script], cwd=ROOT / "nlu", capture_output=True, text=True,
                         timeout=240, env={"PYTHONPATH": str(ROOT / "nlu"), "PATH": "/usr/bin:/bin",
                                           "RASA_TELEMETRY_ENABLED": "false"})
    assert run.returncode == 0, run.stderr[-2000:]
    logs, payloads = run.stdout.split("--- payloads\n")
    logs += run.stderr
    assert_no_person(logs)
    assert "interpolator.interpolate.text" in logs and "<withheld>" in logs  # it did log, without values
    assert "Failed to parse arguments in line" not in logs  # the slash message is not quoted
    # Every button payload of the domain reaches the channel as intent + JSON entities, and
    # rendering them logged nothing (the error above is the only interpolator line).
    assert logs.count("interpolator.interpolate.text") == 1
    for payload in payloads.splitlines():
        intent, _, entities = payload.partition("{")
        assert intent.startswith("/") and intent[1:].replace("_", "").isalnum(), payload
        if entities:
            assert isinstance(json.loads("{" + entities), dict), payload
    assert '/delete_my_data{"answer": "확인"}' in payloads

