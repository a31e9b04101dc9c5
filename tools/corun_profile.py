#!/usr/bin/env python3
"""Stage times under co-running partitions, measured in live runs, as a profile for the simulated GPU.

The profiler times a stage alone (isolated) and beside a synthetic background (occupied). Live, on
disjoint partitions, stages run beside other models' stages, and take longer than either point
predicts (docs/validation.md, "Co-run stage times"). This tool measures that from live event logs
and writes it in the one form the simulator already runs, the interference rule
(simulator/sim/interference.hpp):

    t(s, u) = t_iso(s) * (1 + kappa[stage] * u)
    u       = SMs busy outside the stage's partition / (132 - s)   (time-averaged over the stage)

t_iso is the base profile's isolated time (a cold-L2 profile, tools/cold_profile.py, as the base
keeps the cache effect the profiler measured apart from contention). One kappa per stage is fitted
by least squares on relative error, over the median duration of every (stage, SM count, u to 0.1)
group of the runs given. Written as a profile: isolated = t_iso, occupied = t_iso * (1 + kappa),
measured beside all 132 - s other SMs (coverage 1), so the interference rule's weight is u and its
time is t(s, u). A stage the runs never ran (UNet's, for the shipped file) keeps the base's
occupied point, rescaled to that background (provenance.corun_fit.stages_without_data).

  beside:  each model's unit GPU time with and without a unit of --model running at its start (who
           slows whom where units share SMs; docs/validation.md, "What is open")
  extract: live run folders -> one CSV row per group (the measurement; small enough to ship;
           gzip-compressed when the name ends in .gz)
  fit:     CSV (rows of the runs named) + base profile -> profile for --gpu-times-profile, and a
           report of each group's measured and fitted time
  ceiling: co-run profile -> the same GPU with every stage at its time beside a full GPU (u = 1), as
           the isolated times: the throughput bound `sgprs simulate` prints on it is the most any
           scheduler can complete under the co-run rule (a stage's own SMs plus all others busy is the
           rule's worst case, but also the only way to use every SM; docs/experiments.md)

  tools/corun_profile.py extract --profile traces/profiles/h200-tf32.json RUN... --out stages.csv
  tools/corun_profile.py fit --table stages.csv --base traces/profiles/h200-tf32.l2cold.json \
      [--runs-matching tight-] --out traces/profiles/h200-tf32.corun.json --report fit.md
  tools/corun_profile.py ceiling --profile traces/profiles/h100-tf32.corun.json --out ceiling.json

Only stages alone on their SMs count: a stage whose partition shares SMs with another running
stage (streams on one partition, the packed rule's case) is left out.
"""
import argparse
import bisect
import csv
import gzip
import json
import os
import re
import statistics
import sys

from json_files import load_document


def fail(message):
    print(f"corun_profile.py: {message}", file=sys.stderr)
    sys.exit(2)


def load_json(path, schema=None):
    return load_document(path, schema, fail)


def write_json(path, doc):
    """Writes doc to path whole or not at all (a .partial file renamed over it)."""
    tmp = path + ".partial"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def stage_table(profile):
    return {(m["name"], s["name"]): s for m in profile["models"] for s in m["stages"]}


def floor_index(counts, sms):
    return max(0, bisect.bisect_right(counts, sms) - 1)


def task_models(taskset_path):
    taskset = load_json(taskset_path, "sgprs.taskset/1")
    models = {}
    for t in taskset.get("tasks", []):
        models[t["name"]] = t["model"]
    return models


def model_of(task, models, path):
    if task in models:
        return models[task]
    base = task.split("#")[0]
    if base in models:
        return models[base]
    fail(f"{path}: task '{task}' is in no task of taskset.json")


def stamped_finishes(folder):
    """The header of a run's events.jsonl and its finish events that carry GPU stamps, in log order."""
    events_path = os.path.join(folder, "events.jsonl")
    try:
        f = open(events_path)
    except OSError as e:
        fail(f"{events_path}: cannot be read ({e})")
    with f:
        try:
            head = json.loads(f.readline())
        except ValueError:
            fail(f"{events_path}: line 1 is not the log's header")
        if head.get("schema") != "sgprs.events/1":
            fail(f"{events_path}: field 'schema': expected sgprs.events/1")
        finishes = []
        for line in f:
            if '"finish"' not in line:
                continue
            e = json.loads(line)
            if e.get("ev") == "finish" and e.get("gpu_start_ns", -1) >= 0:
                finishes.append(e)
    return head, finishes


def extract_run(folder, profile):
    events_path = os.path.join(folder, "events.jsonl")
    summary = load_json(os.path.join(folder, "summary.json"), "sgprs.summary/1")
    prov = summary.get("provenance", {})
    if prov.get("world") != "live":
        fail(f"{folder}/summary.json: field 'provenance.world': not a live run")
    if prov.get("profile", {}).get("fingerprint") is None:
        fail(f"{folder}/summary.json: field 'provenance.profile.fingerprint': missing")
    pool = prov.get("pool") or prov.get("layout")
    pieces = {}
    for i, p in enumerate(pool["partitions"]):
        pieces[p["name"]] = frozenset(p.get("pieces", [i]))
    models = task_models(os.path.join(folder, "taskset.json"))
    head, finishes = stamped_finishes(folder)
    part_sms = {p["name"]: p["sms"] for p in head["partitions"]}
    runs = []
    for e in finishes:
        if e.get("gpu_end_ns", -1) <= e["gpu_start_ns"]:
            continue
        if e.get("partition") not in pieces or e["partition"] not in part_sms:
            fail(f"{events_path}: field 'partition': '{e.get('partition')}' is not a partition of the run's pool")
        runs.append((e["gpu_start_ns"], e["gpu_end_ns"], e["task"], e["stage"], e["partition"]))
    # SMs of each piece: the single-piece partitions name them; a piece no partition names alone
    # gets the GPU's SMs spread evenly.
    piece_sms = {}
    for name, ps in pieces.items():
        if len(ps) == 1 and name in part_sms:
            piece_sms[next(iter(ps))] = part_sms[name]
    all_pieces = frozenset().union(*pieces.values())
    total = profile["sm_counts"][-1]
    spare = [p for p in all_pieces if p not in piece_sms]
    for p in spare:
        piece_sms[p] = (total - sum(piece_sms.values())) / max(1, len(spare))
    counts = profile["sm_counts"]
    table = stage_table(profile)
    runs.sort()
    starts = [r[0] for r in runs]
    longest = max((r[1] - r[0] for r in runs), default=0)
    out = []
    shared = 0
    for i, (s, e, task, stage, part) in enumerate(runs):
        mine = pieces[part]
        lo = bisect.bisect_left(starts, s - longest)
        hi = bisect.bisect_left(starts, e)
        # Instants where the set of busy pieces elsewhere changes, inside [s, e).
        marks = []
        alone = True
        for j in range(lo, hi):
            if j == i:
                continue
            s2, e2, _, _, p2 = runs[j]
            if e2 <= s or s2 >= e:
                continue
            if pieces[p2] & mine:
                alone = False
                break
            marks.append((max(s, s2), min(e, e2), pieces[p2]))
        if not alone:
            shared += 1
            continue
        cuts = sorted({s, e} | {m[0] for m in marks} | {m[1] for m in marks})
        busy_area = 0.0
        for a, b in zip(cuts, cuts[1:]):
            busy = frozenset().union(*[m[2] for m in marks if m[0] <= a and m[1] >= b]) if marks else frozenset()
            busy_area += (b - a) * sum(piece_sms[p] for p in busy)
        sms = part_sms[part]
        k = floor_index(counts, sms)
        elsewhere = total - counts[k]
        u = min(1.0, busy_area / (e - s) / elsewhere) if elsewhere > 0 else 0.0
        model = model_of(task, models, folder)
        if (model, stage) not in table:
            fail(f"{events_path}: stage {model}/{stage} is not in the profile")
        out.append((model, stage, counts[k], u, e - s))
    return out, shared, prov["profile"]["fingerprint"]


def cmd_extract(a):
    profile = load_json(a.profile, "sgprs.profile/1")
    rows = []
    for folder in a.runs:
        runs, shared, fingerprint = extract_run(folder, profile)
        groups = {}
        for model, stage, sms, u, d in runs:
            groups.setdefault((model, stage, sms, min(10, int(u * 10 + 0.5))), []).append((u, d))
        name = os.path.basename(os.path.normpath(folder))
        for (model, stage, sms, _), v in sorted(groups.items()):
            rows.append({"run": name, "profile_fingerprint": fingerprint, "model": model, "stage": stage, "sms": sms,
                         "n": len(v), "u_median": round(statistics.median(x[0] for x in v), 4),
                         "duration_median_ns": int(statistics.median(x[1] for x in v))})
        print(f"{name}: {len(runs)} stages alone on their SMs, {shared} sharing them left out, {len(groups)} groups",
              file=sys.stderr)
    tmp = a.out + ".partial"
    with (gzip.open(tmp, "wt", newline="") if a.out.endswith(".gz") else open(tmp, "w", newline="")) as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["run"])
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, a.out)


def solve(matrix, vector):
    """Gaussian elimination with partial pivoting; the normal equations are small (stages + 2)."""
    n = len(vector)
    m = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-30:
            raise ValueError(f"unknown {col} is not determined by the data")
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


def read_table(path, pattern):
    try:
        with (gzip.open(path, "rt", newline="") if path.endswith(".gz") else open(path, newline="")) as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(f"{path}: cannot be read ({e})")
    need = {"run", "profile_fingerprint", "model", "stage", "sms", "n", "u_median", "duration_median_ns"}
    if not rows or not need <= set(rows[0].keys()):
        fail(f"{path}: not a table written by 'corun_profile.py extract' (columns {sorted(need)})")
    rx = re.compile(pattern) if pattern else None
    return [r for r in rows if rx is None or rx.search(r["run"])]


def cmd_fit(a):
    base = load_json(a.base, "sgprs.profile/1")
    rows = read_table(a.table, a.runs_matching)
    if not rows:
        fail(f"{a.table}: no row's run matches '{a.runs_matching}'")
    counts = base["sm_counts"]
    table = stage_table(base)
    keys = sorted({(r["model"], r["stage"]) for r in rows})
    index = {k: i for i, k in enumerate(keys)}
    n_unknowns = len(keys)
    ata = [[0.0] * n_unknowns for _ in range(n_unknowns)]
    atb = [0.0] * n_unknowns
    obs = []
    for r in rows:
        key = (r["model"], r["stage"])
        if key not in table:
            fail(f"{a.base}: no stage {key[0]}/{key[1]} (named by {a.table})")
        sms, u, d, n = int(r["sms"]), float(r["u_median"]), float(r["duration_median_ns"]), int(r["n"])
        t_iso = table[key]["median_ns"][floor_index(counts, sms)]
        # d - t_iso = kappa * t_iso * u, weighed by n / d^2 (relative error). An additive term
        # (a constant, or one growing with u) was tried and left out: fitted on these runs it came
        # out negative, taken back by the heads' kappa (docs/validation.md, "Co-run stage times").
        x = [0.0] * n_unknowns
        x[index[key]] = t_iso * u
        y = d - t_iso
        w = n / (d * d)
        for i in range(n_unknowns):
            if x[i] == 0:
                continue
            atb[i] += w * x[i] * y
            for j in range(n_unknowns):
                ata[i][j] += w * x[i] * x[j]
        obs.append((r, key, sms, u, d, n, t_iso))
    for key, i in index.items():  # a stage seen only alone (u = 0) keeps its isolated slope
        if ata[i][i] == 0:
            ata[i][i] = 1.0
    try:
        beta = solve(ata, atb)
    except ValueError as e:
        fail(f"{a.table}: {e}")
    kappa = {k: beta[i] for k, i in index.items()}

    out = json.loads(json.dumps(base))
    base_background = base.get("occupied_background_sms") or [0] * len(counts)
    kept = []
    for m in out["models"]:
        for s in m["stages"]:
            iso = s["median_ns"]
            key = (m["name"], s["name"])
            if key in kappa:
                s["occupied_median_ns"] = [int(round(t * (1 + kappa[key]))) for t in iso]
            else:
                # No co-run data for this stage: the base's own occupied point, rescaled to the
                # background of all 132 - s other SMs, so that the rule charges it per busy SM
                # as the base profile does (up to the base's background, past which it went flat).
                kept.append(f"{key[0]}/{key[1]}")
                occ = s.get("occupied_median_ns") or iso
                cov = s.get("occupied_background_coverage") or [1.0] * len(iso)
                s["occupied_median_ns"] = [
                    int(round(t + (o - t) * (counts[-1] - c) / (b * v))) if c < counts[-1] and b * v > 0 else int(t)
                    for t, o, c, b, v in zip(iso, occ, counts, base_background, cov)]
            s["occupied_background_coverage"] = [1.0] * len(iso)
    out["occupied_background_sms"] = [counts[-1] - c if c < counts[-1] else 0 for c in counts]
    out.setdefault("provenance", {})
    out["provenance"]["corun_fit"] = {
        "tool": "tools/corun_profile.py fit", "base": a.base, "table": a.table,
        "runs": sorted({r["run"] for r in rows}), "runs_matching": a.runs_matching or "",
        "live_profile_fingerprints": sorted({r["profile_fingerprint"] for r in rows}),
        "kappa": {f"{m}/{s}": round(v, 4) for (m, s), v in kappa.items()},
        "stages_without_data": kept,
    }
    write_json(a.out, out)

    def predicted(key, t_iso, u):
        return t_iso * (1 + kappa[key] * u)

    errs_base, errs_fit = [], []
    lines = [f"# Co-run fit of {a.table} ({len(rows)} groups, runs matching '{a.runs_matching or ''}')", "",
             "| stage | kappa | groups | stage-runs | median \\|error\\| base | fitted |", "|---|---|---|---|---|---|"]
    for key in keys:
        mine = [o for o in obs if o[1] == key]
        eb = [abs(o[6] - o[4]) / o[4] for o in mine for _ in range(1)]
        ef = [abs(predicted(key, o[6], o[3]) - o[4]) / o[4] for o in mine]
        for o, b, f_ in zip(mine, eb, ef):
            errs_base += [b] * o[5]
            errs_fit += [f_] * o[5]
        lines.append(f"| {key[0]}/{key[1]} | {kappa[key]:+.3f} | {len(mine)} | {sum(o[5] for o in mine)} | "
                     f"{100 * statistics.median(eb):.1f}% | {100 * statistics.median(ef):.1f}% |")
    lines += ["", f"Over every stage-run: median |error| {100 * statistics.median(errs_base):.1f}% (base, isolated) -> "
              f"{100 * statistics.median(errs_fit):.1f}% (fitted)."]
    print(lines[-1], file=sys.stderr)
    if a.report:
        with open(a.report + ".partial", "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(a.report + ".partial", a.report)


def cmd_beside(a):
    """Each model's median unit GPU time, by whether a unit of --model was running at its start and
    by how many units were (fewer than 4, 4-7, 8 or more): who slows whom on shared streams."""
    for folder in a.runs:
        models = task_models(os.path.join(folder, "taskset.json"))
        events_path = os.path.join(folder, "events.jsonl")
        units = [(e["gpu_start_ns"], e["gpu_end_ns"], model_of(e["task"], models, folder))
                 for e in stamped_finishes(folder)[1]]
        if not units:
            fail(f"{events_path}: no finish event with GPU stamps")
        units.sort()
        starts = [u[0] for u in units]
        longest = max(u[1] - u[0] for u in units)
        groups = {}
        for i, (s, e, model) in enumerate(units):
            lo = bisect.bisect_left(starts, s - longest)
            running = [units[j][2] for j in range(lo, i) if units[j][0] < s < units[j][1]]
            n = len(running)
            groups.setdefault(model, {}).setdefault((a.model in running, 0 if n < 4 else 1 if n < 8 else 2), []).append(e - s)
        print(f"{os.path.basename(os.path.normpath(folder))}: median unit GPU time (us, count), by {a.model} running at "
              f"the start and units running")
        for model in sorted(groups):
            cells = [f"{'with' if k[0] else 'without'} {a.model}, {['<4', '4-7', '8+'][k[1]]}: "
                     f"{statistics.median(v) / 1e3:.0f} ({len(v)})"
                     for k, v in sorted(groups[model].items()) if len(v) >= a.min_count]
            print(f"  {model}: " + "; ".join(cells))


def cmd_ceiling(a):
    """Every stage's occupied (beside a full GPU) times become its isolated times; nothing else changes."""
    profile = load_json(a.profile, "sgprs.profile/1")
    if "corun_fit" not in profile.get("provenance", {}):
        fail(f"{a.profile}: field 'provenance.corun_fit' is missing: not a profile written by 'corun_profile.py fit'")
    for m in profile["models"]:
        for st in m["stages"]:
            occupied = st.get("occupied_median_ns")
            if not occupied or len(occupied) != len(st["median_ns"]):
                fail(f"{a.profile}: field 'occupied_median_ns' of stage {m['name']}/{st['name']} is missing or short")
            st["median_ns"] = list(occupied)
            st["p5_ns"] = list(occupied)
            st["p95_ns"] = list(occupied)
    profile["provenance"]["corun_ceiling"] = {
        "tool": "tools/corun_profile.py ceiling", "from": a.profile,
        "what": "every stage's isolated times are its co-run times beside a full GPU (u = 1)"}
    write_json(a.out, profile)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="live run folders -> table of stage-time groups")
    e.add_argument("--profile", required=True, help="the profile the runs ran with (for the measured SM counts)")
    e.add_argument("runs", nargs="+", help="live run folders (events.jsonl, summary.json, taskset.json)")
    e.add_argument("--out", required=True)
    f = sub.add_parser("fit", help="table + base profile -> co-run profile")
    f.add_argument("--table", required=True)
    f.add_argument("--base", required=True, help="the profile whose isolated times are the fit's t_iso")
    f.add_argument("--runs-matching", default="", help="a regular expression: fit on the rows of these runs only")
    f.add_argument("--out", required=True)
    f.add_argument("--report", default="")
    c = sub.add_parser("ceiling", help="co-run profile -> its stages at their full-GPU co-run times")
    c.add_argument("--profile", required=True, help="a profile written by 'fit'")
    c.add_argument("--out", required=True)
    w = sub.add_parser("beside", help="each model's unit time with and without a unit of --model running")
    w.add_argument("--model", required=True, help="the model whose running units are looked for (e.g. vit_b16)")
    w.add_argument("--min-count", type=int, default=20, help="groups with fewer units are not printed")
    w.add_argument("runs", nargs="+", help="live run folders")
    a = ap.parse_args()
    {"extract": cmd_extract, "fit": cmd_fit, "ceiling": cmd_ceiling, "beside": cmd_beside}[a.command](a)


if __name__ == "__main__":
    main()
