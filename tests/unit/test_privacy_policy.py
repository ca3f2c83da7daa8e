"""ieomoa/data/privacy.json is the one source: PRIVACY.md and every consent text agree with it.

Change a period or a consent's refusal in the data file and these tests name each text that
still says the old thing (both the normal and the 쉬운 말 variation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ieomoa.services.caregivers import CODE_VALIDITY
from ieomoa.services.retention import load_policy, period_label

ROOT = Path(__file__).resolve().parents[2]
POLICY = load_policy()
DATA: dict[str, Any] = POLICY.document
PRIVACY_MD = (ROOT / "PRIVACY.md").read_text(encoding="utf-8")
CONSENTS: dict[str, dict[str, Any]] = DATA["consents"]


def _domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"responses": {}, "session_config": {}}
    for path in sorted((ROOT / "nlu" / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["responses"].update(part.get("responses") or {})
        merged["session_config"].update(part.get("session_config") or {})
    return merged


DOMAIN = _domain()


def variations(response: str) -> tuple[str, str]:
    """(쉬운 말, normal) texts of a response."""
    found = DOMAIN["responses"][response]
    easy = next(v["text"] for v in found if v.get("condition"))
    normal = next(v["text"] for v in found if not v.get("condition"))
    return easy, normal


def table_row(name: str) -> str:
    """The row of a PRIVACY.md table whose first cell is ``name``."""
    rows = [line for line in PRIVACY_MD.splitlines() if line.startswith(f"| {name} |")]
    assert len(rows) == 1, f"PRIVACY.md has {len(rows)} rows for {name!r}"
    return rows[0]


def test_period_labels() -> None:
    assert [period_label(30), period_label(90), period_label(730), period_label(hours=24)] == [
        "30일", "90일", "2년", "24시간"]


@pytest.mark.parametrize("key", list(DATA["retention"]))
def test_privacy_md_states_every_period_of_the_data_file(key: str) -> None:
    period = POLICY.periods[key]
    row = table_row(period.name)
    assert period.label in row, f"{period.name}: PRIVACY.md does not say {period.label}"
    said = "법이 정한" if period.decided_by == "law" else "우리가 정한 기간"
    assert said in row, f"{period.name}: PRIVACY.md must say whether the law or we set the period"


@pytest.mark.parametrize("slot", list(CONSENTS))
def test_each_consent_question_says_items_period_and_what_refusing_means(slot: str) -> None:
    consent = CONSENTS[slot]
    easy, normal = variations(f"utter_ask_{slot}")
    for item in consent["items"]:
        assert item in normal, f"{slot}: the question does not name {item!r}"
    for key in consent["retention"]:
        label = POLICY.label(key)
        assert label in normal and label in easy, f"{slot}: both variations must say {label}"
    assert consent["refusal"]["normal"] in normal, f"{slot}: refusing is not explained"
    assert consent["refusal"]["easy"] in easy, f"{slot}: refusing is not explained in 쉬운 말"
    recipient = consent.get("recipient")
    if recipient:
        agency = DATA["recipients"][recipient]
        assert agency["retention"]["normal"] in normal, f"{slot}: how long {agency['name']} keeps it"
        assert agency["retention"]["easy"] in easy, f"{slot}: how long the recipient keeps it (쉬운 말)"


@pytest.mark.parametrize("slot", list(CONSENTS))
def test_privacy_md_lists_each_consent_with_its_items_and_refusal(slot: str) -> None:
    consent = CONSENTS[slot]
    row = next(line for line in PRIVACY_MD.splitlines() if line.startswith(f"| {consent['title']}"))
    for item in consent["items"]:
        assert item in row, f"PRIVACY.md: {consent['title']} lacks {item!r}"
    assert consent["refusal"]["normal"] in row
    assert ("| 네 |" in row) == consent["required"]


def test_privacy_md_names_each_recipient_and_how_long_it_keeps_data() -> None:
    for agency in DATA["recipients"].values():
        assert agency["retention"]["normal"] in table_row(agency["name"])


def test_privacy_md_cites_every_source_of_the_data_file() -> None:
    for source in DATA["sources"].values():
        assert source["cite"] in PRIVACY_MD and source["url"] in PRIVACY_MD, source["cite"]


def test_the_summary_the_faq_answer_and_my_data_give_the_periods() -> None:
    assert variations("utter_faq/privacy") == variations("utter_privacy_summary")
    for response in ("utter_privacy_summary", "utter_my_data"):
        for text in variations(response):
            for key in ("closed_application", "conversation"):
                assert POLICY.label(key) in text, f"{response}: {text}"
    for text in variations("utter_my_data_caregiver"):
        assert POLICY.label("conversation") in text


def test_the_sweep_periods_fit_the_dialogue() -> None:
    # A draft waits a whole Rasa session (README: "4-week sessions") before the sweep may take it.
    session = DOMAIN["session_config"]["session_expiration_time"]  # minutes
    assert session * 60 <= POLICY.length("conversation").total_seconds()
    assert CODE_VALIDITY == POLICY.length("caregiver_code")
