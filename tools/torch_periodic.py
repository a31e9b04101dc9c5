#!/usr/bin/env python3
"""What a PyTorch user runs instead of sgprs, measured on the GPU machine: N periodic
torchvision ResNet-18 tasks (batch 1) on S plain CUDA streams of the whole GPU, each
stream replaying its own CUDA graph, task i on stream i mod S, FIFO per stream, a
job skipped when its task's previous job is still pending at its release (the same
rule as sgprs's `streams` baseline). Deadline = period. One dispatcher thread
releases jobs at absolute times and polls CUDA events for completions.

  python3 tools/torch_periodic.py --tasks 150 180 210 240 --rate 30 --streams 16 --seconds 5 \
      --precision tf32 --out torch_periodic.json

Prints one line per N and writes JSON: released, completed, on time, skipped, miss ratio,
throughput (completed/s), response p50/p99 (ms). Exit 2 on bad arguments.
"""
import argparse
import json
import random
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tasks", type=int, nargs="+", required=True)
    p.add_argument("--rate", type=float, default=30.0)
    p.add_argument("--streams", type=int, default=16)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--precision", default="tf32")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="")
    a = p.parse_args()
    if a.precision not in ("fp32", "tf32", "fp16"):
        print(f"torch_periodic: --precision: unknown precision '{a.precision}' (known: fp32, tf32, fp16)", file=sys.stderr)
        sys.exit(2)
    if a.streams < 1 or a.rate <= 0 or a.seconds <= 0 or min(a.tasks) < 1:
        print("torch_periodic: --streams, --rate, --seconds and --tasks must be positive", file=sys.stderr)
        sys.exit(2)
    return a


def main():
    a = parse_args()
    import torch
    import torchvision

    torch.backends.cudnn.allow_tf32 = a.precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = False
    dtype = torch.float16 if a.precision == "fp16" else torch.float32
    model = torchvision.models.resnet18().cuda().eval().to(dtype)
    streams = [torch.cuda.Stream() for _ in range(a.streams)]
    graphs, inputs = [], []
    with torch.no_grad():
        for s in streams:
            x = torch.randn(1, 3, 224, 224, device="cuda", dtype=dtype)
            with torch.cuda.stream(s):
                for _ in range(3):
                    model(x)
            torch.cuda.synchronize()
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g, stream=s):
                model(x)
            graphs.append(g)
            inputs.append(x)
    torch.cuda.synchronize()
    period = 1.0 / a.rate
    results = []
    for n in a.tasks:
        rng = random.Random(a.seed)
        offsets = [rng.randrange(0, int(2 * period * 1000)) / 1000.0 for _ in range(n)]  # the paper's phase
        next_release = list(offsets)
        pending = [None] * n  # (event, release, stream index)
        released = completed = on_time = skipped = 0
        responses = []
        start = time.perf_counter() + 0.05
        end = start + a.seconds
        inflight = []  # (task, release, end event)
        while True:
            now = time.perf_counter() - start
            for i in range(n):  # releases due
                while next_release[i] <= now and next_release[i] < a.seconds:
                    r = next_release[i]
                    next_release[i] += period
                    released += 1
                    if pending[i] is not None:
                        skipped += 1
                        continue
                    s = i % a.streams
                    with torch.cuda.stream(streams[s]):
                        graphs[s].replay()
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
                    if t <= r + period:
                        on_time += 1
                    pending[i] = None
                else:
                    still.append(i)
            inflight = still
            if time.perf_counter() >= end and not inflight:
                break
        responses.sort()
        pick = lambda q: responses[min(len(responses) - 1, max(0, int(q * len(responses) + 0.999999) - 1))] * 1e3 if responses else 0
        row = {"tasks": n, "rate_hz": a.rate, "streams": a.streams, "precision": a.precision, "seconds": a.seconds,
               "released": released, "completed": completed, "on_time": on_time, "skipped": skipped,
               "miss_ratio": (released - on_time) / released if released else 0,
               "throughput_jobs_per_s": completed / a.seconds, "response_p50_ms": pick(0.5), "response_p99_ms": pick(0.99)}
        results.append(row)
        print(f"torch streams={a.streams} N={n}: {completed / a.seconds:.1f} jobs/s, miss {row['miss_ratio']:.4f}, "
              f"p99 {row['response_p99_ms']:.2f} ms", flush=True)
    doc = {"schema": "sgprs.torch-periodic/1", "device": torch.cuda.get_device_name(), "torch": torch.__version__,
           "command": " ".join(sys.argv), "results": results}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
