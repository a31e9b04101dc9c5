#!/usr/bin/env python3
"""Validates live runs under several stage-time inputs of the simulated GPU, side by side.

For each run folder and each NAME=PROFILE given, runs `sgprs validate --live RUN
--gpu-times-profile PROFILE` (NAME=run: the run's own profile, no --gpu-times-profile) and writes
one markdown table: per run, the validation's throughput error, misses live and simulated, p50 and
p99 response errors, decision agreement by block width, and the median stage-time error, one
column group per NAME. With --keep DIR, each validation.json and report.md is kept as
DIR/<run>/<NAME>/, the run named from its parent folder on.

  tools/validate_gpu_times.py --sgprs build/sgprs --out table.md \\
      --model run=run --model l2cold=traces/profiles/h200-tf32.l2cold.json \\
      --model corun=traces/profiles/h200-tf32.corun.json RUN...
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile


def fail(message):
    print(f"validate_gpu_times.py: {message}", file=sys.stderr)
    sys.exit(2)


def cells(v):
    thr = 100 * (v["throughput_sim"] / v["throughput_live"] - 1) if v["throughput_live"] > 0 else float("nan")
    width = v.get("decision_agreement_width", v["decision_agreement"])
    return {
        "throughput error": f"{thr:+.1f}%",
        "misses live; sim": f"{100 * v['miss_ratio_live']:.2f}%; {100 * v['miss_ratio_sim']:.2f}%",
        "p50 error": f"{100 * v['response_p50_rel_error']:.1f}%",
        "p99 error": f"{100 * v['response_p99_rel_error']:.1f}%",
        "agreement (width)": f"{100 * width:.1f}%",
        "stage time error (median)": f"{100 * v['stage_time_rel_error']['median']:.1f}%",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sgprs", default="build/sgprs")
    ap.add_argument("--models", default="", help="passed to sgprs validate (its default: traces/models)")
    ap.add_argument("--model", action="append", required=True, metavar="NAME=PROFILE",
                    help="a stage-time input: NAME=PROFILE (run=run for the run's own profile); repeatable")
    ap.add_argument("--out", required=True, help="the markdown table")
    ap.add_argument("--keep", default="", help="folder for each validation's validation.json and report.md")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="validations at once (default: the CPUs)")
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    models = []
    for m in a.model:
        name, sep, profile = m.partition("=")
        if not sep or not name or not profile:
            fail(f"--model '{m}': expected NAME=PROFILE")
        if profile != "run" and not os.path.isfile(profile):
            fail(f"--model '{m}': {profile} is not a file")
        models.append((name, profile))
    for run in a.runs:
        if not os.path.isfile(os.path.join(run, "summary.json")):
            fail(f"{run}: holds no summary.json: not the folder of a run")
    if a.jobs < 1:
        fail(f"--jobs {a.jobs}: at least 1")

    def validate(work, i, run, model, profile):
        out = os.path.join(work, f"{i}-{model}")
        cmd = [a.sgprs, "validate", "--live", run, "--out", out, "--no-plot"]
        if a.models:
            cmd += ["--models", a.models]
        if profile != "run":
            cmd += ["--gpu-times-profile", profile]
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            return f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr.strip()}"
        with open(os.path.join(out, "validation.json")) as f:
            cell = cells(json.load(f))
        if a.keep:
            kept = os.path.join(a.keep, os.path.basename(os.path.normpath(run)), model)
            os.makedirs(kept, exist_ok=True)
            # The run named from its parent folder on, as tools/validate_shipped_runs.sh does:
            # a rerun from another place writes the same bytes.
            prefix = os.path.dirname(os.path.dirname(os.path.abspath(run))) + "/"
            for file in ("validation.json", "report.md"):
                with open(os.path.join(out, file)) as f:
                    text = f.read().replace(prefix, "").replace(run.rstrip("/"), os.path.relpath(run, prefix))
                with open(os.path.join(kept, file), "w") as f:
                    f.write(text)
        return cell

    with tempfile.TemporaryDirectory() as work, concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        futures = [[pool.submit(validate, work, i, run, model, profile) for model, profile in models]
                   for i, run in enumerate(a.runs)]
        rows = []
        for i, (run, per_run) in enumerate(zip(a.runs, futures)):
            per_model = [f.result() for f in per_run]
            for result in per_model:
                if isinstance(result, str):
                    fail(result)  # leaving the pool waits for the running validations, then the folder goes
            rows.append((os.path.basename(os.path.normpath(run)), per_model))
            print(f"[{i + 1}/{len(a.runs)}] {rows[-1][0]}", file=sys.stderr)
    columns = list(rows[0][1][0].keys())
    lines = [f"Each cell: {' / '.join(m[0] for m in models)} "
             f"({'; '.join(f'{n}: {p}' for n, p in models)}).", "",
             "| run | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for name, per_model in rows:
        lines.append(f"| {name} | " + " | ".join(" / ".join(c[col] for c in per_model) for col in columns) + " |")
    with open(a.out + ".partial", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(a.out + ".partial", a.out)


if __name__ == "__main__":
    main()
