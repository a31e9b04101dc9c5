#!/usr/bin/env python3
"""Measure what PyTorch users get on this GPU and compare it with sgprs profiles.

For each torchvision model at batch 1, each precision and each partition size, the GPU time of
one whole inference replayed as a CUDA graph on a stream of a green-context partition (median of
--replays replays, timed with CUDA events around each replay). Then, for every precision given a
profile (--profile PRECISION=FILE), the same inference in the sgprs profile (the sum of its
stages' isolated medians at that SM count) and the ratio sgprs / PyTorch. Writes
torch_compare.csv and torch_compare.md into --out, rewritten after every measurement so that a
run cut short still leaves what it measured; a measuring run also writes torch_compare.json,
which --measured reads back.

    python3 tools/torch_compare.py --precisions tf32,fp16 \
        --profile tf32=traces/profiles/h200-tf32.json --profile fp16=traces/profiles/h200-fp16.json --out out/
    python3 tools/torch_compare.py --measured out/torch_compare.json --profile tf32=other.json --out out2/
        # the PyTorch times of an earlier run against other profiles (no GPU, no PyTorch needed)

Precisions (as `sgprs profile --precision`):
  fp32  strict: torch.backends.cudnn.allow_tf32 = False, torch.backends.cuda.matmul.allow_tf32 = False
  tf32  torch's defaults: cuDNN convolutions may use TF32, matmuls strict
  fp16  model and input .half() (cuDNN and cuBLAS on tensor cores)
cudnn.benchmark stays at torch's default (off) in every mode.

Partitions: N SMs out of the whole GPU is a green context of N SMs (N a multiple of the split's
8-SM piece, as the profiler builds them); the GPU's full SM count is a plain stream on the whole
GPU. The green context comes from torch.cuda.green_contexts.GreenContext where this PyTorch has
it with streams, else from the CUDA driver API through ctypes (one split into 8-SM pieces; a
partition combines pieces; its stream wrapped in torch.cuda.ExternalStream). If neither works,
only the whole GPU is measured and the table says so.

Needs PyTorch with CUDA and torchvision on a GPU machine; nothing is downloaded (random weights:
timing does not depend on the values). Exit status: 0, 2 on bad arguments, 3 without a GPU.
"""
import argparse
import csv
import ctypes
import io
import json
import pathlib
import statistics
import sys
import time

# sgprs model name -> (torchvision constructor name, input height/width)
MODELS = {
    "resnet18": ("resnet18", 224),
    "resnet50": ("resnet50", 224),
    "mobilenet_v2": ("mobilenet_v2", 224),
    "inception_v3": ("inception_v3", 299),
    "vit_b16": ("vit_b_16", 224),
}
PRECISIONS = ("fp32", "tf32", "fp16")


def log(message):
    print(f"[torch_compare {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bad_argument(message):
    print(f"torch_compare: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, of: " + ", ".join(MODELS))
    parser.add_argument("--precisions", default="tf32", help="comma-separated, of: " + ", ".join(PRECISIONS))
    parser.add_argument("--sms", default="8,16,32,64,132",
                        help="partition sizes; the GPU's own SM count means the whole GPU (plain stream)")
    parser.add_argument("--replays", type=int, default=50, help="timed graph replays per point (at least 50)")
    parser.add_argument("--profile", action="append", default=[], metavar="PRECISION=FILE",
                        help="sgprs profile to compare against for that precision (repeatable)")
    parser.add_argument("--out", default="out", help="folder for torch_compare.csv and torch_compare.md")
    parser.add_argument("--measured", metavar="JSON",
                        help="take the PyTorch times from this torch_compare.json instead of measuring")
    parser.add_argument("--green", choices=("auto", "torch", "driver", "none"), default="auto",
                        help="how to make green contexts (auto: torch's API, else the driver API)")
    args = parser.parse_args()
    args.models = [m for m in args.models.split(",") if m]
    args.precisions = [p for p in args.precisions.split(",") if p]
    for m in args.models:
        if m not in MODELS:
            bad_argument(f"--models: unknown model '{m}' (known: {', '.join(MODELS)})")
    for p in args.precisions:
        if p not in PRECISIONS:
            bad_argument(f"--precisions: unknown precision '{p}' (known: {', '.join(PRECISIONS)})")
    try:
        args.sms = [int(s) for s in args.sms.split(",") if s]
    except ValueError:
        bad_argument(f"--sms: '{args.sms}' is not a list of SM counts")
    if not args.sms or min(args.sms) <= 0:
        bad_argument("--sms: SM counts must be positive")
    if args.replays < 50:
        bad_argument("--replays: at least 50")
    profiles = {}
    for entry in args.profile:
        precision, sep, path = entry.partition("=")
        if not sep or precision not in PRECISIONS:
            bad_argument(f"--profile: '{entry}' must be PRECISION=FILE with PRECISION one of {', '.join(PRECISIONS)}")
        profiles[precision] = path
    args.profiles = profiles
    return args


# --- sgprs profiles ----------------------------------------------------------------------------
def profile_precision(doc):
    return doc.get("precision") or ("fp16" if doc.get("dtype") == "fp16" else "fp32")


def load_profile(path, precision):
    """{model: {sm: whole-inference ns}} from the stages' isolated medians, or None if unreadable."""
    try:
        doc = json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError) as error:
        log(f"profile {path} for {precision} not read ({error}); its column stays empty")
        return None
    if profile_precision(doc) != precision:
        log(f"warning: {path} measured {profile_precision(doc)}, compared here as {precision}")
    sm_counts = doc.get("sm_counts", [])
    whole = {}
    for model in doc.get("models", []):
        per_sm = {}
        for i, sm in enumerate(sm_counts):
            times = [stage["median_ns"][i] for stage in model.get("stages", [])]
            if times and all(isinstance(t, (int, float)) and t > 0 for t in times):
                per_sm[sm] = float(sum(times))
        whole[model.get("name")] = per_sm
    return {"path": str(path), "device": doc.get("device", {}).get("name"), "models": whole}


# --- green contexts ----------------------------------------------------------------------------
class DriverGreenContexts:
    """Green contexts through the CUDA driver API (ctypes): one split of the whole GPU into pieces
    of 8 SMs; a partition of N SMs is a descriptor over N / 8 pieces, as the profiler builds them
    (profiler/partition_pool.cpp)."""

    RESOURCE_BYTES = 144  # sizeof(CUdevResource), resource ABI 1 (CUDA 12.4 to 13.x)
    SM_COUNT_OFFSET = 96  # offsetof(CUdevResource, sm.smCount)
    TYPE_SM = 1           # CU_DEV_RESOURCE_TYPE_SM
    PIECE_SMS = 8

    def __init__(self, torch):
        self.torch = torch
        self.cuda = ctypes.CDLL("libcuda.so.1")
        self.keep = []
        self._check(self.cuda.cuInit(0), "cuInit")
        self.device = ctypes.c_int(0)
        self._check(self.cuda.cuDeviceGet(ctypes.byref(self.device), torch.cuda.current_device()), "cuDeviceGet")
        whole = (ctypes.c_ubyte * self.RESOURCE_BYTES)()
        self._check(self.cuda.cuDeviceGetDevResource(self.device, whole, self.TYPE_SM), "cuDeviceGetDevResource")
        count = ctypes.c_uint(0)
        self._check(self.cuda.cuDevSmResourceSplitByCount(None, ctypes.byref(count), whole, None, 0, self.PIECE_SMS),
                    "cuDevSmResourceSplitByCount (count)")
        self.pieces = (ctypes.c_ubyte * (self.RESOURCE_BYTES * count.value))()
        remaining = (ctypes.c_ubyte * self.RESOURCE_BYTES)()
        self._check(self.cuda.cuDevSmResourceSplitByCount(self.pieces, ctypes.byref(count), whole, remaining, 0,
                                                          self.PIECE_SMS), "cuDevSmResourceSplitByCount")
        self.piece_count = count.value
        sizes = {self._sm_count(i) for i in range(self.piece_count)}
        if sizes != {self.PIECE_SMS}:
            raise RuntimeError(f"the split's pieces hold {sorted(sizes)} SMs, not {self.PIECE_SMS}: unknown resource ABI")

    def _check(self, status, call):
        if status != 0:
            raise RuntimeError(f"{call} failed with CUresult {status}")

    def _sm_count(self, index):
        offset = index * self.RESOURCE_BYTES + self.SM_COUNT_OFFSET
        return int.from_bytes(bytes(self.pieces[offset:offset + 4]), "little")

    def stream(self, sms):
        if sms % self.PIECE_SMS or sms // self.PIECE_SMS > self.piece_count:
            raise RuntimeError(f"{sms} SMs is not a multiple of {self.PIECE_SMS} up to {self.piece_count} pieces")
        n = sms // self.PIECE_SMS
        size = self.RESOURCE_BYTES * n
        chosen = (ctypes.c_ubyte * size).from_buffer_copy(bytes(self.pieces[:size]))
        desc = ctypes.c_void_p()
        self._check(self.cuda.cuDevResourceGenerateDesc(ctypes.byref(desc), chosen, n), "cuDevResourceGenerateDesc")
        green = ctypes.c_void_p()
        self._check(self.cuda.cuGreenCtxCreate(ctypes.byref(green), desc, self.device, 1), "cuGreenCtxCreate")
        raw = ctypes.c_void_p()
        self._check(self.cuda.cuGreenCtxStreamCreate(ctypes.byref(raw), green, 1, 0), "cuGreenCtxStreamCreate")
        self.keep.append((chosen, green, raw))  # alive until the process ends
        return self.torch.cuda.ExternalStream(raw.value)


class TorchGreenContexts:
    """torch.cuda.green_contexts.GreenContext with its own streams (newer PyTorch releases)."""

    def __init__(self, torch):
        from torch.cuda.green_contexts import GreenContext  # noqa: F401 (raises where absent)
        self.GreenContext = GreenContext
        if not hasattr(GreenContext, "Stream"):
            raise RuntimeError("this PyTorch's GreenContext has no Stream()")
        self.keep = []

    def stream(self, sms):
        try:
            ctx = self.GreenContext(num_sms=sms)
        except TypeError:
            ctx = self.GreenContext.create(num_sms=sms)
        self.keep.append(ctx)
        return ctx.Stream()


def make_green(torch, choice):
    """(factory or None, one line saying how partitions are made)."""
    attempts = {"torch": [TorchGreenContexts], "driver": [DriverGreenContexts],
                "auto": [TorchGreenContexts, DriverGreenContexts], "none": []}[choice]
    problems = []
    for kind in attempts:
        try:
            factory = kind(torch)
            via = "torch.cuda.green_contexts" if kind is TorchGreenContexts else "the CUDA driver API (ctypes)"
            return factory, f"green contexts via {via}"
        except Exception as error:  # noqa: BLE001 (any failure: try the next way)
            problems.append(f"{kind.__name__}: {error}")
    reason = "; ".join(problems) if problems else "--green none"
    return None, f"no green contexts ({reason}): whole GPU only"


# --- measurement -------------------------------------------------------------------------------
def set_precision(torch, precision):
    strict = precision == "fp32"
    torch.backends.cudnn.allow_tf32 = not strict  # torch's default: True
    torch.backends.cuda.matmul.allow_tf32 = False  # torch's default: False
    torch.backends.cudnn.benchmark = False


def build_model(torch, torchvision, name, precision):
    constructor, size = MODELS[name]
    kwargs = {"weights": None}
    if constructor == "inception_v3":
        kwargs.update(aux_logits=False, init_weights=False)
    model = getattr(torchvision.models, constructor)(**kwargs).eval().cuda()
    x = torch.randn(1, 3, size, size, device="cuda")
    if precision == "fp16":
        model, x = model.half(), x.half()
    return model, x


def time_inference(torch, model, x, stream, replays):
    """Median, p5, p95 (us) of one inference replayed as a CUDA graph on `stream`."""
    with torch.inference_mode():
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(3):  # warm-up on the partition: library handles, lazy modules
                model(x)
        stream.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, stream=stream):
            model(x)
        stream.synchronize()
        with torch.cuda.stream(stream):
            for _ in range(5):
                graph.replay()
            # Keep the GPU busy while the host enqueues every timed replay, so that a host slowed
            # by other work (a build beside it) never leaves the GPU idle between an event and its
            # replay: the events then time the replays alone.
            if hasattr(torch.cuda, "_sleep"):
                torch.cuda._sleep(100_000_000)  # about 50 ms of one SM's clock cycles
            starts = [torch.cuda.Event(enable_timing=True) for _ in range(replays)]
            ends = [torch.cuda.Event(enable_timing=True) for _ in range(replays)]
            for start, end in zip(starts, ends):
                start.record(stream)
                graph.replay()
                end.record(stream)
        stream.synchronize()
        times = sorted(start.elapsed_time(end) * 1000.0 for start, end in zip(starts, ends))
    del graph
    q = lambda f: times[min(len(times) - 1, int(f * len(times)))]  # noqa: E731
    return statistics.median(times), q(0.05), q(0.95)


# --- output ------------------------------------------------------------------------------------
FIELDS = ["model", "precision", "sms", "partition", "torch_us", "torch_p5_us", "torch_p95_us", "replays",
          "sgprs_us", "sgprs_over_torch", "note"]


def write_atomic(path, text):
    """The whole file or the old one: a run cut short (timeout) never leaves half a table."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def fill_sgprs(row, profiles):
    """The profile's whole-inference time for the row's (model, precision, SMs) and the ratio."""
    profile = profiles.get(row["precision"])
    row["sgprs_us"] = row["sgprs_over_torch"] = ""
    if not profile:
        return
    sgprs_ns = profile["models"].get(row["model"], {}).get(int(row["sms"]))
    if not sgprs_ns:
        note = "not in the profile at this SM count"
        row["note"] = (row["note"] + "; " if row["note"] else "") + note
        return
    row["sgprs_us"] = round(sgprs_ns / 1000.0, 1)
    if row["torch_us"] not in ("", None):
        row["sgprs_over_torch"] = round(sgprs_ns / 1000.0 / float(row["torch_us"]), 3)


TARGET_RATIO = 1.1  # the op library's goal: at most 1.1x PyTorch's time at every SM count


def summary_lines(rows):
    """Per model and precision: the range of sgprs / PyTorch over the SM counts both measured."""
    groups = {}
    for r in rows:
        if r["sgprs_over_torch"] not in ("", None):
            groups.setdefault((r["model"], r["precision"]), []).append((float(r["sgprs_over_torch"]), r["sms"]))
    if not groups:
        return []
    lines = ["", f"| model | precision | worst sgprs / PyTorch (SMs) | best (SMs) | <= {TARGET_RATIO}x at every count |",
             "|---|---|---:|---:|---|"]
    for (model, precision), ratios in groups.items():
        worst, best = max(ratios), min(ratios)
        ok = "yes" if worst[0] <= TARGET_RATIO else "no"
        lines.append(f"| {model} | {precision} | {worst[0]:.2f} ({worst[1]}) | {best[0]:.2f} ({best[1]}) | {ok} |")
    return lines


def write_outputs(out, rows, header_lines, with_json=True):
    out.mkdir(parents=True, exist_ok=True)
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(out / "torch_compare.csv", table.getvalue())
    if with_json:
        write_atomic(out / "torch_compare.json", json.dumps({"header": header_lines, "rows": rows}, indent=1) + "\n")
    fmt = lambda v, spec: "" if v in (None, "") else format(v, spec)  # noqa: E731
    lines = ["# sgprs profile vs PyTorch: whole-inference GPU time, batch 1", ""] + [f"- {h}" for h in header_lines]
    lines += summary_lines(rows)
    lines += ["", "| model | precision | SMs | partition | PyTorch us (p5..p95) | sgprs us | sgprs / PyTorch | note |",
              "|---|---|---:|---|---:|---:|---:|---|"]
    for r in rows:
        spread = f" ({fmt(r['torch_p5_us'], '.0f')}..{fmt(r['torch_p95_us'], '.0f')})" if r["torch_us"] != "" else ""
        lines.append(f"| {r['model']} | {r['precision']} | {r['sms']} | {r['partition']} | "
                     f"{fmt(r['torch_us'], '.1f')}{spread} | {fmt(r['sgprs_us'], '.1f')} | "
                     f"{fmt(r['sgprs_over_torch'], '.2f')} | {r['note']} |")
    write_atomic(out / "torch_compare.md", "\n".join(lines) + "\n")


def compare_measured(args):
    """--measured: an earlier run's PyTorch times against the profiles given now."""
    try:
        measured = json.loads(pathlib.Path(args.measured).read_text())
        rows, header = measured["rows"], measured["header"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"torch_compare: {args.measured}: not a torch_compare.json ({error})", file=sys.stderr)
        return 2
    profiles = {p: load_profile(path, p) for p, path in args.profiles.items()}
    header = [h for h in header if " profile: " not in h]
    for precision, profile in profiles.items():
        if profile:
            header.append(f"{precision} profile: {profile['path']} ({profile['device']})")
    for row in rows:
        row["note"] = "; ".join(n for n in str(row.get("note", "")).split("; ")
                                if n and n != "not in the profile at this SM count")
        fill_sgprs(row, profiles)
    write_outputs(pathlib.Path(args.out), rows, header, with_json=False)
    log(f"wrote {args.out}/torch_compare.csv and .md from {args.measured} ({len(rows)} rows)")
    return 0


def main():
    args = parse_args()
    if args.measured:
        return compare_measured(args)
    try:
        import torch
        import torchvision
    except ImportError as error:
        print(f"torch_compare: PyTorch and torchvision are needed ({error})", file=sys.stderr)
        return 4
    if not torch.cuda.is_available():
        print("torch_compare: no CUDA GPU visible to PyTorch", file=sys.stderr)
        return 3
    out = pathlib.Path(args.out)
    device = torch.cuda.get_device_properties(0)
    total_sms = device.multi_processor_count
    profiles = {p: load_profile(path, p) for p, path in args.profiles.items()}
    torch.zeros(1, device="cuda")  # the primary context exists before any green context (cuGreenCtxCreate's advice)
    green, how = make_green(torch, args.green)
    log(f"{device.name}, {total_sms} SMs, torch {torch.__version__}, torchvision {torchvision.__version__}, "
        f"cuDNN {torch.backends.cudnn.version()}; {how}")
    header = [f"GPU: {device.name} ({total_sms} SMs); PyTorch {torch.__version__}, torchvision {torchvision.__version__}, "
              f"CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
              f"Partitions: {how}; {total_sms} SMs = plain stream on the whole GPU",
              f"PyTorch time: median of {args.replays} CUDA-graph replays of one inference (CUDA events), random weights, "
              "cudnn.benchmark off",
              "sgprs time: sum of the profile's stage medians (isolated) at that SM count"]
    for precision, profile in profiles.items():
        if profile:
            header.append(f"{precision} profile: {profile['path']} ({profile['device']})")

    streams = {}
    for sms in args.sms:
        if sms >= total_sms:
            streams[sms] = (torch.cuda.Stream(), "whole GPU")
        elif green is None:
            continue
        else:
            try:
                streams[sms] = (green.stream(sms), f"green {sms} SMs")
            except Exception as error:  # noqa: BLE001
                log(f"no partition of {sms} SMs: {error}")
    rows = []
    started = time.time()
    for precision in args.precisions:
        set_precision(torch, precision)
        for name in args.models:
            try:
                model, x = build_model(torch, torchvision, name, precision)
            except Exception as error:  # noqa: BLE001
                log(f"{name} {precision}: could not build ({error})")
                continue
            for sms in args.sms:
                row = dict.fromkeys(FIELDS, "")
                row.update(model=name, precision=precision, sms=sms, replays=args.replays)
                if sms not in streams:
                    row.update(partition="none", note="no green context: not measured")
                    rows.append(row)
                    continue
                stream, label = streams[sms]
                row["partition"] = label
                try:
                    median, p5, p95 = time_inference(torch, model, x, stream, args.replays)
                    row.update(torch_us=round(median, 1), torch_p5_us=round(p5, 1), torch_p95_us=round(p95, 1))
                except Exception as error:  # noqa: BLE001 (a partition a library cannot run on)
                    row["note"] = f"PyTorch failed: {str(error).splitlines()[0][:120]}"
                    torch.cuda.synchronize()
                fill_sgprs(row, profiles)
                rows.append(row)
                log(f"{name} {precision} {sms:3d} SMs: torch {row['torch_us']} us, sgprs {row['sgprs_us']} us, "
                    f"ratio {row['sgprs_over_torch']} ({time.time() - started:.0f} s)")
                write_outputs(out, rows, header)
            del model, x
            torch.cuda.empty_cache()
    write_outputs(out, rows, header)
    log(f"wrote {out / 'torch_compare.csv'} and {out / 'torch_compare.md'} ({len(rows)} rows, "
        f"{time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
