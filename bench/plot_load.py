"""Plot of bench/load.py's results: p95 time to first reply against N, per path and replica count.

    <rasa env>/bin/python bench/plot_load.py results.json out.png

Runs in Rasa's environment, which has matplotlib (a dependency of Rasa), so the app environment
needs no plotting library; it imports nothing from the project.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend


def main(results: str, png: str) -> None:
    rows = json.load(open(results, encoding="utf-8"))["rows"]
    lines: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for row in rows:
        label = f"{'bot' if row['path'] == 'bot' else 'Rasa alone'}, {row['replicas']} replica(s)"
        lines[label].append((row["applicants"], row["p95_s"]))
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for label, points in sorted(lines.items()):
        points.sort()
        axes.plot([n for n, _ in points], [p for _, p in points], marker="o",
                  linestyle="-" if label.startswith("bot") else "--", label=label)
    axes.axhline(2.0, color="grey", linewidth=0.8, linestyle=":", label="2 s")
    axes.set_xlabel("applicants at once (N)")
    axes.set_ylabel("p95 time to first reply (s)")
    axes.set_title("Update offered → first reply, p95")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(png, dpi=120)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
