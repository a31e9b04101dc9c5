#!/usr/bin/env python3
"""Hostile-input campaign against every verb of `sgprs`.

Generates malformed and extreme inputs for every file kind and every flag of simulate, sweep
(whole and --shard), live --fake-device, validate --live, tune, merge and profile, runs the given
binary on each (best built with SGPRS_SANITIZE=ON) under a timeout, and classifies every outcome:

  ok            exit 0 with complete outputs, or the exit the case expects (exit 130/143 with complete
                outputs after the SIGINT/SIGTERM it sent; `profile` without a GPU: 3, or 4 in a build
                without CUDA; `live` without --fake-device: 3 or 4) on exactly one stderr line
  rejected      exit 2 with exactly one stderr line "sgprs: error: ..." naming a file or a flag
  fault         exit 5 (a fault the fake device was told to inject, or a stalled stage) on exactly one
                line, with no summary.json and an event log whose every line parses
  slow          still running after --timeout seconds but printing progress lines, and SIGTERM then
                stopped it leaving nothing behind (a legitimately large run)
  crash         killed by a signal we did not send (SIGSEGV, SIGABRT, ...)
  sanitizer     an AddressSanitizer / UndefinedBehaviorSanitizer report on stderr
  hang          still running after --timeout seconds with no sign of progress (then SIGTERM, SIGKILL)
  exit1         "internal error" (exit 1) or any other exit status
  multiline     a rejection (or fault) of more than one line
  unnamed       a one-line rejection that names neither the mutated file nor a flag
  debris        files left in --out (or in TMPDIR) after a failed run, or any *.tmp* at all
  torn          an output that does not parse (a JSON file, or a line of an events log)

  tools/hostile_campaign.py --sgprs build-sanitize/sgprs [--cases 2400] [--jobs 2] [--timeout 20] [--keep DIR]

--cases scales the random mutations (the fixed cases come on top). Prints the figures per category,
per command and per file kind, and the first examples of each failure. Exit status 1 when any case
is neither ok, rejected, fault nor slow.
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
import shlex
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
    """One hostile input. simulate/sweep/live cases name mutated files in `files` (kind -> text);
    the other verbs give `build(d)`, which writes the case's files under the folder d and returns
    the verb's arguments (after the binary) and its output folder (None when it writes none)."""

    def __init__(self, kind, label, files, args, command="simulate", prepare=None, interrupt_after=None,
                 build=None, expect=()):
        self.kind, self.label, self.files, self.args = kind, label, files, args
        self.command, self.prepare, self.interrupt_after = command, prepare, interrupt_after
        self.build, self.expect = build, tuple(expect)


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


def line_mutations(rng, lines, count):
    """Mutations of a JSON-lines file (events.jsonl): cut short, reordered, huge numbers, fields
    missing, lines doubled, bytes flipped, deep nesting, blank lines."""
    out = []
    body = "\n".join(lines) + "\n"
    for _ in range(count):
        r = rng.random()
        ls = list(lines)
        i = rng.randrange(len(ls))
        if r < 0.12:
            out.append(("cut at byte", body[:rng.randrange(len(body))]))
            continue
        if r < 0.2:
            out.append(("cut lines", "\n".join(ls[:rng.randrange(len(ls))]) + "\n"))
            continue
        if r < 0.32:
            j = rng.randrange(len(ls))
            ls[i], ls[j] = ls[j], ls[i]
            label = "swap %d %d" % (i, j)
        elif r < 0.36:
            head, rest = ls[:1], ls[1:]
            rng.shuffle(rest) if rng.random() < 0.5 else rest.reverse()
            ls, label = head + rest, "reordered"
        elif r < 0.62:
            doc = json.loads(ls[i])
            paths = [p for p, v in field_paths(doc) if p and not isinstance(v, (dict, list))]
            path = rng.choice(paths)
            v = rng.choice(INTS + FLOATS + OTHERS) if rng.random() < 0.7 else rng.choice(INTS[5:] + FLOATS[2:])
            ls[i] = json.dumps(set_path(doc, path, v))
            label = "line %d %s=%r" % (i, "/".join(map(str, path)), v)
        elif r < 0.76:
            doc = json.loads(ls[i])
            paths = [p for p, _ in field_paths(doc) if p]
            path = rng.choice(paths)
            ls[i] = json.dumps(delete_path(doc, path))
            label = "line %d del %s" % (i, "/".join(map(str, path)))
        elif r < 0.82:
            ls.insert(i, ls[i])
            label = "line %d doubled" % i
        elif r < 0.9:
            b = bytearray(ls[i].encode())
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            ls[i] = b.decode("latin-1")
            label = "line %d byteflip" % i
        elif r < 0.95:
            depth = rng.choice([65, 1000, 100000])
            ls[i] = ls[i][:-1] + ', "x": ' + deep(depth) + "}"
            label = "line %d deep%d" % (i, depth)
        else:
            ls.insert(i, rng.choice(["", " ", "{}", "[]", "null", "\r"]))
            label = "line %d junk" % i
        out.append((label[:80], "\n".join(ls) + "\n"))
    return out


def csv_mutations(rng, text, count):
    """Mutations of runs.csv: rows cut, dropped, doubled, cells hostile, header changed."""
    rows = text.splitlines()
    out = []
    cells = ["", "-1", "1e400", "nan", "inf", "9223372036854775808", "18446744073709551616", "x", '"a,b"',
             "1.5", "0", "-9223372036854775808", "\x00", "a\nb"]
    for _ in range(count):
        r = rng.random()
        rs = list(rows)
        i = rng.randrange(1, len(rs))
        if r < 0.15:
            out.append(("cut at byte", text[:rng.randrange(len(text))]))
            continue
        if r < 0.3:
            del rs[i]
            label = "row %d dropped" % i
        elif r < 0.4:
            rs.insert(i, rs[i])
            label = "row %d doubled" % i
        elif r < 0.75:
            row = rs[i].split(",")
            c = rng.randrange(len(row))
            row[c] = rng.choice(cells)
            rs[i] = ",".join(row)
            label = "row %d cell %d=%s" % (i, c, row[c])
        elif r < 0.82:
            rs[i] += ",extra"
            label = "row %d extra cell" % i
        elif r < 0.88:
            rs[i] = ",".join(rs[i].split(",")[:-rng.randint(1, 5)])
            label = "row %d cells missing" % i
        elif r < 0.94:
            head = rs[0].split(",")
            c = rng.randrange(len(head))
            head[c] = rng.choice(["", "x", head[(c + 1) % len(head)]])
            rs[0] = ",".join(head)
            label = "header column %d" % c
        else:
            b = bytearray(rs[i].encode())
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            rs[i] = b.decode("latin-1")
            label = "row %d byteflip" % i
        out.append((label[:80], "\n".join(rs) + "\n"))
    return out


def write(path, text):
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)


def make_fixtures(binary, work):
    """A fake live run, the two shards of a small sweep and two shards of another experiment."""
    fx = {"dir": os.path.join(work, "fixtures")}
    os.makedirs(fx["dir"])
    exp = load(os.path.join(EXP, "identical.json"))
    exp.update(profile=os.path.join(EXP, "profile-hand.json"), models_dir=os.path.join(EXP, "models"),
               duration_s=0.005, repetitions=2)
    other = dict(exp, name="another-experiment", base_seed=99)
    fx["experiment"] = exp
    for name, doc in (("exp", exp), ("other", other)):
        path = os.path.join(fx["dir"], name + ".json")
        write(path, json.dumps(doc, indent=1))
        for i in (0, 1):
            fx["%s%d" % (name, i)] = os.path.join(fx["dir"], "%s-shard%d" % (name, i))
            subprocess.run([binary, "sweep", "--config", path, "--out", fx["%s%d" % (name, i)], "--shard", "%d/2" % i,
                            "--no-plots", "--jobs", "1", "--quiet"], check=True, stderr=subprocess.DEVNULL)
    fx["exp_path"] = os.path.join(fx["dir"], "exp.json")
    fx["live"] = os.path.join(fx["dir"], "live")
    subprocess.run([binary, "live", "--fake-device", "--taskset", os.path.join(SIM, "taskset-small.json"),
                    "--profile", os.path.join(SIM, "profile.json"), "--models", os.path.join(SIM, "models"),
                    "--layout", "equal:2:1.0x", "--duration", "0.02", "--out", fx["live"], "--quiet"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return fx


def build_more_cases(seed, total, fx):
    """live, validate, tune, merge, sweep --shard and profile. Each group of mutations draws from its
    own generator: validate's and merge's inputs come from the fixtures (a fake live run on host
    timers), whose lengths vary between campaigns, and must not move the cases drawn after them."""
    def part(name):
        return random.Random("%d/%s" % (seed, name))
    cases = []
    share = max(1, total // 10)
    taskset = load(os.path.join(SIM, "taskset-small.json"))
    profile = load(os.path.join(SIM, "profile.json"))
    model = load(os.path.join(SIM, "models", "resnetlike.json"))
    layout = load(os.path.join(SIM, "layout-overlap.json"))

    # live --fake-device: the same files as simulate.
    for kind, doc, n in [("taskset", taskset, share), ("profile", profile, share // 2), ("layout", layout, share // 4),
                         ("model", model, share // 4)]:
        rng = part("live/" + kind)
        for label, mutated in value_mutations(rng, doc, n * 2 // 3):
            cases.append(Case(kind, label, {kind: json.dumps(mutated)}, [], command="live"))
        for label, mutated in text_mutations(rng, json.dumps(doc), n - n * 2 // 3):
            cases.append(Case(kind, label, {kind: mutated}, [], command="live"))
    live_flags = {
        "--stall-timeout": ["0", "-1", "1e-9", "0.0005", "3601", "nan", "inf", "x", "", "1e308"],
        "--fake-stall-after": ["-1", "1.5", "x", "1099511627777", "9223372036854775808", "1"],
        "--fake-fail-after": ["-1", "1.5", "x", "1099511627777", "9223372036854775808", "", "0"],
        "--completion": ["nope", "", "a\nb"],
        "--spin-us": ["-1", "nan", "inf", "1e308", "x", "1e12", "1000000"],
        "--realtime-priority": ["-1", "100", "x", "1.5", "", "1"],
        "--polling-threads": ["0", "17", "x"], "--launch-threads": ["-1", "65", "x"],
        "--duration": ["-1", "0", "nan", "1e7", "1e-300"], "--seed": ["-1", "x"], "--max-parallel": ["-1", "99999"],
        "--gpu-times": ["isolated"], "--stage-overhead-ns": ["5"], "--bogus": ["1"],
    }
    for f, vs in live_flags.items():
        for v in vs:
            cases.append(Case("flags", "live %s %r" % (f, v), {}, [f, v], command="live"))
    # Injected device errors and stalls: exit 5, one line, the log complete up to the fault, no summary.
    for n in (1, 2, 5, 20, 77, 300):
        cases.append(Case("fault", "live --fake-fail-after %d" % n, {}, ["--fake-fail-after", str(n), "--duration", "1"],
                          command="live", expect=(5,)))
        cases.append(Case("fault", "live --fake-stall-after %d" % n, {},
                          ["--fake-stall-after", str(n), "--stall-timeout", "0.05", "--duration", "1"],
                          command="live", expect=(5,)))
    cases.append(Case("fault", "live --fake-fail-after after the run's last launch", {},
                      ["--fake-fail-after", "100000000"], command="live"))
    for extra in ([], ["--completion", "callback"], ["--taskset", "/nonexistent.json"]):
        cases.append(Case("flags", "live without --fake-device %s" % extra, {}, extra + ["--no-fake"], command="live",
                          expect=(3, 4) if not extra[:1] == ["--taskset"] else ()))
    for delay in (0.02, 0.1, 0.3, 0.6, 1.0):
        for sig in (signal.SIGINT, signal.SIGTERM):
            cases.append(Case("signal", "live %s after %.2f s" % (signal.Signals(sig).name, delay), {},
                              ["--duration", "2"], command="live", interrupt_after=(delay, sig)))

    # validate --live DIR: mutated run folders.
    def validate_case(kind, label, mutate, extra=()):
        def build(d):
            live = os.path.join(d, "live")
            shutil.copytree(fx["live"], live)
            mutate(d, live)
            return (["validate", "--live", live, "--models", os.path.join(SIM, "models"), "--out",
                     os.path.join(d, "out"), "--no-plot"] + list(extra), os.path.join(d, "out"))
        cases.append(Case(kind, label, {}, list(extra), command="validate", build=build))

    def put_json(name, doc):
        return lambda d, live: write(os.path.join(live, name), doc if isinstance(doc, str) else json.dumps(doc))

    summary = load(os.path.join(fx["live"], "summary.json"))
    for label, mutated in value_mutations(part("validate/summary"), summary, share):
        validate_case("summary", label, put_json("summary.json", mutated))
    prov = {"provenance": summary["provenance"]}
    for label, mutated in value_mutations(part("validate/provenance"), prov, share):  # "del provenance" among them
        changed = {k: v for k, v in summary.items() if k != "provenance"}
        changed.update(mutated)
        validate_case("provenance", label, put_json("summary.json", changed))
    for label, mutated in text_mutations(part("validate/summary text"), json.dumps(summary), share // 3):
        validate_case("summary", label, put_json("summary.json", mutated))
    with open(os.path.join(fx["live"], "events.jsonl")) as f:
        lines = f.read().splitlines()
    for label, mutated in line_mutations(part("validate/events"), lines, 2 * share):
        validate_case("events", label, put_json("events.jsonl", mutated))
    for label, mutated in value_mutations(part("validate/taskset"), taskset, share // 3):  # the folder's taskset.json wins
        validate_case("taskset", "live/taskset.json " + label, put_json("taskset.json", json.dumps(mutated)))

    def remove(name):
        return lambda d, live: os.remove(os.path.join(live, name))

    def make_folder(name):
        def f(d, live):
            os.remove(os.path.join(live, name))
            os.makedirs(os.path.join(live, name))
        return f

    def repoint(key, target):
        def f(d, live):
            s = copy.deepcopy(summary)
            s["provenance"][key]["source"] = target(d)
            write(os.path.join(live, "summary.json"), json.dumps(s))
        return f

    def mutated_profile(d):
        p = copy.deepcopy(profile)
        p["models"][0]["stages"][0]["median_ns"][0] += 1
        write(os.path.join(d, "profile.json"), json.dumps(p))
        return os.path.join(d, "profile.json")

    for label, mutate in [("no summary.json", remove("summary.json")), ("no events.jsonl", remove("events.jsonl")),
                          ("summary.json a folder", make_folder("summary.json")),
                          ("events.jsonl a folder", make_folder("events.jsonl")),
                          ("task set missing", repoint("taskset", lambda d: os.path.join(d, "gone.json"))),
                          ("task set a folder", repoint("taskset", lambda d: d)),
                          ("task set of another run", repoint("taskset", lambda d: os.path.join(SIM, "taskset-chain.json"))),
                          ("profile missing", repoint("profile", lambda d: os.path.join(d, "gone.json"))),
                          ("profile changed since", repoint("profile", mutated_profile)),
                          ("empty folder", lambda d, live: [os.remove(os.path.join(live, n)) for n in os.listdir(live)]),
                          ("simulated run", lambda d, live: write(os.path.join(live, "summary.json"), json.dumps(
                              dict(summary, provenance=dict(summary["provenance"], world="sim")))))]:
        validate_case("run folder", label, mutate)
    validate_flags = {"--gpu-times": ["x", "", "occupied"], "--curve": ["cubic", "", "linear"],
                      "--interference": ["x", "", "none"],
                      "--stage-overhead": ["-1", "1e9", "1000000001", "x", "", "99999999999999999999", "none", "7"],
                      "--models": ["/nonexistent", "/dev/null", "/"], "--bogus": ["1"]}
    for f, vs in validate_flags.items():
        for v in vs:
            validate_case("flags", "validate %s %r" % (f, v), lambda d, live: None, [f, v])
    for label, extra in [("--live missing", ["--live", "/nonexistent"]), ("--live a file", ["--live", "/dev/null"]),
                         ("--out a file", ["--out", "/dev/null"])]:
        validate_case("flags", "validate " + label, lambda d, live: None, extra)

    # merge SHARD... --out DIR.
    def merge_case(kind, label, shards, mutate=lambda d: None, extra=()):
        def build(d):
            names = []
            for s in shards:
                src = fx.get(s)
                dst = os.path.join(d, s)
                if src and not os.path.exists(dst):
                    shutil.copytree(src, dst)
                names.append(dst if src else s)
            mutate(d)
            return (["merge"] + names + ["--out", os.path.join(d, "out"), "--no-plots"] + list(extra),
                    os.path.join(d, "out"))
        cases.append(Case(kind, label, {}, list(extra), command="merge", build=build))

    for label, shards in [("one shard missing", ["exp0"]), ("the other missing", ["exp1"]),
                          ("shard duplicated", ["exp0", "exp0"]), ("a shard twice", ["exp0", "exp1", "exp1"]),
                          ("shard of another experiment", ["exp0", "other1"]),
                          ("shards of another experiment, other order", ["other0", "exp1"]),
                          ("a shard that does not exist", ["exp0", "exp1", "/nonexistent"]),
                          ("a file as a shard", ["exp0", "/dev/null"]), ("no shards", [])]:
        merge_case("shards", label, shards)
    with open(os.path.join(fx["exp1"], "runs.csv")) as f:
        runs_csv = f.read()
    for label, mutated in csv_mutations(part("merge/runs.csv"), runs_csv, 2 * share):
        merge_case("runs.csv", label, ["exp0", "exp1"], lambda d, t=mutated: write(os.path.join(d, "exp1", "runs.csv"), t))
    shard_json = load(os.path.join(fx["exp0"], "shard.json"))
    for label, mutated in value_mutations(part("merge/shard.json"), shard_json, share):
        merge_case("shard.json", label, ["exp0", "exp1"],
                   lambda d, t=json.dumps(mutated): write(os.path.join(d, "exp0", "shard.json"), t))
    for label, mutated in text_mutations(part("merge/shard.json text"), json.dumps(shard_json), share // 3):
        merge_case("shard.json", label, ["exp0", "exp1"],
                   lambda d, t=mutated: write(os.path.join(d, "exp0", "shard.json"), t))
    for label, mutate in [("no runs.csv", lambda d: os.remove(os.path.join(d, "exp1", "runs.csv"))),
                          ("no shard.json", lambda d: os.remove(os.path.join(d, "exp1", "shard.json"))),
                          ("runs.csv a folder", lambda d: (os.remove(os.path.join(d, "exp1", "runs.csv")),
                                                           os.makedirs(os.path.join(d, "exp1", "runs.csv")))),
                          ("out is a file", lambda d: write(os.path.join(d, "out"), "x")),
                          ("folder at summary.csv in out", lambda d: os.makedirs(os.path.join(d, "out", "summary.csv"))),
                          ("folder at sweep.json in out", lambda d: os.makedirs(os.path.join(d, "out", "sweep.json")))]:
        merge_case("shards", label, ["exp0", "exp1"], mutate)

    # sweep --shard I/N.
    def shard_case(label, spec, mutate=lambda d: None, extra=()):
        def build(d):
            mutate(d)
            return (["sweep", "--config", fx["exp_path"], "--out", os.path.join(d, "out"), "--no-plots", "--jobs", "1",
                     "--shard", spec] + list(extra), os.path.join(d, "out"))
        cases.append(Case("flags", "sweep --shard %r %s" % (spec, label), {}, ["--shard", spec], command="shard",
                          build=build))

    for spec in ["0/2", "1/2", "2/2", "-1/2", "0/0", "0/1", "1", "0/", "/2", "x/y", "0/-1", "0/2/3", "0 /2",
                 "0/99999999", "0/2147483648", "18446744073709551616/2", "1.5/2", "0/1e3", "", "a\nb", "0x1/2",
                 "+0/2", "00/02", "0/10000000000000000000000"]:
        shard_case("", spec)
    shard_case("--resume over the other shard", "0/2", lambda d: shutil.copytree(fx["exp1"], os.path.join(d, "out")),
               ["--resume"])
    shard_case("--resume over another experiment's shard", "0/2",
               lambda d: shutil.copytree(fx["other0"], os.path.join(d, "out")), ["--resume"])
    shard_case("over a whole sweep's folder", "0/2",
               lambda d: (os.makedirs(os.path.join(d, "out")), write(os.path.join(d, "out", "summary.csv"), "x\n")))

    # tune.
    def tune_case(kind, label, files=None, extra=()):
        def build(d):
            paths = {"taskset": os.path.join(SIM, "taskset-small.json"), "profile": os.path.join(SIM, "profile.json"),
                     "models": os.path.join(SIM, "models")}
            for k, text in (files or {}).items():
                if k == "model":
                    paths["models"] = os.path.join(d, "models")
                    shutil.copytree(os.path.join(SIM, "models"), paths["models"])
                    write(os.path.join(paths["models"], "resnetlike.json"), text)
                else:
                    paths[k] = os.path.join(d, k + ".json")
                    write(paths[k], text)
            args = ["tune", "--taskset", paths["taskset"], "--profile", paths["profile"], "--models", paths["models"],
                    "--duration", "0.002", "--steps", "1", "--repetitions", "1", "--layouts", "equal:2:1.0x",
                    "--jobs", "1", "--quiet"]
            for i in range(0, len(extra), 2):  # a flag given by the case replaces the default one
                if extra[i] in args:
                    j = args.index(extra[i])
                    del args[j:j + 2]
            return args + list(extra), None
        cases.append(Case(kind, label, files or {}, list(extra), command="tune", build=build))

    for kind, doc, n in [("taskset", taskset, share // 2), ("profile", profile, share // 2), ("model", model, share // 4)]:
        rng = part("tune/" + kind)
        for label, mutated in value_mutations(rng, doc, n * 2 // 3):
            tune_case(kind, label, {kind: json.dumps(mutated)})
        for label, mutated in text_mutations(rng, json.dumps(doc), n - n * 2 // 3):
            tune_case(kind, label, {kind: mutated})
    tune_flags = {"--layouts": ["", ",", "nope", "equal:0:1x", "equal:2:1.0x,,full", "a\nb", "equal:99999:1x",
                                "stepwise:2147483647:1x"],
                  "--duration": ["-1", "0", "nan", "3601", "1e-300", "x"], "--repetitions": ["0", "101", "-1", "1.5"],
                  "--steps": ["0", "31", "x"], "--jobs": ["-1", "1025", "1.5"], "--top": ["0", "1001", "x"],
                  "--seed": ["-1", "4611686018427387905", "x"], "--scheduler": ["nope", "", "naive", "sgprs"],
                  "--taskset": ["/nonexistent", "/", "/dev/null"], "--profile": ["/nonexistent"],
                  "--models": ["/nonexistent", "/dev/null"], "--bogus": ["1"]}
    for f, vs in tune_flags.items():
        for v in vs:
            tune_case("flags", "tune %s %r" % (f, v), extra=[f, v])

    # profile: without a GPU (exit 3), or in a build without CUDA (exit 4), whatever the flags.
    for extra in ([], ["--out", "/nonexistent/x"], ["--bogus"], ["--models", "/nonexistent"], ["--sm-counts", "x"]):
        cases.append(Case("flags", "profile %s" % extra, {}, extra, command="profile",
                          build=lambda d, e=extra: (["profile"] + e, None), expect=(3, 4)))
    return cases


def outputs_torn(out):
    """The first output under `out` that does not parse (a JSON file, or a line of a JSON-lines file)."""
    if not os.path.isdir(out):
        return None
    for root, _, names in os.walk(out):
        for name in names:
            path = os.path.join(root, name)
            try:
                if name.endswith(".json"):
                    load(path)
                elif name.endswith(".jsonl"):
                    with open(path) as f:
                        for line in f:
                            json.loads(line)
            except (ValueError, UnicodeDecodeError):
                return os.path.relpath(path, out)
    return None


def keep_case(keep, cat, d, args):
    """Copies a failing case's folder (its mutated inputs, and whatever the run left) to keep/, with
    the command line rewritten to the copy: some inputs (validate's run folder, merge's shards) come
    from a fake live run on host timers and a small sweep, so a later campaign draws other bytes."""
    dest = os.path.join(keep, "%s-%s" % (cat, os.path.basename(d)))
    shutil.copytree(d, dest, symlinks=True)
    write(os.path.join(dest, "command.txt"), shlex.join(a.replace(d, dest) for a in args) + "\n")


def run_case(case, binary, base, work, timeout, keep=None):
    d = tempfile.mkdtemp(dir=work)
    tmpdir = os.path.join(d, "tmp")  # the program's TMPDIR: must be empty again at the end
    os.makedirs(tmpdir)
    out = os.path.join(d, "out")
    paths = dict(base)
    mutated_path = None
    for kind, text in case.files.items():
        if case.build:
            break
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
        write(mutated_path, text)
    extra = list(case.args)
    if case.build:
        args, out = case.build(d)
        args = [binary] + args
        out = out or os.path.join(d, "no-out")
    elif case.command in ("simulate", "live"):
        args = [binary, case.command, "--taskset", paths["taskset"], "--profile", paths["profile"], "--models",
                paths["models"], "--layout", paths["layout"], "--duration", "0.002", "--out", out]
        if case.command == "live":
            if "--no-fake" in extra:
                extra.remove("--no-fake")
            else:
                args.insert(2, "--fake-device")
        if "layout" in case.files:
            args[args.index("--layout") + 1] = mutated_path
    else:
        args = [binary, "sweep", "--config", mutated_path, "--out", out, "--no-plots", "--jobs", "1"]
    if not case.build and "--duration" in extra and "--duration" in args:  # the case's duration replaces the default
        i = args.index("--duration")
        del args[i:i + 2]
    if not case.build:
        args += extra
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
    existed = os.path.exists(out)
    before = set(os.listdir(out)) if os.path.isdir(out) else set()
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS="print_stacktrace=1",
               TMPDIR=tmpdir)
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
    tmp_left = [f for f in after if ".tmp" in f] + ["TMPDIR/" + f for f in os.listdir(tmpdir)]
    for root, _, names in os.walk(d):  # a temporary anywhere: in a run folder, a shard, a nested output
        tmp_left += [os.path.relpath(os.path.join(root, n), d) for n in names if ".tmp" in n and root != tmpdir]
    tmp_left = sorted(set(tmp_left))
    new_files = sorted(after - before)
    if not existed and os.path.isdir(out) and not after:
        new_files = ["(an empty --out folder)"]
    progress_re = re.compile(r"^(simulate|live): |runs/s")
    lines = [l for l in err.splitlines() if l and not progress_re.search(l)]
    progress = any(progress_re.search(l) for l in err.splitlines())
    interrupted_ok = sent is not None and status in (128 + sent, -sent)
    expected = status in case.expect
    one_line_named = len(lines) == 1 and lines[0].startswith("sgprs")
    if hung:
        cat = "slow" if progress and not tmp_left and not SAN_RE.search(err) and proc.returncode == -signal.SIGTERM \
            else "hang"
    elif SAN_RE.search(err):
        cat = "sanitizer"
    elif status < 0 and -status != (sent or 0):
        cat = "crash"
    elif tmp_left or (status != 0 and not interrupted_ok and status != 5 and new_files and kind != "foreign"):
        cat = "debris"
        new_files = tmp_left + new_files
    elif (status == 0 or interrupted_ok or status == 5) and outputs_torn(out):
        cat, new_files = "torn", [outputs_torn(out)]
    elif status == 5 and os.path.exists(os.path.join(out, "summary.json")) and "summary.json" in new_files:
        cat = "debris"  # a fault must not leave a summary claiming the run finished
    elif case.expect and not expected:
        cat = "wrongexit"
    elif interrupted_ok:
        cat = "ok"  # died of (or drained after) the signal we sent, and left nothing torn behind
    elif expected or status == 5:
        cat = ("fault" if status == 5 else "ok") if one_line_named else "multiline"
    elif status == 0:
        cat = "ok" if not lines or case.command in ("sweep", "shard", "tune", "merge") else "multiline"
    elif status == 2:
        if len(lines) != 1:
            cat = "multiline"
        elif not lines[0].startswith("sgprs: error: ") or not (
                re.match(r"sgprs: error: (/|--)[^:]*: ", lines[0]) or
                "--" in lines[0] or (mutated_path and mutated_path in lines[0]) or d in lines[0]
                or os.path.join(EXP) in lines[0] or SIM in lines[0]
                or any(len(v) > 0 and v in lines[0] for v in extra + [case.files.get("layout_spec", "")])):
            cat = "unnamed"
        else:
            cat = "rejected"
    else:
        cat = "exit1"
    if keep and cat not in ("ok", "rejected", "fault", "slow"):
        keep_case(keep, cat, d, args)
    shutil.rmtree(d, ignore_errors=True)
    return cat, status, elapsed, (lines[:3] if lines else err.splitlines()[:3]), new_files


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sgprs", required=True, help="the sgprs binary (a SGPRS_SANITIZE=ON build)")
    ap.add_argument("--cases", type=int, default=2400)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", help="comma-separated verbs to run (simulate,sweep,shard,live,validate,tune,merge,profile)")
    ap.add_argument("--examples", type=int, default=3, help="failures shown per category")
    ap.add_argument("--keep", help="folder to copy each failing case into (inputs, leftovers, command.txt)")
    a = ap.parse_args()
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        a.keep = os.path.abspath(a.keep)
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="sgprs-campaign-")
    binary = os.path.abspath(a.sgprs)
    cases, base = build_cases(rng, a.cases, work)
    cases += build_more_cases(a.seed, a.cases, make_fixtures(binary, work))
    if a.only:
        cases = [c for c in cases if c.command in a.only.split(",")]
    results = []
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        futures = {pool.submit(run_case, c, binary, base, work, a.timeout, a.keep): c for c in cases}
        for i, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            results.append((futures[fut], fut.result()))
            if i % 200 == 0:
                print("%d/%d cases, %.0f s" % (i, len(cases), time.time() - t0), file=sys.stderr, flush=True)
    shutil.rmtree(work, ignore_errors=True)
    by_cat = collections.Counter(r[0] for _, r in results)
    by_kind = collections.defaultdict(collections.Counter)
    by_command = collections.defaultdict(collections.Counter)
    for c, r in results:
        by_kind[c.kind][r[0]] += 1
        by_command[c.command][r[0]] += 1
    cats = ["ok", "rejected", "fault", "slow", "crash", "sanitizer", "hang", "exit1", "multiline", "unnamed", "debris",
            "torn", "wrongexit"]
    print("hostile campaign: %d cases in %.0f s (binary %s, timeout %g s, seed %d)" %
          (len(results), time.time() - t0, a.sgprs, a.timeout, a.seed))
    print("  " + ", ".join("%s %d" % (k, by_cat.get(k, 0)) for k in cats))
    print("per command:")
    for command in sorted(by_command):
        print("  %-10s %5d: " % (command, sum(by_command[command].values())) +
              ", ".join("%s %d" % (k, v) for k, v in sorted(by_command[command].items())))
    print("per file kind (flags: command lines; out, signal: output folders and interruptions):")
    for kind in sorted(by_kind):
        print("  %-10s %5d: " % (kind, sum(by_kind[kind].values())) +
              ", ".join("%s %d" % (k, v) for k, v in sorted(by_kind[kind].items())))
    slowest = max(results, key=lambda cr: cr[1][2])
    print("  slowest case: %s / %s, %.1f s" % (slowest[0].kind, slowest[0].label, slowest[1][2]))
    bad = [k for k in cats[4:] if by_cat.get(k)]
    for k in bad:
        print("%s:" % k)
        for c, r in [cr for cr in results if cr[1][0] == k][:a.examples]:
            print("  [%s] %s -> exit %s, %.1f s, left %s: %s" % (c.kind, c.label[:60], r[1], r[2], r[4], r[3]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
