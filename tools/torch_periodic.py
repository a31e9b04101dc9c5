#!/usr/bin/env python3
"""What a PyTorch user runs instead of sgprs, measured on the GPU machine: periodic
torchvision inference tasks (batch 1) on S plain CUDA streams of the whole GPU, each
stream replaying its own CUDA graph per model, FIFO per stream, a job skipped when its
task's previous job is still pending at its release (the same rules as sgprs's `streams`
baseline). One dispatcher thread releases jobs at absolute times and polls CUDA events.

Two kinds of workload:
  --tasks N...          N ResNet-18 tasks at --rate Hz, deadline = period, task i on stream i mod S
  --tasksets FILE...    sgprs task-set files (schema sgprs.taskset/1; models resnet18, resnet50,
                        mobilenet_v2, inception_v3, vit_b16), constrained deadlines as written
--priorities dm: deadline-monotonic stream priorities placed as sgprs's `streams` option
stream_priorities=deadline-monotonic places them: tasks in deadline order fill the streams in
contiguous blocks (stream 0 the tightest), stream s is on level floor(s L / S) of L = min(S, 6),
and levels map to CUDA priorities from the most urgent the device offers up to the default.

  python3 tools/torch_periodic.py --tasks 150 180 210 240 --rate 30 --streams 16 --seconds 5 \\
      --precision tf32 --out torch_periodic.json
  python3 tools/torch_periodic.py --tasksets tight-0.4.json tight-0.5.json --streams 32 --priorities dm

Prints one line per workload and writes JSON: released, completed, on time, skipped, miss
ratio, throughput (completed/s), response p50/p99 (ms), misses per task name. Exit 2 on bad
arguments or an unknown model.
"""
import argparse
import json
import random
import sys
import time

TORCHVISION = {"resnet18": ("resnet18", 224), "resnet50": ("resnet50", 224), "mobilenet_v2": ("mobilenet_v2", 224),
               "inception_v3": ("inception_v3", 299), "vit_b16": ("vit_b_16", 224)}


def fail(text):
    print(f"torch_periodic: {text}", file=sys.stderr)
    sys.exit(2)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tasks", type=int, nargs="+")
    p.add_argument("--tasksets", nargs="+")
    p.add_argument("--rate", type=float, default=30.0)
    p.add_argument("--streams", type=int, default=16)
    p.add_argument("--priorities", default="none")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--precision", default="tf32")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--buffers", default="stream",
                   help="stream: one CUDA graph (and its memory) per stream and model, shared by the stream's tasks, "
                        "as a PyTorch service would; task: one per task, as sgprs allocates")
    p.add_argument("--out", default="")
    a = p.parse_args()
    if a.precision not in ("fp32", "tf32", "fp16"):
        fail(f"--precision: unknown precision '{a.precision}' (known: fp32, tf32, fp16)")
    if a.buffers not in ("stream", "task"):
        fail(f"--buffers: unknown '{a.buffers}' (known: stream, task)")
    if a.priorities not in ("none", "dm"):
        fail(f"--priorities: unknown '{a.priorities}' (known: none, dm)")
    if (a.tasks is None) == (a.tasksets is None):
        fail("give either --tasks or --tasksets")
    if a.streams < 1 or a.rate <= 0 or a.seconds <= 0 or (a.tasks and min(a.tasks) < 1):
        fail("--streams, --rate, --seconds and --tasks must be positive")
    return a


def resnet18_set(n, rate):
    period = 1.0 / rate
    return {"name": f"resnet18-{rate:g}hz-{n}", "tasks": [("r", "resnet18", period, period)] * n}


def load_set(path):
    try:
        doc = json.load(open(path))
        tasks = []
        for t in doc["tasks"]:
            if t["model"] not in TORCHVISION:
                fail(f"{path}: model '{t['model']}' has no torchvision equivalent here (known: {', '.join(TORCHVISION)})")
            period = t["period_ns"] / 1e9 if "period_ns" in t else 1.0 / t["rate_hz"]
            deadline = t.get("deadline_ns", period * 1e9) / 1e9
            tasks += [(t.get("name", t["model"]), t["model"], period, deadline)] * int(t.get("count", 1))
        return {"name": doc.get("name", path), "tasks": tasks}
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail(f"{path}: not a task set ({e})")


def placement(tasks, streams, dm):
    """Per task its stream, and per stream its level (0 = most urgent)."""
    n = len(tasks)
    if not dm:
        return [i % streams for i in range(n)], [0] * streams
    order = sorted(range(n), key=lambda i: (tasks[i][3], i))
    stream_of = [0] * n
    for rank, i in enumerate(order):
        stream_of[i] = rank if n <= streams else rank * streams // n
    levels = min(streams, 6)
    return stream_of, [s * levels // streams for s in range(streams)]


def main():
    a = parse_args()
    workloads = [resnet18_set(n, a.rate) for n in a.tasks] if a.tasks else [load_set(p) for p in a.tasksets]
    import torch
    import torchvision

    torch.backends.cudnn.allow_tf32 = a.precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = False
    dtype = torch.float16 if a.precision == "fp16" else torch.float32
    models = {}
    for w in workloads:
        for _, m, _, _ in w["tasks"]:
            if m not in models:
                name, _ = TORCHVISION[m]
                kwargs = {"aux_logits": False, "init_weights": False} if m == "inception_v3" else {}
                models[m] = getattr(torchvision.models, name)(**kwargs).cuda().eval().to(dtype)
    least, greatest = 0, 0
    if a.priorities == "dm":
        least, greatest = torch.cuda.Stream.priority_range() if hasattr(torch.cuda.Stream, "priority_range") else (0, -1)
    results = []
    for w in workloads:
        tasks = w["tasks"]
        stream_of, level = placement(tasks, a.streams, a.priorities == "dm")
        top = max(level)
        priority = [max(greatest, least - (top - lv)) for lv in level]  # lowest level keeps the default
        streams = [torch.cuda.Stream(priority=p) for p in priority]
        graphs = {}  # (stream, model) or (task,) -> graph
        key = (lambda i: (stream_of[i], tasks[i][1])) if a.buffers == "stream" else (lambda i: (i,))
        with torch.no_grad():
            for i, (_, m, _, _) in enumerate(tasks):
                s = stream_of[i]
                if key(i) in graphs:
                    continue
                x = torch.randn(1, 3, TORCHVISION[m][1], TORCHVISION[m][1], device="cuda", dtype=dtype)
                with torch.cuda.stream(streams[s]):
                    for _ in range(3):
                        models[m](x)
                torch.cuda.synchronize()
                g = torch.cuda.CUDAGraph()
                with torch.cuda.graph(g, stream=streams[s]):
                    models[m](x)
                graphs[key(i)] = (g, x)
        torch.cuda.synchronize()
        rng = random.Random(a.seed)
        next_release = [rng.random() * t[2] for t in tasks]
        n = len(tasks)
        pending = [None] * n
        released = completed = on_time = skipped = 0
        responses, misses = [], {}
        start = time.perf_counter() + 0.05
        end = start + a.seconds
        inflight = []
        while True:
            now = time.perf_counter() - start
            for i in range(n):
                while next_release[i] <= now and next_release[i] < a.seconds:
                    r = next_release[i]
                    next_release[i] += tasks[i][2]
                    released += 1
                    if pending[i] is not None:
                        skipped += 1
                        misses[tasks[i][0]] = misses.get(tasks[i][0], 0) + 1
                        continue
                    s = stream_of[i]
                    with torch.cuda.stream(streams[s]):
                        graphs[key(i)][0].replay()
                        ev = torch.cuda.Event()
                        ev.record(streams[s])
                    pending[i] = (ev, r)
                    inflight.append(i)
            still = []
            for i in inflight:
                ev, r = pending[i]
                if ev.query():
                    t = time.perf_counter() - start
                    completed += 1
                    responses.append(t - r)
                    if t <= r + tasks[i][3]:
                        on_time += 1
                    else:
                        misses[tasks[i][0]] = misses.get(tasks[i][0], 0) + 1
                    pending[i] = None
                else:
                    still.append(i)
            inflight = still
            if time.perf_counter() >= end and not inflight:
                break
        torch.cuda.synchronize()
        del graphs
        responses.sort()
        pick = lambda q: responses[min(len(responses) - 1, max(0, int(q * len(responses) + 0.999999) - 1))] * 1e3 if responses else 0
        row = {"taskset": w["name"], "tasks": n, "streams": a.streams, "priorities": a.priorities, "buffers": a.buffers,
               "cuda_priorities": sorted(set(priority)), "precision": a.precision, "seconds": a.seconds,
               "released": released, "completed": completed, "on_time": on_time, "skipped": skipped,
               "miss_ratio": (released - on_time) / released if released else 0, "misses_by_task": misses,
               "throughput_jobs_per_s": completed / a.seconds, "response_p50_ms": pick(0.5), "response_p99_ms": pick(0.99)}
        if a.tasks:
            row["rate_hz"] = a.rate
        results.append(row)
        print(f"torch streams={a.streams} priorities={a.priorities} buffers={a.buffers} {w['name']} ({n} tasks): "
              f"{completed / a.seconds:.1f} jobs/s, miss {row['miss_ratio']:.4f}, p99 {row['response_p99_ms']:.2f} ms",
              flush=True)
    doc = {"schema": "sgprs.torch-periodic/1", "device": torch.cuda.get_device_name(), "torch": torch.__version__,
           "command": " ".join(sys.argv), "results": results}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
