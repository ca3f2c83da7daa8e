"""Score one trained model on held-out NLU data, as a user of the pipeline sees it.

    cd nlu && PYTHONPATH=. ../.venvs/rasa/bin/python ../scripts/nlu_eval.py MODEL.tar.gz \
        --data tests/heldout_nlu.yml --data tests/heldout_people.yml --out RESULT.json

Run with the Rasa venv's python, from nlu/ (pipelines name the spaCy pipeline relative to
nlu/). Every example is parsed by the whole model (Agent.parse_message), so the entities
are the merged output of all extractors after every post-processor, not one extractor's.

* intents: accuracy and macro-F1 over the labels of gold and prediction (a retrieval
  intent "faq/<topic>" counts as "faq"; the response selector's topic is scored apart);
* entities, two ways:
  - exact spans: micro precision / recall / F1 over exact (start, end, entity type); of
    the matched spans, the share whose value equals the gold value normalized by the
    training data's synonym table ("서울" → "서울특별시");
  - Rasa's own measure (``rasa test nlu``): every token of the model's tokenizer gets the
    type of the entity it falls in (rasa.nlu.test.determine_token_labels), and precision /
    recall / F1 are sklearn's averages over the entity types weighted by their support,
    tokens outside every entity excluded (rasa.model_testing.get_evaluation_metrics).
    It credits a span that is right but for its last morpheme, which exact spans do not.

Writes aggregate numbers only, unless --errors is given (then the misses too).
--error-kinds adds counts of the kinds of misses (scripts/nlu_error_kinds.py: entity types,
extractors and part-of-speech tags, never words) and of intent confusions, so a held-out set
can be diagnosed without anyone reading it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from nlu_error_kinds import error_kinds

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # the parse debug log would print held-out text


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    labels = sorted(set(gold) | set(predicted))
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label and g != label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        scores.append(f1(tp, fp, fn)[2])
    return sum(scores) / len(scores) if scores else 0.0


def token_scores(gold: list[str], predicted: list[str]) -> tuple[float, float, float]:
    """Rasa's entity precision, recall and F1: token labels, weighted by type, "O" left out."""
    from rasa.model_testing import get_evaluation_metrics
    from rasa.shared.nlu.constants import NO_ENTITY_TAG
    from sklearn import metrics

    labels = sorted(set(gold) - {NO_ENTITY_TAG})
    if not labels:
        return 0.0, 0.0, 0.0
    _, precision, score, _ = get_evaluation_metrics(gold, predicted, exclude_label=NO_ENTITY_TAG)
    recall = metrics.recall_score(gold, predicted, labels=labels, average="weighted", zero_division=0)
    return float(precision), float(recall), float(score)


def evaluate(
    agent: Any, loop: Any, data_path: Path, synonyms: dict[str, str], keep_errors: bool,
    count_kinds: bool = False,
) -> dict[str, Any]:
    from rasa.core.channels.channel import UserMessage
    from rasa.nlu.test import determine_token_labels
    from rasa.shared.nlu.training_data.loading import load_data

    examples = [m for m in load_data(str(data_path)).training_examples if m.get("text")]
    gold_intents: list[str] = []
    predicted_intents: list[str] = []
    responses = Counter()
    counts = Counter()
    by_type: dict[str, Counter] = {}
    errors: list[dict[str, Any]] = []
    gold_token_labels: list[str] = []
    predicted_token_labels: list[str] = []
    kinds: Counter = Counter()
    confusions: Counter = Counter()
    started = time.perf_counter()
    for message in examples:
        text = message.get("text")
        result = loop.run_until_complete(
            agent.processor.parse_message(UserMessage(text), only_output_properties=False)
        )
        for token in result.get("text_tokens") or []:
            gold_token_labels.append(determine_token_labels(token, message.get("entities") or [], None))
            predicted_token_labels.append(determine_token_labels(token, result.get("entities") or [], None))
        gold_intent = message.get("intent")
        predicted_intent = (result.get("intent") or {}).get("name") or ""
        gold_intents.append(gold_intent)
        predicted_intents.append(predicted_intent)
        response_key = message.get("intent_response_key")
        if response_key and "/" in response_key:
            selector = (result.get("response_selector") or {}).get(gold_intent) or {}
            predicted_key = (selector.get("response") or {}).get("intent_response_key")
            responses["total"] += 1
            responses["correct"] += int(predicted_key == response_key and predicted_intent == gold_intent)

        gold = {
            (e["start"], e["end"], e["entity"]): synonyms.get(str(e.get("value", "")).lower(), e.get("value"))
            for e in message.get("entities") or []
        }
        predicted = {(e["start"], e["end"], e["entity"]): e.get("value") for e in result.get("entities") or []}
        for key in set(gold) | set(predicted):
            kind = by_type.setdefault(key[2], Counter())
            if key in gold and key in predicted:
                counts["tp"] += 1
                kind["tp"] += 1
                same = str(predicted[key]) == str(gold[key])
                counts["value_ok"] += int(same)
                kind["value_ok"] += int(same)
            elif key in predicted:
                counts["fp"] += 1
                kind["fp"] += 1
            else:
                counts["fn"] += 1
                kind["fn"] += 1
        if count_kinds:
            kinds.update(error_kinds(text, gold, result.get("entities") or []))
            if gold_intent != predicted_intent:
                confusions[f"{gold_intent} -> {predicted_intent}"] += 1
        if keep_errors and (gold_intent != predicted_intent or gold != predicted):
            errors.append(
                {"text": text, "intent": gold_intent, "predicted_intent": predicted_intent,
                 "entities": [[*k, v] for k, v in sorted(gold.items())],
                 "predicted_entities": [[*k, v] for k, v in sorted(predicted.items())]}
            )
    seconds = time.perf_counter() - started
    precision, recall, entity_f1 = f1(counts["tp"], counts["fp"], counts["fn"])
    token_precision, token_recall, token_f1 = token_scores(gold_token_labels, predicted_token_labels)
    report: dict[str, Any] = {
        "data": str(data_path),
        "examples": len(examples),
        "gold_entities": counts["tp"] + counts["fn"],
        "intent_accuracy": sum(g == p for g, p in zip(gold_intents, predicted_intents)) / max(len(examples), 1),
        "intent_macro_f1": macro_f1(gold_intents, predicted_intents),
        "entity_precision": precision,
        "entity_recall": recall,
        "entity_f1": entity_f1,
        "entity_token_precision": token_precision,
        "entity_token_recall": token_recall,
        "entity_token_f1": token_f1,
        "entity_value_accuracy": counts["value_ok"] / counts["tp"] if counts["tp"] else 0.0,
        "response_selection_accuracy": responses["correct"] / responses["total"] if responses["total"] else None,
        "entity_types": {
            name: {**dict(c), "f1": f1(c["tp"], c["fp"], c["fn"])[2]} for name, c in sorted(by_type.items())
        },
        "ms_per_message": 1000 * seconds / max(len(examples), 1),
    }
    if count_kinds:
        report["error_kinds"] = dict(kinds.most_common())
        report["intent_confusions"] = dict(confusions.most_common())
        report["intent_recall"] = {
            label: sum(g == p == label for g, p in zip(gold_intents, predicted_intents))
            / max(gold_intents.count(label), 1)
            for label in sorted(set(gold_intents))
        }
        report["intent_counts"] = dict(Counter(gold_intents).most_common())
    if keep_errors:
        report["errors"] = errors
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--synonyms-from", type=Path, default=Path("data/nlu"),
                        help="training data whose synonym table normalizes gold values")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--errors", action="store_true", help="also write the misses")
    parser.add_argument("--error-kinds", action="store_true",
                        help="also write counts of the kinds of misses (no text)")
    args = parser.parse_args()

    logging.basicConfig(level=logging.ERROR)
    # Rasa logs every parse (with its text) through structlog, which prints everything until
    # configured: held-out text must not reach the logs.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    synonyms = {k.lower(): v for k, v in load_data(str(args.synonyms_from)).entity_synonyms.items()}
    started = time.perf_counter()
    agent = Agent.load(str(args.model))
    load_seconds = time.perf_counter() - started
    loop = asyncio.new_event_loop()
    reports = {
        data.name: evaluate(agent, loop, data, synonyms, args.errors, args.error_kinds) for data in args.data if data.exists()
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"model": str(args.model), "load_seconds": load_seconds, "sets": reports},
                   ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
