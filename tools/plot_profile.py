#!/usr/bin/env python3
"""Plot an sgprs.profile/1 file: speedup against SM count (like Figure 1 of the
SGPRS paper), one panel for the standalone ops and one per model's stages.

    python3 tools/plot_profile.py traces/profiles/h100-fp32.json   # writes h100-fp32.png and .svg beside it

Speedup of a curve at s SMs = its median time at the smallest measured SM count
divided by its median time at s. The dashed line is perfect linear scaling.
"""
import argparse
import json
import math
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from compare_profiles import precision_of  # noqa: E402  (same folder)


def speedups(times):
    # A point with no sample has median 0 (never measured): a gap in the line, not a division by 0.
    base = next((t for t in times if t and t > 0), None)
    return [base / t if base and t and t > 0 else float("nan") for t in times]


def plot_panel(ax, title, sm_counts, curves, pivots=None):
    base = sm_counts[0]
    ax.plot(sm_counts, [s / base for s in sm_counts], "k--", linewidth=0.8, label="linear")
    cmap = plt.get_cmap("tab20" if len(curves) > 10 else "tab10")
    for i, (name, times) in enumerate(curves):
        label = name if not pivots else f"{name} (pivot {pivots[i]})"
        ax.plot(sm_counts, speedups(times), marker="o", markersize=2.5, linewidth=1.1, color=cmap(i % cmap.N),
                label=label)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("SMs")
    ax.set_ylabel(f"speedup over {base} SMs")
    ax.set_xticks(sm_counts[:: max(1, len(sm_counts) // 8)] + ([sm_counts[-1]] if len(sm_counts) > 8 else []))
    top = max([v for _, t in curves for v in speedups(t) if v == v] + [1.0])  # v == v: not NaN
    ax.set_ylim(0, min(top * 1.1, sm_counts[-1] / base * 1.05))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=5.5 if len(curves) > 8 else 7, ncol=2 if len(curves) > 12 else 1, loc="upper left")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", help="sgprs.profile/1 JSON file")
    parser.add_argument("--out", help="output path without extension (default: beside the profile)")
    args = parser.parse_args()

    path = pathlib.Path(args.profile)
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        sys.exit(f"plot_profile: {path}: {error}")
    if doc.get("schema") != "sgprs.profile/1":
        sys.exit(f"plot_profile: {path}: field 'schema': expected sgprs.profile/1, got {doc.get('schema')!r}")

    sm_counts = doc["sm_counts"]
    panels = []
    if doc.get("ops"):
        panels.append(("ops", [(o["name"], o["median_ns"]) for o in doc["ops"]], [o.get("pivot_sms") for o in doc["ops"]]))
    for model in doc.get("models", []):
        panels.append((model["name"], [(s["name"], s["median_ns"]) for s in model["stages"]], None))
    if not panels:
        sys.exit(f"plot_profile: {path}: no ops and no models to plot")

    columns = min(3, len(panels))
    rows = math.ceil(len(panels) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 4.2 * rows), squeeze=False)
    device = doc.get("device", {})
    created = doc.get("provenance", {}).get("created", "")
    fig.suptitle(f"{device.get('name', '?')} ({device.get('sm_count', '?')} SMs), precision {precision_of(doc)}, "
                 f"batch {doc.get('batch')}; speedup vs SMs (median of CUPTI-timed graph replays) {created}",
                 fontsize=10)
    for ax, (title, curves, pivots) in zip(axes.flat, panels):
        plot_panel(ax, title, sm_counts, curves, pivots)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout(rect=(0, 0, 1, 0.96))

    stem = pathlib.Path(args.out) if args.out else path.with_suffix("")
    for ext in (".png", ".svg"):
        fig.savefig(stem.with_suffix(ext), dpi=130)
        print(f"plot_profile: wrote {stem.with_suffix(ext)}")


if __name__ == "__main__":
    main()
