"""Print the held-out NLU table of `make nlu-report` from scripts/nlu_eval.py's results.

    python scripts/nlu_report.py var/nlu-report

One block per held-out set, one row per pipeline; writes var/nlu-report/summary.json.
Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PIPELINES = {
    "stock": "stock Rasa (WhitespaceTokenizer)",
    "mecab": "MeCab-ko, no spaCy",
    "spacy": "MeCab-ko + spaCy layer (ships)",
}


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main(out: Path) -> None:
    results = {
        name: json.loads((out / f"{name}.json").read_text("utf-8"))
        for name in PIPELINES
        if (out / f"{name}.json").exists()
    }
    sets = list(dict.fromkeys(s for r in results.values() for s in r["sets"]))
    header = (
        f"{'pipeline':<34} {'intent acc':>10} {'macro-F1':>8} {'entity F1':>9} "
        f"{'ent P':>6} {'ent R':>6} {'Rasa F1':>7} {'value acc':>9} {'faq topic':>9}"
    )
    summary = {}
    for data in sets:
        first = next(r["sets"][data] for r in results.values() if data in r["sets"])
        role = "development set, read to find weaknesses" if data.startswith("dev") else "held out"
        print(f"\n{data} ({role}): {first['examples']} utterances, {first['gold_entities']} entities")
        print(header)
        print("-" * len(header))
        for name, result in results.items():
            row = result["sets"].get(data)
            if row is None:
                continue
            summary.setdefault(data, {})[name] = {
                k: v for k, v in row.items() if k not in ("errors", "entity_types")
            }
            print(
                f"{PIPELINES[name]:<34} {row['intent_accuracy']:>10.3f} {row['intent_macro_f1']:>8.3f} "
                f"{row['entity_f1']:>9.3f} {row['entity_precision']:>6.3f} {row['entity_recall']:>6.3f} "
                f"{fmt(row.get('entity_token_f1')):>7} {row['entity_value_accuracy']:>9.3f} {fmt(row['response_selection_accuracy']):>9}"
            )
    print(
        "\nentity F1: exact span and type of what the whole pipeline returns (all extractors, "
        "after merging);\nRasa F1: the same entities scored as `rasa test nlu` does (token labels, "
        "weighted by type);\nvalue acc: matched spans whose value is the normalized gold value; "
        "faq topic: response selector on faq/<topic>."
    )
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/nlu-report"))
