#!/usr/bin/env python3
"""PyTorch's kernels for one inference of each torchvision model: name, GPU time and launch shape.

The counterpart of `sgprs profile --kernel-report` on the PyTorch side, to find where the op library
spends more GPU time than PyTorch (issue 10) or holds more of the GPU per inference (how well a model
shares the GPU with other streams). One inference is captured as a CUDA graph on a stream of a
green-context partition (the whole GPU at its SM count), replayed a few times, then one replay is
traced with torch.profiler (CUPTI); the trace's kernel events give name, duration, grid, block,
registers and shared memory.

    python3 tools/torch_kernels.py --models resnet18,mobilenet_v2 --precisions tf32 --sms 8,132 \\
        --out torch_kernels.json

Writes one JSON list: {model, precision, sms, partition, kernel_sum_ns, kernels: [{name, ns, blocks,
threads_per_block, registers_per_thread, shared_bytes}]}, the same fields as sgprs's kernel report.
"""
import argparse
import json
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import torch_compare  # noqa: E402 (the models, precisions and green contexts are shared)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="resnet18", help="comma-separated, of: " + ", ".join(torch_compare.MODELS))
    parser.add_argument("--precisions", default="tf32", help="comma-separated, of: " + ", ".join(torch_compare.PRECISIONS))
    parser.add_argument("--sms", default="8,132", help="comma-separated SM counts (132 or more: the whole GPU)")
    parser.add_argument("--out", default="torch_kernels.json", help="JSON file to write")
    args = parser.parse_args()
    for name in args.models.split(","):
        if name not in torch_compare.MODELS:
            torch_compare.bad_argument(f"--models: unknown model '{name}'")
    for precision in args.precisions.split(","):
        if precision not in torch_compare.PRECISIONS:
            torch_compare.bad_argument(f"--precisions: unknown precision '{precision}'")
    try:
        args.sms = [int(s) for s in args.sms.split(",")]
    except ValueError:
        torch_compare.bad_argument(f"--sms: not a list of integers: '{args.sms}'")
    return args


def kernel_events(trace_path):
    """The kernel events of a chrome trace written by torch.profiler, in start order."""
    events = json.loads(pathlib.Path(trace_path).read_text()).get("traceEvents", [])
    kernels = [e for e in events if e.get("cat") == "kernel"]
    kernels.sort(key=lambda e: e.get("ts", 0))
    rows = []
    for e in kernels:
        a = e.get("args", {})
        grid, block = a.get("grid", [0, 0, 0]), a.get("block", [0, 0, 0])
        rows.append({
            "name": e.get("name", "?"),
            "ns": int(round(float(e.get("dur", 0)) * 1000.0)),
            "blocks": int(grid[0] * grid[1] * grid[2]),
            "threads_per_block": int(block[0] * block[1] * block[2]),
            "registers_per_thread": int(a.get("registers per thread", 0)),
            "shared_bytes": int(a.get("shared memory", 0)),
        })
    return rows


def traced_kernels(torch, model, x, stream):
    """Kernels of one traced replay of the model's graph on `stream` (eager run if the graph shows none)."""
    from torch.profiler import ProfilerActivity, profile
    with torch.inference_mode():
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(3):
                model(x)
        stream.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, stream=stream):
            model(x)
        with torch.cuda.stream(stream):
            for _ in range(5):
                graph.replay()
        stream.synchronize()
        rows = []
        for use_graph in (True, False):
            with profile(activities=[ProfilerActivity.CUDA]) as prof:
                with torch.cuda.stream(stream):
                    graph.replay() if use_graph else model(x)
                stream.synchronize()
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
                path = f.name
            prof.export_chrome_trace(path)
            rows = kernel_events(path)
            pathlib.Path(path).unlink(missing_ok=True)
            if rows:
                return rows, "graph replay" if use_graph else "eager (the graph's kernels were not traced)"
    return rows, "no kernels traced"


def main():
    args = parse_args()
    import torch
    import torchvision
    factory, how = torch_compare.make_green(torch, "auto")
    total_sms = torch.cuda.get_device_properties(0).multi_processor_count
    results = []
    for precision in args.precisions.split(","):
        torch_compare.set_precision(torch, precision)
        for name in args.models.split(","):
            model, x = torch_compare.build_model(torch, torchvision, name, precision)
            for sms in args.sms:
                whole = sms >= total_sms or factory is None
                stream = torch.cuda.Stream() if whole else factory.stream(sms)
                rows, note = traced_kernels(torch, model, x, stream)
                results.append({"model": name, "precision": precision, "sms": total_sms if whole else sms,
                                "partition": "whole GPU" if whole else f"green {sms} SMs ({how})", "note": note,
                                "kernel_sum_ns": sum(r["ns"] for r in rows), "kernels": rows})
                print(f"torch_kernels: {name} {precision} {sms} SMs: {len(rows)} kernels, "
                      f"{results[-1]['kernel_sum_ns'] / 1000:.1f} us ({note})", file=sys.stderr, flush=True)
            del model, x
            torch.cuda.empty_cache()
    out = pathlib.Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=1))
    tmp.replace(out)


if __name__ == "__main__":
    main()
