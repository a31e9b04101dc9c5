#!/usr/bin/env python3
"""responses.png of a validation folder (written by `sgprs validate`): every completed job's response
time, live against simulated, one colour per task group, with the y = x line.
Usage: tools/plot_validation.py DIR"""
import csv
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> int:
    folder = pathlib.Path(sys.argv[1])
    groups = {}
    with open(folder / "responses.csv", newline="") as f:
        for row in csv.DictReader(f):
            live, sim = int(row["live_response_ns"]), int(row["sim_response_ns"])
            if live < 0 or sim < 0:
                continue
            group = row["task"].split("#")[0]
            groups.setdefault(group, ([], []))
            groups[group][0].append(live / 1e6)
            groups[group][1].append(sim / 1e6)
    fig, ax = plt.subplots(figsize=(6, 6))
    top = 0.0
    for name, (live, sim) in sorted(groups.items()):
        ax.scatter(live, sim, s=4, alpha=0.5, label=name)
        top = max(top, max(live), max(sim))
    ax.plot([0, top], [0, top], color="black", linewidth=0.8, label="simulated = live")
    ax.set_xlabel("live response time (ms)")
    ax.set_ylabel("simulated response time (ms)")
    ax.set_title(f"{folder.parent.name}: per-job response, live vs simulated")
    ax.legend(markerscale=3, fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "responses.png", dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
