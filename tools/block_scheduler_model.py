#!/usr/bin/env python3
"""A kernel-level model of the GPU's block scheduler, for closed loops of models on whole-GPU streams.

The simulator shares SMs between stages by a fluid rule (simulator/sim/packed_sharing.hpp) and gives
every model of a crowd about the same slowdown. Live, on the H100, a model of many small kernels
(MobileNet-V2) runs 10-18x its time alone in a crowd of six where UNet runs 2-4x, and stream
priorities change that split only partly (docs/validation.md, "The block scheduler, kernel by
kernel"). This tool asks whether the kernels themselves explain it. Inputs are measured only: each
model's kernels at S SMs (an `sgprs profile --kernel-report` file: blocks, time alone, threads,
registers and shared memory per block) and, with --profile, its stages' times alone, whose excess
over their kernels' summed time is a launch gap spread evenly between the stage's kernels.

    per kernel k:   resident(k) blocks an SM holds (tools/fill_share_weights.py, the GH100 limits)
                    size(k) = 1 / resident(k) of an SM per block
                    duration(k) = ns(k) / ceil(blocks(k) / (S x resident(k)))   (one wave's time)
    every stream runs its model's kernels in order, forever: a kernel's blocks are pending from its
    launch; each step of dt, the blocks whose duration has passed free their SMs, and the free SMs go
    to pending blocks in order of (priority level, launch time): the most urgent stream first, and
    among equals the kernel launched first (`--within fifo`) or an equal part of the free SMs to each
    (`--within equal`); a resident block is never preempted. With --age-us A the order is launch time
    + A x level instead: a kernel of level l waits as if it had been launched A x l later, so no level
    starves. A kernel ends when its last block ends; its stream launches the next after the gap.
    With --placement per-sm each SM's block slots, warps, registers and shared memory are counted
    apart instead (PerSmScheduler below): a block starts only on an SM with room in all four, and a
    pending grid that cannot place all its blocks holds back every grid behind it, as the GPU does
    (traces/live/h100-2026-12-06-priority-probe). --corun-factors stretches a model's blocks beside
    other streams; --job-gaps-from makes a stream wait, between inferences, the live run's own GPU
    idle times between those jobs (docs/validation.md, "The crowd kernel by kernel").

The slowdown of a model is its time per inference in the loop over its time alone in the same model
(same dt), so the step's rounding cancels. Memory and L2 contention are not in it: two models run
about 30% slower live than the model says (the median), which the simulator's g(k) measures
(docs/simulator.md).

Closed loops are read from `runs.jsonl` files (plain or .xz) that tools/gpu_validation_session.sh
wrote: runs named calibration/streams<k>-<a>+<b>[+...][-dm] (task i runs model i mod m; with -dm
the first model is the most urgent, deadline-monotonic, each stream at its own level up to six:
loop_streams below) or calibration/streams<k>-mixed[-dm] (the six
shipped models in turn). Each loop prints each model's live slowdown (median over its tasks of the
task's median response time, over the profile's time alone) beside the model's, and the median
|ln(model / live)| per group of loops. --loop MODELS:K[:dm] models a loop without a live run.

    tools/block_scheduler_model.py --kernel-report h100-kernels-tf32.json --profile traces/profiles/h100-tf32.json \\
        [--within fifo|equal] [--placement fluid|per-sm] [--age-us A] [--corun-factors M=F,...]
        [--job-gaps-from FOLDER] [--print-corun-factors] [--dt-ns 250] [--window-ms 40] [--loop resnet18+unet:4:dm]
        [--runs-matching REGEX] [RUNS.jsonl ...]
"""
import argparse
import heapq
import math
import os
import re
import statistics
import sys

from fill_share_weights import MAX_BLOCKS, MAX_WARPS, REGISTER_UNIT, REGISTERS, SHARED_BYTES, resident_blocks
from event_logs import finish_times, read_event_log
from json_files import load_document, read_json_lines

SIX = ["resnet18", "mobilenet_v2", "resnet50", "inception_v3", "vit_b16", "unet"]  # the crowd's order
LOOP = re.compile(r"^calibration/streams(\d+)-(\w+(?:\+\w+)*?)(-dm)?$")
SPEC = re.compile(r"^(\w+(?:\+\w+)*):(\d+)(:dm)?$")


def fail(message):
    print(f"block_scheduler_model.py: {message}", file=sys.stderr)
    sys.exit(2)


def stage_times(profile):
    try:
        return {f"{m['name']}/{s['name']}": s["median_ns"][-1] for m in profile["models"] for s in m["stages"]}
    except (KeyError, TypeError, IndexError):
        fail("profile: field 'models': each model needs stages with a name and median_ns")


def read_kernels(report, sms, stages, path):
    """{model: [(blocks, duration_ns, size_sms, gap_ns, need), ...]} in launch order; need is what one
    block takes of an SM: (block slots, warps, registers, shared bytes)."""
    if not isinstance(report, list):
        fail(f"{path}: expected a list of stages (sgprs profile --kernel-report)")
    out = {}
    for index, stage in enumerate(report):
        where = f"{path}: [{index}]"
        if not isinstance(stage, dict) or any(f not in stage for f in ("what", "sms", "kernels", "kernel_sum_ns")):
            fail(f"{where}: fields 'what', 'sms', 'kernels' and 'kernel_sum_ns' are required")
        if stage["sms"] != sms or not stage["kernels"]:
            continue
        gap = 0.0
        if stages is not None:
            if stage["what"] not in stages:
                fail(f"{where}: stage '{stage['what']}' is not in the profile")
            gap = max(0.0, (stages[stage["what"]] - stage["kernel_sum_ns"]) / len(stage["kernels"]))
        kernels = out.setdefault(str(stage["what"]).split("/")[0], [])
        for k, kernel in enumerate(stage["kernels"]):
            for field in ("blocks", "ns", "threads_per_block", "registers_per_thread", "shared_bytes"):
                value = kernel.get(field)
                if not isinstance(value, (int, float)) or value < 0 or (field in ("blocks", "threads_per_block", "ns") and value <= 0):
                    fail(f"{where}.kernels[{k}]: field '{field}' missing or not a valid number")
            resident = resident_blocks(kernel)
            waves = math.ceil(kernel["blocks"] / (sms * resident))
            warps = math.ceil(kernel["threads_per_block"] / 32)
            per_warp = math.ceil(kernel["registers_per_thread"] * 32 / REGISTER_UNIT) * REGISTER_UNIT
            need = (1, warps, per_warp * warps, kernel["shared_bytes"])
            kernels.append((float(kernel["blocks"]), kernel["ns"] / waves, 1.0 / resident, gap, need))
    if not out:
        fail(f"{path}: no kernel measured at {sms} SMs")
    return out


class BlockScheduler:
    def __init__(self, kernels, sms, within="fifo", age_ns=None, dt_ns=250.0, corun=None):
        self.kernels, self.sms, self.within, self.age_ns, self.dt = kernels, sms, within, age_ns, dt_ns
        self.corun = corun or {}  # model: factor on its blocks' durations when it runs beside others
        self._alone = {}

    def _sequences(self, models):
        """Each stream's kernels; beside other streams each block lasts its model's co-run factor longer."""
        if len(models) == 1 or not self.corun:
            return [self.kernels[m] for m in models]
        return [[(b, d * self.corun.get(m, 1.0), size, gap, need) for b, d, size, gap, need in self.kernels[m]]
                for m in models]

    def _order(self, streams, levels, launch):
        if self.age_ns is None:
            return sorted(streams, key=lambda i: (levels[i], launch[i], i))
        return sorted(streams, key=lambda i: (launch[i] + self.age_ns * levels[i], i))

    def times(self, models, levels, window_ns, warm_ns, job_gaps=None):
        """Per stream, time per inference in (warm_ns, warm_ns + window_ns]: between its first and last
        inference ending there when at least three end, else the window over the kernels ended.
        job_gaps[i]: stream i's idle times between inferences (ns), used in turn (--job-gaps-from)."""
        n, dt = len(models), self.dt
        inferences = [0] * n
        seq = self._sequences(models)
        current = [0] * n
        pending = [seq[i][0][0] for i in range(n)]
        resident = [[] for _ in range(n)]  # per stream: [end time, blocks] of blocks started together
        next_launch = [None] * n  # when a stream in its launch gap launches its next kernel
        launch = [0.0] * n
        done = [0] * n  # kernels ended after warm_ns
        ends = [[] for _ in range(n)]  # inferences' ends after warm_ns
        used, t, end = 0.0, 0.0, warm_ns + window_ns
        while t < end:
            for i in range(n):
                blocks = resident[i]
                while blocks and blocks[0][0] <= t:
                    used -= blocks.pop(0)[1] * seq[i][current[i]][2]
                if next_launch[i] is None and not blocks and pending[i] <= 1e-9:
                    next_launch[i] = t + seq[i][current[i]][3]
                    done[i] += t > warm_ns
                    current[i] = (current[i] + 1) % len(seq[i])
                    if current[i] == 0:
                        next_launch[i] += self._job_gap(job_gaps, i, inferences)
                        if t > warm_ns:
                            ends[i].append(t)
                if next_launch[i] is not None and t >= next_launch[i]:
                    pending[i], launch[i], next_launch[i] = seq[i][current[i]][0], t, None
            def place(i, sms):
                """Starts as many of stream i's pending blocks as `sms` SMs hold; the SMs they take."""
                nonlocal used
                _, duration, size, _, _ = seq[i][current[i]]
                take = min(pending[i], sms / size)
                pending[i] -= take
                used += take * size
                resident[i].append((t + duration, take))
                return take * size

            free = self.sms - max(used, 0.0)
            waiting = [i for i in range(n) if pending[i] > 1e-9]
            if free > 1e-9 and waiting:
                if self.within == "fifo" or self.age_ns is not None:
                    for i in self._order(waiting, levels, launch):
                        free -= place(i, free)
                        if free <= 1e-9:
                            break
                else:  # equal parts of the free SMs within a level, the most urgent level first
                    for level in sorted({levels[i] for i in waiting}):
                        group = [i for i in waiting if levels[i] == level]
                        while group and free > 1e-9:
                            part, unmet = free / len(group), []
                            for i in group:
                                free -= place(i, part)
                                if pending[i] > 1e-9:
                                    unmet.append(i)
                            if len(unmet) == len(group):
                                break
                            group = unmet
            t += dt
        return [(e[-1] - e[0]) / (len(e) - 1) if len(e) >= 3 else
                (window_ns * len(seq[i]) / done[i] if done[i] else math.inf) for i, e in enumerate(ends)]

    @staticmethod
    def _job_gap(job_gaps, i, inferences):
        if not job_gaps or not job_gaps[i]:
            return 0.0
        gap = job_gaps[i][inferences[i] % len(job_gaps[i])]
        inferences[i] += 1
        return gap

    def slowdowns(self, models, levels, window_ns=40e6, warm_ns=5e6, job_gaps=None):
        """{model: median over its streams of time per inference in the loop / time alone}."""
        for m in set(models):
            if m not in self.kernels:
                fail(f"model '{m}' is not in the kernel report")
            if m not in self._alone:
                self._alone[m] = self.times([m], [0], window_ns / 4, warm_ns / 4)[0]
        per = {}
        for m, time in zip(models, self.times(models, levels, window_ns, warm_ns, job_gaps)):
            per.setdefault(m, []).append(time / self._alone[m])
        return {m: statistics.median(v) for m, v in per.items()}


class PerSmScheduler(BlockScheduler):
    """`--placement per-sm`: each SM's block slots, warps, registers and shared memory are counted
    apart, and a block starts only on an SM with room for it in all four; blocks spread over the
    SMs with room, one a round (as the hardware's breadth-first distribution). Pending grids are
    served in order of (level, launch time) and the first that cannot place all its blocks stops
    every grid behind it: traces/live/h100-2026-12-06-priority-probe measured both (an urgent block
    waiting for an SM to empty holds back every less urgent block; a grid of equal priority waits
    behind all of an earlier one). Event-driven: time moves from one block end or launch to the next."""

    LIMITS = (MAX_BLOCKS, MAX_WARPS, REGISTERS, SHARED_BYTES)

    def times(self, models, levels, window_ns, warm_ns, job_gaps=None):
        n, sms = len(models), self.sms
        inferences = [0] * n
        seq = self._sequences(models)
        free = [list(self.LIMITS) for _ in range(sms)]
        current, pending, running = [0] * n, [0] * n, [0] * n
        launch = [0.0] * n
        done, ends = [0] * n, [[] for _ in range(n)]
        events = []  # (time, order, kind, stream, placements): kind 0 a batch of blocks ends, 1 a launch
        order = 0
        for i in range(n):
            heapq.heappush(events, (0.0, order, 1, i, None))
            order += 1
        end = warm_ns + window_ns
        while events and events[0][0] < end:
            t = events[0][0]
            while events and events[0][0] == t:
                _, _, kind, i, placed = heapq.heappop(events)
                if kind == 1:
                    pending[i], launch[i] = int(seq[i][current[i]][0]), t
                    continue
                need = seq[i][current[i]][4]
                for sm, count in placed:
                    row = free[sm]
                    for r in range(4):
                        row[r] += need[r] * count
                    running[i] -= count
                if running[i] == 0 and pending[i] == 0:
                    done[i] += t > warm_ns
                    gap = seq[i][current[i]][3]
                    current[i] = (current[i] + 1) % len(seq[i])
                    if current[i] == 0:
                        gap += self._job_gap(job_gaps, i, inferences)
                        if t > warm_ns:
                            ends[i].append(t)
                    heapq.heappush(events, (t + gap, order, 1, i, None))
                    order += 1
            for i in self._order([i for i in range(n) if pending[i] > 0], levels, launch):
                need = seq[i][current[i]][4]
                fits = []
                for sm in range(sms):
                    row = free[sm]
                    fit = min(row[r] // need[r] if need[r] else MAX_BLOCKS for r in range(4))
                    if fit > 0:
                        fits.append([sm, fit, 0])
                left = pending[i]
                rounds = fits
                while left > 0 and rounds:  # one block per SM with room, round after round
                    still = []
                    for f in rounds:
                        if left == 0:
                            break
                        f[2] += 1
                        left -= 1
                        if f[2] < f[1]:
                            still.append(f)
                    rounds = still
                placed = [(sm, count) for sm, _, count in fits if count]
                for sm, count in placed:
                    row = free[sm]
                    for r in range(4):
                        row[r] -= need[r] * count
                running[i] += pending[i] - left
                pending[i] = left
                if placed:
                    heapq.heappush(events, (t + seq[i][current[i]][1], order, 0, i, placed))
                    order += 1
                if left > 0:
                    break  # the head of the queue waits; nothing behind it starts
        return [(e[-1] - e[0]) / (len(e) - 1) if len(e) >= 3 else
                (window_ns * len(seq[i]) / done[i] if done[i] else math.inf) for i, e in enumerate(ends)]


def loop_streams(models, k, priorities):
    """Each stream's model and priority level, as `streams` pins the loop's tasks
    (simulator/policy/pinned_schedulers.cpp): task i runs models[i mod m] with the deadline
    50 us x (1 + i mod m) (tools/gpu_validation_session.sh); under priorities the tasks in deadline
    order (ties by index) take streams 0..k-1, and stream s gets level floor(s x min(k, 6) / k)."""
    tasks = [models[i % len(models)] for i in range(k)]
    if not priorities:
        return tasks, [0] * k
    order = sorted(range(k), key=lambda i: (i % len(models), i))
    return [tasks[i] for i in order], [s * min(k, 6) // k for s in range(k)]


def loop_task_order(models, k, priorities):
    """The task index each stream of loop_streams() runs."""
    return sorted(range(k), key=lambda i: (i % len(models), i)) if priorities else list(range(k))


def job_gaps_of(folder, run_name, order):
    """Per stream, the live run's idle times between a task's jobs on the GPU: each job's GPU start
    (its graph's start event) minus the previous job's GPU end, from FOLDER/<run>/events.jsonl."""
    path = os.path.join(folder, run_name, "events.jsonl")
    if not os.path.exists(path):
        fail(f"--job-gaps-from: {path} does not exist (extract the loops' calibration-streams.tar.xz there)")
    jobs = {}
    for number, e in read_event_log(path, fail)[1]:
        if e.get("ev") != "finish":
            continue
        where = f"{path}: line {number}"
        try:
            index = int(re.sub(r"^\D+", "", e["task"]))
        except (KeyError, TypeError, ValueError):
            fail(f"{where}: a finish without a task named <letters><stream index>")
        jobs.setdefault(index, []).append(tuple(finish_times(e, ("job", "gpu_start_ns", "gpu_end_ns"), where, fail)))
    gaps = {}
    for index, js in jobs.items():
        js.sort()
        gaps[index] = [max(0, b[1] - a[2]) for a, b in zip(js, js[1:])]
    return [gaps.get(index, []) for index in order]


def live_loops(path, alone):
    lines = read_json_lines(path, fail)
    for n, run in enumerate(lines):
        match = LOOP.match(str(run.get("run", "")))
        if not match:
            continue
        models = SIX if match[2] == "mixed" else match[2].split("+")
        per = {}
        for t, task in enumerate(run.get("tasks", [])):
            try:
                index = int(re.sub(r"^\D+", "", task["name"]))
                model = models[index % len(models)]
                per.setdefault(model, []).append(task["response_p50_ns"] / alone[model])
            except (KeyError, TypeError, ValueError):
                fail(f"{path}: line {n + 1}: tasks[{t}]: field 'name' or 'response_p50_ns' missing, or a model not in the profile")
        yield int(match[1]), models, bool(match[3]), {m: statistics.median(v) for m, v in per.items()}, run["run"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kernel-report", required=True)
    parser.add_argument("--profile", help="stage times alone (the launch gaps; required to compare with live runs)")
    parser.add_argument("--sms", type=int, default=132)
    parser.add_argument("--within", choices=("fifo", "equal"), default="fifo")
    parser.add_argument("--placement", choices=("fluid", "per-sm"), default="fluid",
                        help="fluid: SMs as one pool of block sizes; per-sm: each SM's four resources apart")
    parser.add_argument("--age-us", type=float, help="priority as a launch-time handicap of A us per level")
    parser.add_argument("--corun-factors", default="",
                        help="MODEL=F,...: each block of MODEL lasts F times longer beside other streams (from --print-corun-factors)")
    parser.add_argument("--job-gaps-from", help="FOLDER holding each loop's <run>/events.jsonl: between two inferences a "
                        "stream waits the live run's own GPU idle time between those jobs, in turn")
    parser.add_argument("--print-corun-factors", action="store_true",
                        help="end with each model's median live / model slowdown over the loops read: the co-run factors they imply")
    parser.add_argument("--dt-ns", type=float, default=250.0)
    parser.add_argument("--window-ms", type=float, default=40.0)
    parser.add_argument("--loop", action="append", default=[], help="MODELS:K[:dm], e.g. resnet18+unet:4:dm")
    parser.add_argument("--runs-matching", default="", help="only the loops whose run name this regular expression finds")
    parser.add_argument("runs", nargs="*", help="runs.jsonl files of closed loops")
    args = parser.parse_args()
    if args.dt_ns <= 0 or args.window_ms <= 0 or (args.age_us is not None and args.age_us < 0):
        fail("--dt-ns and --window-ms must be positive, --age-us not negative")
    try:
        only = re.compile(args.runs_matching)
    except re.error as e:
        fail(f"--runs-matching '{args.runs_matching}': not a regular expression ({e})")
    corun = {}
    for item in filter(None, args.corun_factors.split(",")):
        name, _, value = item.partition("=")
        try:
            corun[name] = float(value)
        except ValueError:
            corun[name] = -1.0
        if not name or not 0 < corun[name] < math.inf:
            fail(f"--corun-factors: '{item}': expected MODEL=F with F a positive number")
    if args.runs and not args.profile:
        fail("comparing with live runs needs --profile (the models' times alone)")
    specs = [(spec, SPEC.match(spec)) for spec in args.loop]
    for spec, match in specs:
        if not match:
            fail(f"--loop '{spec}': expected MODELS:K[:dm], e.g. resnet18+unet:4:dm")
    stages = alone = None
    if args.profile:
        profile = load_document(args.profile, "sgprs.profile/1", fail)
        stages = stage_times(profile)
        alone = {}
        for what, ns in stages.items():
            alone[what.split("/")[0]] = alone.get(what.split("/")[0], 0) + ns
    report = load_document(args.kernel_report, None, fail)
    if args.placement == "per-sm" and args.within != "fifo":
        fail("--placement per-sm serves pending grids first come, first served: --within equal is not supported")
    scheduler = PerSmScheduler if args.placement == "per-sm" else BlockScheduler
    model = scheduler(read_kernels(report, args.sms, stages, args.kernel_report), args.sms, args.within,
                           None if args.age_us is None else args.age_us * 1000, args.dt_ns, corun)
    window, warm = args.window_ms * 1e6, args.window_ms * 1e6 / 8
    rule = ("per SM, " if args.placement == "per-sm" else "") + f"within a level {args.within}"
    if args.age_us is not None:
        rule += f", priority as {args.age_us:g} us a level"
    if args.job_gaps_from:
        rule += ", the live jobs' gaps"
    if corun:
        rule += ", co-run factors " + ",".join(f"{m}={f:g}" for m, f in sorted(corun.items()))
    print(f"block scheduler model: {args.sms} SMs, {rule}, dt {args.dt_ns:g} ns, {args.window_ms:g} ms a loop")
    for spec, match in specs:
        models = match[1].split("+")
        streams, levels = loop_streams(models, int(match[2]), bool(match[3]))
        got = model.slowdowns(streams, levels, window, warm)
        print(f"{spec}: " + " ".join(f"{m} {got[m]:.2f}" for m in dict.fromkeys(models)))
    groups, implied = {}, {}
    for path in args.runs:
        for k, models, priorities, live, name in live_loops(path, alone):
            if not only.search(name):
                continue
            streams, levels = loop_streams(models, k, priorities)
            gaps = job_gaps_of(args.job_gaps_from, name, loop_task_order(models, k, priorities)) if args.job_gaps_from else None
            got = model.slowdowns(streams, levels, window, warm, gaps)
            print(f"{name}: " + " ".join(f"{m} {live[m]:.2f}/{got[m]:.2f}" for m in dict.fromkeys(streams)), flush=True)
            group = f"{'priorities' if priorities else 'no priorities'}, {len(models)} models, k {'<= 4' if k <= 4 else '>= 6'}"
            for m in set(streams):
                groups.setdefault(group, []).append(abs(math.log(got[m] / live[m])) if got[m] < math.inf else math.inf)
                if got[m] < math.inf:
                    implied.setdefault(m, []).append(live[m] / got[m])
    for group, errors in sorted(groups.items()):
        errors.sort()
        print(f"{group}: median |ln(model / live)| {statistics.median(errors):.3f}, p90 {errors[math.ceil(0.9 * len(errors)) - 1]:.3f} over {len(errors)} model-loops")
    if args.print_corun_factors and implied:
        print("co-run factors (median live / model): --corun-factors "
              + ",".join(f"{m}={statistics.median(v):.3f}" for m, v in sorted(implied.items())))


if __name__ == "__main__":
    main()
