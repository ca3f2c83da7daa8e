"""No placeholder or ``None`` can reach a user.

Rasa 3.6 fills a response (rasa/core/nlg/response.py, ``_fill_response``) from the tracker's
slots updated with every keyword an action passed to ``utter_message``, and formats it with
rasa/core/nlg/interpolator.py: a placeholder naming a slot that is unset becomes "None", and a
placeholder naming nothing at all is sent as it stands ("{summary}"). So every placeholder in
nlu/domain/*.yml must be a variable that every action sending that response passes, and no
response with a placeholder may be sent by Rasa itself (rules, stories, form questions).
The sends are read from actions/*.py (``utter_message(response=..., key=...)``, and
``**problem.details`` with the details each ``InvalidAnswer`` in ieomoa/answers/ carries).
"""

from __future__ import annotations

import ast
import importlib
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DIR = ROOT / "nlu" / "domain"
ACTIONS_DIR = ROOT / "actions"
ANSWERS_DIR = ROOT / "ieomoa" / "answers"
STORY_FILES = (
    sorted((ROOT / "nlu" / "data").glob("*.yml"))
    + sorted((ROOT / "nlu" / "data" / "rules").glob("*.yml"))
    + sorted((ROOT / "nlu" / "tests").glob("*stories*.yml"))
)

# Keywords of rasa_sdk's utter_message that are parts of the message, not template variables.
# rasa_sdk sends them too (text=None, buttons=[] ...), so a placeholder with one of these
# names would be filled with them: such a placeholder is never "supplied".
MESSAGE_KEYWORDS = {"response", "template", "text", "image", "json_message", "attachment", "buttons", "elements", "custom"}
# The fields Rasa interpolates (rasa/core/nlg/response.py).
INTERPOLATED_KEYS = ("text", "image", "custom", "buttons", "attachment", "quick_replies")
SAMPLE_VALUE = "값"


# -- Rasa's interpolation, as in rasa/core/nlg/interpolator.py (3.6) ------------------------


def interpolate_text(response: str, values: dict[str, Any]) -> str:
    try:
        text = re.sub(r"{([^\n{}]+?)}", r"{0[\1]}", response)
        text = text.format(values)
        if "0[" in text:
            return response.format({})
        return text
    except KeyError:
        return response


def interpolate(response: Any, values: dict[str, Any]) -> Any:
    if isinstance(response, str):
        return interpolate_text(response, values)
    if isinstance(response, dict):
        for key, value in response.items():
            if isinstance(value, dict):
                interpolate(value, values)
            elif isinstance(value, list):
                response[key] = [interpolate(item, values) for item in value]
            elif isinstance(value, str):
                response[key] = interpolate_text(value, values)
        return response
    if isinstance(response, list):
        return [interpolate(item, values) for item in response]
    return response


def fill_response(variation: dict[str, Any], slots: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``TemplatedNaturalLanguageGenerator._fill_response``: slots, then the action's keywords."""
    response = yaml.safe_load(yaml.safe_dump(variation, allow_unicode=True))  # a deep copy
    values = {**slots, **kwargs}
    if values:
        for key in INTERPOLATED_KEYS:
            if key in response:
                response[key] = interpolate(response[key], values)
    return response


# -- The domain ------------------------------------------------------------------------------


def _domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"responses": {}, "slots": {}, "actions": [], "forms": {}}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["responses"].update(part.get("responses") or {})
        merged["slots"].update(part.get("slots") or {})
        merged["actions"].extend(part.get("actions") or [])
        merged["forms"].update(part.get("forms") or {})
    return merged


DOMAIN = _domain()
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]
SLOTS: set[str] = set(DOMAIN["slots"])


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields Rasa would try to fill (its regex: no newline or brace inside)."""
    return set(re.findall(r"(?<!{){([^\n{}]+?)}(?!})", text))


def _texts(variation: dict[str, Any]) -> list[str]:
    """What a user reads: the text and the button titles (payloads are resolved by the bot)."""
    texts = [variation["text"]] if isinstance(variation.get("text"), str) else []
    texts += [b["title"] for b in variation.get("buttons") or [] if isinstance(b.get("title"), str)]
    return texts


def response_placeholders(name: str) -> set[str]:
    return {p for variation in RESPONSES[name] for text in _texts(variation) for p in placeholders(text)}


# -- Who sends which response, with which variables -------------------------------------------


@dataclass(frozen=True)
class Send:
    names: frozenset[str]  # the responses this call can send
    supplied: frozenset[str]  # the variables it always passes
    where: str


def _reasons_passed(tree: ast.Module, function: ast.FunctionDef, parameter: str) -> list[str]:
    """The string literals a module passes as ``parameter`` to ``function``."""
    position = [a.arg for a in function.args.args].index(parameter)
    reasons = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function.name:
            given = node.args[position] if len(node.args) > position else next(
                (k.value for k in node.keywords if k.arg == parameter), None
            )
            assert isinstance(given, ast.Constant) and isinstance(given.value, str), (
                f"line {node.lineno}: the reason passed to {function.name} is not a literal"
            )
            reasons.append(given.value)
    return reasons


def _invalid_answer_details() -> dict[str, list[frozenset[str]]]:
    """reason -> the detail names of each ``InvalidAnswer(reason, ...)`` in ieomoa/answers/."""
    details: dict[str, list[frozenset[str]]] = {}
    for path in sorted(ANSWERS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "InvalidAnswer"):
                continue
            where = f"ieomoa/answers/{path.name}:{node.lineno}"
            assert not any(k.arg is None for k in node.keywords), f"{where}: **details cannot be checked"
            names = frozenset(k.arg for k in node.keywords if k.arg)
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                reasons = [first.value]
            else:
                # A reason passed in (choices._choose(..., "education_unknown")).
                assert isinstance(first, ast.Name), f"{where}: the reason cannot be checked"
                enclosing = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or 0)]
                assert enclosing, f"{where}: the reason cannot be checked"
                reasons = _reasons_passed(tree, enclosing[-1], first.id)
            for reason in reasons:
                details.setdefault(reason, []).append(names)
    return details


def _names_matching(pattern: str) -> frozenset[str]:
    return frozenset(n for n in RESPONSES if re.fullmatch(pattern, n))


def _response_names(expr: ast.expr, module_name: str, tree: ast.Module, where: str) -> frozenset[str]:
    """The responses ``response=<expr>`` can name."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return frozenset({expr.value})
    if isinstance(expr, ast.JoinedStr):
        pattern = "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else ".+" for part in expr.values
        )
        return _names_matching(pattern)
    if isinstance(expr, ast.IfExp):
        return _response_names(expr.body, module_name, tree, where) | _response_names(expr.orelse, module_name, tree, where)
    if isinstance(expr, ast.Name):
        module = importlib.import_module(module_name)
        value = getattr(module, expr.id, None)
        if value is None:
            # A loop variable: ``for key, response in TABLE.items()`` or ``for response in TABLE``.
            for node in ast.walk(tree):
                if isinstance(node, ast.For) and expr.id in {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}:
                    iterated = node.iter
                    if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute):
                        iterated = iterated.func.value
                    if isinstance(iterated, ast.Name):
                        value = getattr(module, iterated.id, None)
        if isinstance(value, str):
            return frozenset({value})
        if isinstance(value, dict):
            return frozenset(v for v in [*value.values(), *value.keys()] if isinstance(v, str) and v in RESPONSES)
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(v for v in value if isinstance(v, str) and v in RESPONSES)
    raise AssertionError(f"{where}: cannot tell which response `{ast.unparse(expr)}` names")


def action_sends() -> list[Send]:
    details = _invalid_answer_details()
    sends: list[Send] = []
    for path in sorted(ACTIONS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_name = f"actions.{path.stem}"
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message"):
                continue
            where = f"actions/{path.name}:{node.lineno}"
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            target = keywords.get("response", keywords.get("template"))
            if target is None:
                continue  # text=... or json_message=...: nothing from the domain
            names = _response_names(target, module_name, tree, where)
            supplied = frozenset(k for k in keywords if k not in MESSAGE_KEYWORDS)
            spread = [k.value for k in node.keywords if k.arg is None]
            if not spread:
                sends.append(Send(names, supplied, where))
                continue
            assert [ast.unparse(s) for s in spread] == ["problem.details"], f"{where}: only **problem.details can be checked"
            for name in names:
                reason = name.removeprefix("utter_invalid_")
                for carried in details.get(reason, []):
                    sends.append(Send(frozenset({name}), supplied | carried, f"{where} (InvalidAnswer {reason!r})"))
    return sends


def rasa_sends() -> list[Send]:
    """Responses Rasa sends itself, with no variables: rule and story steps, form questions."""
    sends = []
    for path in STORY_FILES:
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"^\s*-\s*action:\s*(utter_\w+)\s*$", text, flags=re.MULTILINE):
            sends.append(Send(frozenset({name}), frozenset(), str(path.relative_to(ROOT))))
    actions = set(DOMAIN["actions"])
    for form, spec in DOMAIN["forms"].items():
        for slot in spec.get("required_slots") or []:
            if f"action_ask_{slot}" not in actions and f"action_ask_{form}_{slot}" not in actions:
                for name in (f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"):
                    if name in RESPONSES:
                        sends.append(Send(frozenset({name}), frozenset(), f"form {form} asking {slot}"))
    # Rasa's default fallback and anything an action could name without a literal.
    sends.append(Send(frozenset({"utter_default"}), frozenset(), "action_default_fallback"))
    return sends


SENDS = action_sends() + rasa_sends()


def sends_of(name: str) -> list[Send]:
    return [send for send in SENDS if name in send.names]


# -- The tests ---------------------------------------------------------------------------------


def test_the_interpolation_here_is_rasas() -> None:
    """The copy above behaves as Rasa's own (checked where Rasa is importable)."""
    assert interpolate_text("지역 확인: {region}.", {"region": None}) == "지역 확인: None."
    assert interpolate_text("{summary}", {"other": 1}) == "{summary}"
    payload = '/correct{"field": "phone"}'
    assert interpolate_text(payload, {"field": None}) == payload
    rasa = pytest.importorskip("rasa.core.nlg.interpolator", reason="Rasa is not installed in this environment")
    for text, values in [("지역 확인: {region}.", {"region": None}), ("{summary}", {"other": 1}), (payload, {})]:
        assert rasa.interpolate_text(text, values) == interpolate_text(text, values)


def test_every_response_with_a_placeholder_is_sent_by_an_action() -> None:
    unsent = [n for n in RESPONSES if response_placeholders(n) and not sends_of(n)]
    assert not unsent, f"responses with placeholders that no action sends (Rasa would fill them from slots): {unsent}"


@pytest.mark.parametrize("name", sorted(n for n in RESPONSES if response_placeholders(n)))
def test_every_placeholder_is_always_supplied(name: str) -> None:
    needed = response_placeholders(name)
    for send in sends_of(name):
        missing = needed - send.supplied
        assert not missing, (
            f"{send.where} sends {name} without {sorted(missing)}: Rasa would fill "
            + ("them from slots (None when unset)" if missing & SLOTS else "nothing and send the braces")
        )


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_variation_renders_with_empty_slots(name: str) -> None:
    """Each variation as Rasa renders it with every slot None, once per way it is sent."""
    empty_slots = {slot: None for slot in SLOTS}
    ways = {send.supplied for send in sends_of(name)} or {frozenset()}
    for supplied in ways:
        kwargs = {variable: SAMPLE_VALUE for variable in supplied}
        for variation in RESPONSES[name]:
            rendered = fill_response(variation, empty_slots, kwargs)
            for text in _texts(rendered):
                assert "None" not in text, f"{name} renders {text!r}"
                assert "{" not in text and "}" not in text, f"{name} renders {text!r}"
            # Payloads write their JSON braces doubled ({{ }}), as Rasa's interpolator expects
            # of braces that are not placeholders: it sends them single, logging nothing.
            written = [b.get("payload") for b in variation.get("buttons") or []]
            sent = [p.replace("{{", "{").replace("}}", "}") for p in written]
            assert [b.get("payload") for b in rendered.get("buttons") or []] == sent


def test_no_action_passes_a_slot_or_none_as_a_variable() -> None:
    """A variable taken straight from a slot (or None) would print "None" when the slot is empty."""
    bad = []
    for path in sorted(ACTIONS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message":
                for keyword in node.keywords:
                    if keyword.arg in MESSAGE_KEYWORDS or keyword.arg is None:
                        continue
                    value = keyword.value
                    if (isinstance(value, ast.Constant) and value.value is None) or (
                        isinstance(value, ast.Call) and getattr(value.func, "attr", None) == "get_slot"
                    ):
                        bad.append(f"actions/{path.name}:{node.lineno} {keyword.arg}={ast.unparse(value)}")
    assert not bad, bad


def test_bot_messages_have_only_the_placeholders_the_bot_fills() -> None:
    """ieomoa/conversation/messages.py: its only placeholder is {limit}, which the core fills
    (tests/unit/test_conversation_core.py sends a too-long text and reads the answer)."""
    from ieomoa.conversation import messages

    fields = set()
    for value in vars(messages).values():
        texts = value.values() if isinstance(value, dict) else [value]
        for text in texts:
            if isinstance(text, str):
                fields |= {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    assert fields <= {"limit"}, fields


@pytest.mark.parametrize(
    ("entities", "slot", "expected"),
    [
        ([{"entity": "region", "value": "부산광역시"}], "부산광역시", ("utter_region_noted", "부산광역시")),
        # The "지역 확인: None.": an inform with no region and an empty slot ...
        ([], None, ("utter_default", None)),
        # ... and one with no region while the slot still holds an old one.
        ([{"entity": "answer", "value": "네"}], "서울특별시", ("utter_default", None)),
    ],
)
def test_a_region_is_said_back_only_when_the_message_named_one(entities: list, slot: Any, expected: tuple) -> None:
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.conversation import ActionNoteRegion

    tracker = Tracker(
        "tg-1", {"mentioned_region": slot}, {"text": "...", "intent": {"name": "inform"}, "entities": entities},
        [], False, None, {}, "action_listen",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionNoteRegion().run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    assert (message["response"], message.get("region_name")) == expected
