#!/usr/bin/env python3
"""Hostile-input campaign against `sgprs simulate` and `sgprs sweep`.

Generates malformed and extreme inputs for every file kind (task set, profile, model, layout,
experiment) and every flag, runs the given binary on each (best built with SGPRS_SANITIZE=ON)
under a timeout, and classifies every outcome:

  ok            exit 0, nothing on stderr but progress lines
  rejected      exit 2 with exactly one stderr line "sgprs: error: ..." naming a file or a flag
  crash         killed by a signal we did not send (SIGSEGV, SIGABRT, ...)
  sanitizer     an AddressSanitizer / UndefinedBehaviorSanitizer report on stderr
  slow          still running after --timeout seconds but printing progress lines, and SIGTERM then
                stopped it leaving nothing behind (a legitimately large run)
  hang          still running after --timeout seconds with no sign of progress (then SIGTERM, SIGKILL)
  exit1         "internal error" (exit 1) or any other exit status
  multiline     a rejection of more than one line
  unnamed       a one-line rejection that names neither the mutated file nor a flag
  debris        files left in --out after a failed or interrupted run (or any *.tmp-* at all)

  tools/hostile_campaign.py --sgprs build-sanitize/sgprs [--cases 2400] [--jobs 2] [--timeout 20]

Prints the figures per category and per file kind, and the first examples of each failure.
Exit status 1 when any case is neither ok nor rejected.
"""
import argparse
import collections
import concurrent.futures
import copy
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIM = os.path.join(ROOT, "tests", "data", "sim")
EXP = os.path.join(ROOT, "tests", "data", "experiments")

INTS = [-1, 0, 1, 2, 3, 2**31 - 1, 2**31, 2**53, 2**61, 2**62, 2**63 - 1, 2**63, 2**64, -2**63]
FLOATS = [1.5, -0.5, 1e300, -1e300, 4.9e-324, 1e-32, 4.9e-32, 1e6, 1e9, 1e15, 1e18]
OTHERS = ["text", None, [], {}, True, "", "a\nb", "\u001b[31mred", "x" * 300, "../../etc/passwd", "a/b", "#",
          "\u0000"]
HOSTILE_VALUES = INTS + FLOATS + OTHERS
SAN_RE = re.compile(r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer")


def load(path):
    with open(path) as f:
        return json.load(f)


def field_paths(doc, prefix=()):
    """Every (path, value) of a JSON document, leaves and containers alike."""
    out = [(prefix, doc)]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += field_paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += field_paths(v, prefix + (i,))
    return out


def set_path(doc, path, value):
    doc = copy.deepcopy(doc)
    if not path:
        return value
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return doc


def delete_path(doc, path):
    doc = copy.deepcopy(doc)
    node = doc
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]
    return doc


def deep(depth, leaf="1"):
    return "[" * depth + leaf + "]" * depth


class Case:
    def __init__(self, kind, label, files, args, command="simulate", prepare=None, interrupt_after=None):
        self.kind, self.label, self.files, self.args = kind, label, files, args
        self.command, self.prepare, self.interrupt_after = command, prepare, interrupt_after


def text_mutations(rng, base_text, count):
    """Raw-text mutations: truncations, byte flips, deep nesting, junk."""
    out = []
    for _ in range(count):
        r = rng.random()
        if r < 0.3:
            cut = rng.randrange(0, max(1, len(base_text)))
            out.append(("truncated", base_text[:cut]))
        elif r < 0.55:
            b = bytearray(base_text.encode())
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            out.append(("byteflip", b.decode("latin-1")))
        elif r < 0.8:
            depth = rng.choice([65, 100, 1000, 20000, 100000])
            pos = base_text.rfind("}")
            out.append(("deep%d" % depth, base_text[:pos] + ', "comment": ' + deep(depth) + base_text[pos:]))
        else:
            out.append(("junk", rng.choice(["", " ", "null", "[]", "{}", '"x"', "\xff\xfe", "{" * 10, "1e400"])))
    return out


def value_mutations(rng, doc, count):
    paths = [p for p, _ in field_paths(doc) if p and p != ("schema",)]
    out = []
    for _ in range(count):
        path = rng.choice(paths)
        r = rng.random()
        if r < 0.75:
            v = rng.choice(HOSTILE_VALUES)
            out.append(("%s=%r" % ("/".join(map(str, path)), v)[:80], set_path(doc, path, v)))
        elif r < 0.9:
            out.append(("del %s" % "/".join(map(str, path)), delete_path(doc, path)))
        else:
            parent = path[:-1]
            node = doc
            for k in parent:
                node = node[k]
            if isinstance(node, dict):
                out.append(("unknown field", set_path(doc, parent + ("a\nb",), 1)))
            else:
                out.append(("nested deep", set_path(doc, path, json.loads(deep(60)))))
    return out


def build_cases(rng, total, work):
    taskset = load(os.path.join(SIM, "taskset-small.json"))
    profile = load(os.path.join(SIM, "profile.json"))
    model = load(os.path.join(SIM, "models", "resnetlike.json"))  # used by taskset-small
    layout = load(os.path.join(SIM, "layout-overlap.json"))
    experiment = load(os.path.join(EXP, "identical.json"))
    experiment["profile"] = os.path.join(EXP, "profile-hand.json")
    experiment["models_dir"] = os.path.join(EXP, "models")
    experiment["duration_s"] = 0.005
    experiment["repetitions"] = 1
    random_exp = load(os.path.join(EXP, "random.json"))
    random_exp.update(profile=experiment["profile"], models_dir=experiment["models_dir"], duration_s=0.005)

    base = {"taskset": os.path.join(SIM, "taskset-small.json"), "profile": os.path.join(SIM, "profile.json"),
            "models": os.path.join(SIM, "models"), "layout": "equal:2:1.0x"}
    cases = []
    share = total // 10

    def sim_case(kind, label, files, extra=(), **kw):
        cases.append(Case(kind, label, files, list(extra), **kw))

    # Task sets, profiles, layouts, models: structured and textual mutations.
    for kind, doc, n in [("taskset", taskset, 2 * share), ("profile", profile, 2 * share),
                         ("layout", layout, share), ("model", model, share)]:
        text = json.dumps(doc)
        for label, mutated in value_mutations(rng, doc, n * 2 // 3):
            sim_case(kind, label, {kind: json.dumps(mutated)})
        for label, mutated in text_mutations(rng, text, n - n * 2 // 3):
            sim_case(kind, label, {kind: mutated})
    # Extreme but well-formed task sets: many tasks, tiny periods, long chains.
    for label, tasks in [("1e6 copies", [{"model": "chain3", "period_ns": 1000000, "count": 1000000}]),
                         ("period 1 ns", [{"model": "chain3", "period_ns": 1}]),
                         ("period max", [{"model": "chain3", "period_ns": 2**63 - 1}]),
                         ("deadline max", [{"model": "chain3", "period_ns": 1000, "deadline_ns": 2**63 - 1}]),
                         ("offset max", [{"model": "chain3", "period_ns": 1000, "offset_ns": 2**63 - 1}]),
                         ("rate tiny", [{"model": "chain3", "rate_hz": 1e-9}]),
                         ("100k distinct", [{"name": "t%d" % i, "model": "chain3", "period_ns": 10**9}
                                            for i in range(100000)]),
                         ("long model name", [{"model": "m" * 5000, "period_ns": 1000}])]:
        sim_case("taskset", label, {"taskset": json.dumps({"schema": "sgprs.taskset/1", "tasks": tasks})})
    for label, stages in [("200k-stage chain", [{"name": "s%d" % i} for i in range(200000)])]:
        m = {"schema": "sgprs.model/1", "name": "chain3", "stages": stages}
        sim_case("model", label, {"model": json.dumps(m)})
    big = copy.deepcopy(profile)
    big["device"].update(sm_count=10**8, pieces=10**8 // 4)
    sim_case("profile", "sm_count 1e8", {"profile": json.dumps(big)})
    big = copy.deepcopy(profile)
    big["models"][0]["stages"][0]["median_ns"] = [2**62] * 4
    sim_case("profile", "stage time 2^62", {"profile": json.dumps(big)})
    big = copy.deepcopy(profile)
    big["device"].update(pieces=2**30, piece_sms=2**3)
    sim_case("profile", "pieces x piece_sms", {"profile": json.dumps(big)})

    # Flags of simulate.
    flag_values = {
        "--duration": ["-1", "0", "nan", "inf", "1e6", "1e7", "1e-300", "abc", "", "1e308", "0.5x"],
        "--seed": ["-1", "1.5", "18446744073709551616", "x", "", "99999999999999999999999"],
        "--max-parallel": ["-1", "2147483647", "1025", "1e3", "x", "0"],
        "--layout": ["equal:0:1x", "equal:99999999:1x", "stepwise:3:1e308x", "equal:2:nanx", "equal:2:-1x",
                     "full:", "", "/nonexistent", "/", "equal:2:1.0x:9", "stepwise:2147483647:1x", "a\nb"],
        "--scheduler": ["nope", "", "a\u001bb", "SGPRS"],
        "--option": ["x", "=", "waiting_order=", "deadline_fraction=1e308", "deadline_fraction=-1",
                     "reference_partition=2147483647", "a\nb=c"],
        "--curve": ["cubic", ""], "--estimates": ["x"], "--gpu-times": ["x"],
        "--taskset": ["/nonexistent.json", "/", "/dev/null", "x" * 5000],
        "--profile": ["/nonexistent.json", "/"], "--models": ["/nonexistent", "/dev/null"],
        "--bogus": ["1"],
    }
    flag_cases = [(f, v) for f, vs in flag_values.items() for v in vs]
    for i in range(share):
        f, v = flag_cases[i % len(flag_cases)]
        sim_case("flags", "%s %r" % (f, v), {}, [f, v] if f not in ("--layout",) else [])
        if f == "--layout":
            cases[-1].files = {"layout_spec": v}
    for extra in (["--duration"], ["--out"], ["extra-positional"], ["--no-events", "--no-events=3"]):
        sim_case("flags", " ".join(extra), {}, extra)

    # Output folders: a file in place of --out, folders in place of outputs, a full disk, signals.
    for name in ("summary.json", "events.jsonl", "timeline.json"):
        sim_case("out", "folder at " + name, {}, prepare=("folder", name))
    sim_case("out", "out is a file", {}, prepare=("file", None))
    for limit in (0, 1000, 100000, 2000000):
        sim_case("out", "disk full at %d bytes" % limit, {}, ["--duration", "0.2"], prepare=("fsize", limit))
    for delay in (0.05, 0.2, 0.5, 1.0, 2.0):
        for sig in (signal.SIGINT, signal.SIGTERM):
            sim_case("signal", "%s after %.2f s" % (signal.Signals(sig).name, delay), {}, ["--duration", "2"],
                     interrupt_after=(delay, sig))

    # Experiments (sweep).
    for doc, n in ((experiment, 2 * share), (random_exp, share)):
        for label, mutated in value_mutations(rng, doc, n * 3 // 4):
            cases.append(Case("experiment", label, {"experiment": json.dumps(mutated)}, [], command="sweep"))
        for label, mutated in text_mutations(rng, json.dumps(doc), n - n * 3 // 4):
            cases.append(Case("experiment", label, {"experiment": mutated}, [], command="sweep"))
    for jobs in ("-1", "1.5", "99999", "x"):
        cases.append(Case("flags", "sweep --jobs %s" % jobs, {"experiment": json.dumps(experiment)}, ["--jobs", jobs],
                          command="sweep"))
    for name in ("sweep.json", "runs.csv", "summary.csv"):
        cases.append(Case("out", "sweep: folder at " + name, {"experiment": json.dumps(experiment)}, [],
                          command="sweep", prepare=("folder", name)))
    cases.append(Case("out", "sweep resume: rows of another experiment, no sweep.json",
                      {"experiment": json.dumps(experiment)}, ["--resume"], command="sweep", prepare=("foreign", None)))
    return cases, base


def run_case(case, binary, base, work, timeout):
    d = tempfile.mkdtemp(dir=work)
    out = os.path.join(d, "out")
    paths = dict(base)
    mutated_path = None
    for kind, text in case.files.items():
        if kind == "layout_spec":
            paths["layout"] = text
            continue
        if kind == "model":
            models = os.path.join(d, "models")
            shutil.copytree(base["models"], models)
            mutated_path = os.path.join(models, "resnetlike.json")
            paths["models"] = models
        else:
            mutated_path = os.path.join(d, kind + ".json")
            if kind in paths:
                paths[kind] = mutated_path
        with open(mutated_path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
    if case.command == "simulate":
        args = [binary, "simulate", "--taskset", paths["taskset"], "--profile", paths["profile"], "--models",
                paths["models"], "--layout", paths["layout"], "--duration", "0.002", "--out", out]
        if "layout" in case.files:
            args[args.index("--layout") + 1] = mutated_path
    else:
        args = [binary, "sweep", "--config", mutated_path, "--out", out, "--no-plots", "--jobs", "1"]
    if "--duration" in case.args:  # the case's own duration replaces the default one
        i = args.index("--duration")
        del args[i:i + 2]
    args += case.args
    preexec = None
    kind, arg = case.prepare or (None, None)
    if kind == "folder":
        os.makedirs(os.path.join(out, arg))
    elif kind == "file":
        open(out, "w").write("not a folder")
    elif kind == "foreign":
        os.makedirs(out)
        with open(os.path.join(out, "runs.csv"), "w") as f:
            f.write("experiment,layout,scheduler,load,repetition,seed,tasks,utilisation,offered_jobs_per_s,"
                    "bound_jobs_per_s,jobs_released,jobs_completed,jobs_on_time,jobs_skipped,jobs_aborted,"
                    "miss_ratio,throughput_jobs_per_s,on_time_jobs_per_s,events_processed\n"
                    "other,equal:2:1.0x,sgprs,1,0,1,1,0.1,1,1,1,1,1,0,0,0,1,1,10\n")
    elif kind == "fsize":
        def preexec():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (arg, arg))
    before = set(os.listdir(out)) if os.path.isdir(out) else set()
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS="print_stacktrace=1")
    start = time.time()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=preexec, env=env)
    sent = None
    try:
        if case.interrupt_after:
            delay, sig = case.interrupt_after
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(sig)
                sent = sig
        _, err = proc.communicate(timeout=timeout)
        hung = False
    except subprocess.TimeoutExpired:
        proc.terminate()  # as a person would: SIGTERM first, which must leave nothing behind
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        hung = True
    elapsed = time.time() - start
    err = err.decode("utf-8", "replace")
    status = proc.returncode
    after = set(os.listdir(out)) if os.path.isdir(out) else set()
    tmp_left = [f for f in after if ".tmp" in f]
    new_files = sorted(after - before)
    lines = [l for l in err.splitlines() if l and not l.startswith("simulate: ")]
    progress = any(l.startswith("simulate: ") or "runs/s" in l for l in err.splitlines())
    if hung:
        cat = "slow" if progress and not tmp_left and not SAN_RE.search(err) and proc.returncode == -signal.SIGTERM \
            else "hang"
    elif SAN_RE.search(err):
        cat = "sanitizer"
    elif status < 0 and -status != (sent or 0):
        cat = "crash"
    elif tmp_left or (status != 0 and new_files and kind != "foreign" and not hung):
        cat = "debris"
    elif status < 0:
        cat = "ok"  # died of the signal we sent, and left nothing behind
    elif status == 0:
        cat = "ok" if not lines or case.command == "sweep" else "multiline"
    elif status == 2:
        if len(lines) != 1:
            cat = "multiline"
        elif not lines[0].startswith("sgprs: error: ") or not (
                re.match(r"sgprs: error: (/|--)[^:]*: ", lines[0]) or
                "--" in lines[0] or (mutated_path and mutated_path in lines[0]) or d in lines[0]
                or os.path.join(EXP) in lines[0] or SIM in lines[0]
                or any(len(v) > 0 and v in lines[0] for v in case.args + [case.files.get("layout_spec", "")])):
            cat = "unnamed"
        else:
            cat = "rejected"
    else:
        cat = "exit1"
    shutil.rmtree(d, ignore_errors=True)
    return cat, status, elapsed, (lines[:3] if lines else err.splitlines()[:3]), new_files


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sgprs", required=True, help="the sgprs binary (a SGPRS_SANITIZE=ON build)")
    ap.add_argument("--cases", type=int, default=2400)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--examples", type=int, default=3, help="failures shown per category")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="sgprs-campaign-")
    cases, base = build_cases(rng, a.cases, work)
    binary = os.path.abspath(a.sgprs)
    results = []
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        futures = {pool.submit(run_case, c, binary, base, work, a.timeout): c for c in cases}
        for i, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            results.append((futures[fut], fut.result()))
            if i % 200 == 0:
                print("%d/%d cases, %.0f s" % (i, len(cases), time.time() - t0), file=sys.stderr, flush=True)
    shutil.rmtree(work, ignore_errors=True)
    by_cat = collections.Counter(r[0] for _, r in results)
    by_kind = collections.defaultdict(collections.Counter)
    for c, r in results:
        by_kind[c.kind][r[0]] += 1
    cats = ["ok", "rejected", "slow", "crash", "sanitizer", "hang", "exit1", "multiline", "unnamed", "debris"]
    print("hostile campaign: %d cases in %.0f s (binary %s, timeout %g s, seed %d)" %
          (len(results), time.time() - t0, a.sgprs, a.timeout, a.seed))
    print("  " + ", ".join("%s %d" % (k, by_cat.get(k, 0)) for k in cats))
    for kind in sorted(by_kind):
        print("  %-10s " % kind + ", ".join("%s %d" % (k, v) for k, v in sorted(by_kind[kind].items())))
    slowest = max(results, key=lambda cr: cr[1][2])
    print("  slowest case: %s / %s, %.1f s" % (slowest[0].kind, slowest[0].label, slowest[1][2]))
    bad = [k for k in cats[3:] if by_cat.get(k)]
    for k in bad:
        print("%s:" % k)
        for c, r in [cr for cr in results if cr[1][0] == k][:a.examples]:
            print("  [%s] %s -> exit %s, %.1f s, left %s: %s" % (c.kind, c.label[:60], r[1], r[2], r[4], r[3]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
