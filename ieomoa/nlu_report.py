"""Print the held-out NLU scores that `rasa test nlu` wrote (make nlu-report)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

PIPELINES = {"ieomoa": "MeCab-ko tokenizer (ours)", "baseline": "WhitespaceTokenizer (stock)"}


def scores(result_dir: Path) -> dict[str, float]:
    """Intent accuracy and macro-F1, entity micro-F1, from Rasa's JSON reports."""
    intents = json.loads((result_dir / "intent_report.json").read_text())
    entities_file = result_dir / "DIETClassifier_report.json"
    entities = json.loads(entities_file.read_text()) if entities_file.exists() else {}
    entity_f1 = entities.get("micro avg", entities.get("weighted avg", {})).get("f1-score", 0.0)
    return {
        "intent_accuracy": intents["accuracy"],
        "intent_macro_f1": intents["macro avg"]["f1-score"],
        "entity_f1": entity_f1,
    }


def main(out: Path) -> None:
    """Print one row per pipeline and save the numbers as JSON."""
    rows = {name: scores(out / name) for name in PIPELINES if (out / name).exists()}
    header = f"{'pipeline':<30} {'intent acc':>10} {'macro-F1':>9} {'entity F1':>10}"
    print(header)
    print("-" * len(header))
    for name, row in rows.items():
        print(
            f"{PIPELINES[name]:<30} {row['intent_accuracy']:>10.3f} "
            f"{row['intent_macro_f1']:>9.3f} {row['entity_f1']:>10.3f}"
        )
    (out / "summary.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
