#!/usr/bin/env python3
"""Plots of one `sgprs sweep` folder (DIR/summary.csv + DIR/sweep.json), as PNG and SVG.

    python3 tools/plot_sweep.py DIR [--out FOLDER] [--title TEXT] [--table]

Writes, per layout family (one panel per layout):
  throughput_vs_load    completed jobs/s vs load, one line per scheduler (95% CI bars),
                        with the throughput bound min(offered, bound) drawn dashed
  miss_ratio_vs_load    miss ratio (late + skipped + aborted jobs / released) vs load
  schedulability_vs_utilisation   (random task sets only) share of task sets with no miss
                        vs total utilisation
--table prints, instead of plotting, a Markdown table per layout and scheduler:
the peak mean throughput and the first load reaching 99% of it (the pivot: where
the scheduler stops gaining throughput), the throughput at the largest load,
the largest miss-free load (every repetition of it and of every smaller load
without a miss), and the share of the bound at the peak.
The paper's Figures 3 and 4 are throughput_vs_load and miss_ratio_vs_load for
2 and 3 partitions. Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import csv
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend first)

# Text stays text in SVG (small files), and the same data gives the same bytes.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "sgprs"

# One fixed style per scheduler so every figure reads the same way.
STYLE = {
    "sgprs": dict(color="tab:blue", marker="o"),
    "naive": dict(color="tab:red", marker="s"),
    "sequential": dict(color="tab:green", marker="^"),
    "static": dict(color="tab:purple", marker="D"),
}
FALLBACK_COLORS = ["tab:orange", "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "tab:gray"]


def read_summary(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for key in ("load", "utilisation", "offered_jobs_per_s", "bound_jobs_per_s", "throughput_mean",
                    "throughput_ci95", "miss_ratio_mean", "miss_ratio_ci95", "schedulability_ratio",
                    "share_of_bound"):
            r[key] = float(r[key])
    return rows


def ordered(values):
    seen = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def style_for(scheduler, index):
    return STYLE.get(scheduler, dict(color=FALLBACK_COLORS[index % len(FALLBACK_COLORS)], marker="x"))


def panels(layouts):
    n = len(layouts)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows), squeeze=False, sharey=True)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def save(fig, out_dir, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, f"{name}.png"), dpi=130)
    fig.savefig(os.path.join(out_dir, f"{name}.svg"), metadata={"Date": None})
    plt.close(fig)
    print(f"wrote {os.path.join(out_dir, name)}.png/.svg")


def plot_vs_load(rows, out_dir, title, xlabel, metric, ylabel, name, draw_bound, x_key="load"):
    layouts = ordered(r["layout"] for r in rows)
    schedulers = ordered(r["scheduler"] for r in rows)
    fig, axes = panels(layouts)
    for ax, layout in zip(axes, layouts):
        mine = [r for r in rows if r["layout"] == layout]
        if draw_bound:
            # The bound depends on the task sets only, not the scheduler: take one scheduler's points.
            first = [r for r in mine if r["scheduler"] == schedulers[0]]
            first.sort(key=lambda r: r[x_key])
            ax.plot([r[x_key] for r in first], [r["bound_jobs_per_s"] for r in first], "k--", linewidth=1.2,
                    label="bound")
        for i, sched in enumerate(schedulers):
            pts = sorted((r for r in mine if r["scheduler"] == sched), key=lambda r: r[x_key])
            if not pts:
                continue
            ax.errorbar([r[x_key] for r in pts], [r[f"{metric}_mean"] for r in pts],
                        yerr=[r[f"{metric}_ci95"] for r in pts], label=sched, markersize=4, linewidth=1.2,
                        capsize=2, **style_for(sched, i))
        ax.set_title(layout, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    save(fig, out_dir, name)


def plot_schedulability(rows, out_dir, title):
    layouts = ordered(r["layout"] for r in rows)
    schedulers = ordered(r["scheduler"] for r in rows)
    fig, axes = panels(layouts)
    for ax, layout in zip(axes, layouts):
        for i, sched in enumerate(schedulers):
            pts = sorted((r for r in rows if r["layout"] == layout and r["scheduler"] == sched),
                         key=lambda r: r["utilisation"])
            ax.plot([r["utilisation"] for r in pts], [r["schedulability_ratio"] for r in pts], label=sched,
                    markersize=4, linewidth=1.2, **style_for(sched, i))
        ax.set_title(layout, fontsize=10)
        ax.set_xlabel("total utilisation (sum of full-GPU time / period)")
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("schedulability ratio")
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    save(fig, out_dir, "schedulability_vs_utilisation")


def findings(rows):
    """One dict per (layout, scheduler), from summary rows (see --table)."""
    out = []
    for layout in ordered(r["layout"] for r in rows):
        for sched in ordered(r["scheduler"] for r in rows):
            pts = sorted((r for r in rows if r["layout"] == layout and r["scheduler"] == sched),
                         key=lambda r: r["load"])
            if not pts:
                continue
            peak = max(pts, key=lambda r: r["throughput_mean"])
            pivot = next(r for r in pts if r["throughput_mean"] >= 0.99 * peak["throughput_mean"])
            miss_free = None
            for r in pts:
                if r["schedulability_ratio"] < 1:
                    break
                miss_free = r
            out.append(dict(layout=layout, scheduler=sched, peak=peak["throughput_mean"], peak_load=peak["load"],
                            pivot_load=pivot["load"], last=pts[-1]["throughput_mean"], last_load=pts[-1]["load"],
                            miss_free_load=miss_free["load"] if miss_free else None,
                            peak_share=peak["throughput_mean"] / peak["bound_jobs_per_s"]
                            if peak["bound_jobs_per_s"] > 0 else float("nan")))
    return out


def print_table(rows):
    print("| layout | scheduler | peak jobs/s (at load) | pivot load (99% of peak) | jobs/s at largest load "
          "| largest miss-free load | peak / bound |")
    print("|---|---|---|---|---|---|---|")
    fmt = lambda v: f"{v:g}"  # noqa: E731
    for f in findings(rows):
        miss_free = fmt(f["miss_free_load"]) if f["miss_free_load"] is not None else "none"
        print(f"| {f['layout']} | {f['scheduler']} | {f['peak']:.0f} ({fmt(f['peak_load'])}) | {fmt(f['pivot_load'])} "
              f"| {f['last']:.0f} ({fmt(f['last_load'])}) | {miss_free} | {f['peak_share']:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", help="a folder written by sgprs sweep")
    parser.add_argument("--out", help="where the figures go (default: DIR)")
    parser.add_argument("--title", help="figure title (default: the experiment's name)")
    parser.add_argument("--table", action="store_true", help="print the findings table (Markdown) instead of plotting")
    args = parser.parse_args()

    summary_path = os.path.join(args.dir, "summary.csv")
    if not os.path.exists(summary_path):
        sys.exit(f"plot_sweep: {summary_path} does not exist (run sgprs sweep first)")
    rows = read_summary(summary_path)
    if not rows:
        sys.exit(f"plot_sweep: {summary_path} has no rows")
    if args.table:
        print_table(rows)
        return
    kind = "identical"
    sweep_path = os.path.join(args.dir, "sweep.json")
    device = ""
    if os.path.exists(sweep_path):
        with open(sweep_path) as f:
            sweep = json.load(f)
        kind = sweep.get("experiment", {}).get("config", {}).get("generator", {}).get("kind", kind)
        device = sweep.get("device", "")
    out_dir = args.out or args.dir
    os.makedirs(out_dir, exist_ok=True)
    title = args.title if args.title is not None else f"{rows[0]['experiment']}" + (f" on {device}" if device else "")

    xlabel = "tasks (N)" if kind == "identical" else "total utilisation"
    x_key = "load"
    plot_vs_load(rows, out_dir, title, xlabel, "throughput", "completed jobs / s", "throughput_vs_load", True, x_key)
    plot_vs_load(rows, out_dir, title, xlabel, "miss_ratio", "miss ratio", "miss_ratio_vs_load", False, x_key)
    if kind in ("random", "random-periods"):
        plot_schedulability(rows, out_dir, title)


if __name__ == "__main__":
    main()
