#!/usr/bin/env bash
# Deadlines live on the GPU, sgprs next to PyTorch in one GPU call: where does each scheduler stop
# being miss-free? Parts (PARTS, comma-separated, default all):
#   tests     the op library's concurrent-replay test, the live device's GPU tests and `sgprs live`'s GPU
#             tests (a real injected fault, SIGTERM at seeded moments, another GPU's profile refused)
#   hang      the mixed task set at twice its counts under sgprs (as published and tuned), the runs
#             that never finished on 2026-12-02, with a 5-s stall watchdog
#   r18       periodic ResNet-18 at 30 Hz (D = T), N = 180..270: sgprs streams-32, sgprs-best, and
#             PyTorch with CUDA graphs on 16 and 32 streams (tools/torch_periodic.py)
#   families  each mixed family of FAMILIES (default "tight camera heavy deadlines") at rising load
#             scales, as fractions of the throughput bound's largest scale, under streams-32,
#             streams-32 with deadline-monotonic priorities, and sgprs-best (layout full); each
#             scheduler stops at its first scale with more than 1% misses (SCHEDULERS picks them;
#             also streams16 and streams16-dm: 16 streams; streams16-dm-qoff and streams32-dm-qoff: DM with
#             stream_queue=off (a job launched when its stream's previous one was noticed); sgprs-best-eq4: sgprs-best on equal:4:1.0x, sgprs-best-pieces and sgprs-best-whole-pieces: on
#             layout `pieces`, stage units or whole jobs; sgprs-best-mold, sgprs-best-mold-paced, sgprs-best-mold-slot:
#             moldable blocks of pieces on full, need from the profile or at the pace, or drop_hopeless=slot;
#             sgprs-best-mold-chain, sgprs-best-mold-paced-chain: the same with chain=slack;
#             sgprs-best-mold-pm-chain: block_need=paced-model and chain=slack;
#             FAMILY_FRACTIONS replaces every scheduler's
#             loads, BOUNDS="tight=1.2 camera=..." the bounds measured with the shipped profile, STOP_MISS the
#             miss ratio past which a scheduler stops, default 0.01)
#   piececheck one model (PIECE_MODEL, default inception_v3) alone on each green-context piece (PIECES, default
#             0..14: a layout of that one piece, 2 tasks at 20 Hz, 1 s), then 15 tasks on `pieces` under `static`:
#             where does a stage stall (3-s watchdog)?
#   models    each shipped model alone (4 tasks at 10 Hz) under sgprs-best, stage by stage, on full and
#             equal:2:1.0x: which model's set-up stops (5-s step watchdog)
#   r18noevents sgprs-best on ResNet-18, N = 180 and 210, without the event log
#   r18layouts sgprs-best on ResNet-18 at 30 Hz, N = 180 and 210, on equal:2:1.0x and equal:4:1.0x
#   contexts  closed-loop ResNet-18 (16 tasks back to back): `streams` (one whole-GPU green context per
#             stream) against `naive` on `full` (one green context, one stream per task), then periodic
#             ResNet-18 at 30 Hz, N = 210 and 240, the same two ways: does a context per stream cost throughput?
#   stamps    ResNet-18 at 30 Hz, N = 210 and 240, sgprs-best and streams-32 with each stage's events recorded
#             on the stream around its graph launch (three CUDA calls) and inside the graph (one): --stamps
#   queue     a busy stream's job put on the stream at once (`streams` option stream_queue=on, the default, as
#             PyTorch does) or launched when the stream's previous job was noticed (off), alternating: closed
#             loop with 16 and 32 ResNet-18 tasks on 16 streams, then periodic ResNet-18 at 30 Hz, N = 210 and
#             240, on 32 streams, twice; PyTorch with 32 streams at the same N in the same call
#   engines   where `streams` loses GPU time against PyTorch: closed loop, 32 ResNet-18 tasks queued on 16
#             streams, and periodic N = 240 on 32 streams, with cuDNN's backend API (the default) and its
#             legacy API (SGPRS_CUDNN_API=legacy); run it again with SGPRS_CUDNN=wheel BUILD=<another folder>
#             to build against PyTorch's own cuDNN
#   launchers graph launches on launcher threads (--launch-threads 0, 1, 2) instead of the control thread:
#             ResNet-18 at 30 Hz under sgprs-best (N = 180, 210) and streams-32 (N = 210), then sgprs-best with
#             16-SM slots on each mixed family at the load where it missed in the fifth session (0.8 of the bound)
#   opstests  the op library's GPU tests (every op against its CPU reference)
#   devicetests the live device's GPU suite and `sgprs live`'s GPU tests only
#   stampsmixed sgprs-best with 16-SM slots on each mixed family at 0.8 of the bound, launches on 2 launcher
#             threads, each stage's events on the stream (--stamps stream) and inside its graph (graph)
#   kernels   every kernel of one inference of each torchvision-equivalent model (KERNEL_MODELS), sgprs's op
#             library (`sgprs profile --kernel-report`, PRECISIONS default "tf32 fp16 fp32", 8 and 132 SMs) next
#             to PyTorch's (tools/torch_kernels.py, measured beside the build): name, GPU time, grid, block;
#             then each model's whole time against PyTorch's at KERNEL_SMS (default 8,16,32,64,132): isolated
#             profiles at those counts and tools/torch_compare.py (PyTorch measured beside the build too);
#             KERNEL_VARIANTS="base SGPRS_CONV1X1=gemm" measures sgprs's side again under each VAR=value
#   overload  ResNet-18 at 30 Hz around and past the edge (OVERLOAD_N, default 195 200 205 210 240): streams-32,
#             sgprs-best as preset (drop_hopeless=on), with drop_hopeless=slot, and with slot at 6 and 4 SMs per
#             slot (OVERLOAD_RUNS picks: streams32 best-on best-slot best-slot-sN, and on layout `pieces`, one
#             partition per green-context piece: best-pieces, best-whole-pieces with units=whole; on `full`,
#             whole jobs with N-SM slots and drop_hopeless=slot: best-whole-sN, or with K slots: best-whole-mK; moldable
#             blocks on full: best-mold, and with drop_hopeless=slot: best-mold-slot; a suffix -ltK runs it with K
#             launcher threads, e.g. best-slot-lt2 (without one: sgprs live's default, 2 for stage units), and a last suffix -rK names a repeated round); PyTorch with 32 streams at
#             the same N in the same call (NO_TORCH=1 leaves PyTorch out); event logs kept only for N = 210
#             (OVERLOAD_EVENTS_N)
#   setup     240 ResNet-18 tasks at 30 Hz on equal:3:1.0x (3 partitions), 1-s runs under sgprs-best and sgprs:
#             the live mode's set-up time (pool, buffers, graphs) as the live-mode issue words its target
#   torch     PyTorch on TORCH_FAMILIES (default: those it can run, tight and deadlines; no UNet in torchvision), 32
#             streams, with and without deadline-monotonic priorities, same task-set files
#
#   LIVE_ARGS: more flags for every `sgprs live` run, e.g. LIVE_ARGS="--completion flags"
#   OVERLOAD_RUNS entries take suffixes: -sp<US> (--spin-us), -rt<P> (the control thread under SCHED_FIFO
#   priority P), -lt<K> (K launcher threads), -r<R> (a further round under its own folder name), in that
#   order from the end, e.g. streams32-sp1000-rt50-r2
#   RUN_TIMEOUT (default 45): wall seconds one run may take, set-up included; ARCHIVE_MIB (default 15): the
#   largest policy-runs.tar.xz, beyond which the event logs of the latest runs are left out, one by one
#   OUT=... tools/gpu_policy_session.sh                       on the GPU machine (builds sgprs with CUDA)
#   OUT=... FAKE=1 SGPRS=build/sgprs PARTS=hang,r18,families tools/gpu_policy_session.sh   here, fake device
#
# Writes under $OUT: session.log, runs.jsonl (every summary.json on a line, named), torch-*.json,
# tests.log, and policy-runs.tar.xz (each run's folder: summary.json, events.jsonl, stdout.txt,
# taskset.json; validation-gpu-times/: each run's validations), validation-gpu-times.md (every run with
# an event log validated three ways: its profile's times, cold L2, co-run; NO_GPU_TIMES=1 skips it) and
# corun-stages.csv.gz (the moldable-block runs' stage times, tools/corun_profile.py extract). Starts no run when less than 15 s of $BUDGET (default 540) is left.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$root/out}"
mkdir -p "$out"
runs="$(mktemp -d)"
budget="${BUDGET:-540}"
run_s="${RUN_SECONDS:-2}"
run_cap="${RUN_TIMEOUT:-45}"  # wall seconds one run may take, set-up included (moldable blocks: 1-2 ms a graph)
parts=",${PARTS:-tests,hang,models,r18,r18layouts,families,torch},"
families="${FAMILIES:-tight camera heavy deadlines}"
started=$SECONDS
log() { echo "[gpu_policy_session $(date -u +%H:%M:%S) +$((SECONDS - started))s] $*" | tee -a "$out/session.log" >&2; }
left() { echo $((budget - (SECONDS - started))); }
want() { [[ "$parts" == *",$1,"* ]]; }

kernel_models="${KERNEL_MODELS:-resnet18,resnet50,mobilenet_v2,inception_v3,vit_b16}"
precisions="${PRECISIONS:-tf32 fp16 fp32}"
torch_kernels_pid=""
if want kernels && [[ -z "${FAKE:-}" ]]; then  # PyTorch's side needs no build: beside it, on the idle GPU
  kernel_sms="${KERNEL_SMS:-8,16,32,64,132}"
  (cd "$root" && timeout 150 python3 tools/torch_kernels.py --models "$kernel_models" \
    --precisions "$(echo $precisions | tr ' ' ',')" --sms 8,132 --out "$runs/torch-kernels.json";
   timeout 200 python3 tools/torch_compare.py --models "$kernel_models" --precisions "$(echo $precisions | tr ' ' ',')" \
    --sms "$kernel_sms" --out "$runs/torch-compare") > "$runs/torch-kernels.log" 2>&1 &
  torch_kernels_pid=$!
fi

device=()
if [[ -n "${FAKE:-}" ]]; then
  sgprs="${SGPRS:-$root/build/sgprs}"
  device=(--fake-device)
else
  source "$root/tools/gpu_build_env.sh"
  build="${BUILD:-/tmp/sgprs-build-policy}"
  configure_sgprs "$build" > "$runs/build.log" 2>&1
  targets=(sgprs)
  want tests && targets+=(sgprs_ops_test sgprs_live_device_test sgprs_live_cli_tests)
  want devicetests && targets+=(sgprs_live_device_test sgprs_live_cli_tests)
  want opstests && targets+=(sgprs_ops_test)
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >> "$runs/build.log" 2>&1 \
    || { log "BUILD FAILED"; tail -40 "$runs/build.log" >> "$out/session.log"; exit 1; }
  sgprs="$build/sgprs"
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,power.draw --format=csv >> "$out/session.log" 2>&1
  log "built in $((SECONDS - started)) s"
  # The host the live runs share: CPUs, their quota and the real-time budget (a late release may be the host's).
  { echo "host: $(nproc) CPUs usable, $(grep -c ^processor /proc/cpuinfo) online, $(grep -m1 'model name' /proc/cpuinfo)"
    echo "host: cgroup cpu.max $(cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo none), sched_rt_runtime_us" \
      "$(cat /proc/sys/kernel/sched_rt_runtime_us 2>/dev/null), load $(cat /proc/loadavg)"
    echo "host: $(head -1 /proc/stat)"; } >> "$out/session.log" 2>&1
fi
: > "$out/runs.jsonl"

if want devicetests && [[ -z "${FAKE:-}" ]]; then  # the live device's suite alone
  (cd "$root" && timeout 120 "$(find "$build" -name sgprs_live_device_test -type f | head -1)";
   timeout 150 "$(find "$build" -name sgprs_live_cli_tests -type f | head -1)" --gtest_filter='LiveGpuCli.*') \
    > "$out/tests.log" 2>&1
  log "live device and CLI GPU tests exited $?: $(grep -E '^\[  (PASSED|FAILED)' "$out/tests.log" | tr '\n' ' ')"
fi

if want kernels && [[ -z "${FAKE:-}" ]]; then
  if [[ -n "$torch_kernels_pid" ]]; then
    wait "$torch_kernels_pid"
    log "torch kernels exited $?: $(grep -c 'kernels,' "$runs/torch-kernels.log") points"
  fi
  for variant in ${KERNEL_VARIANTS:-base}; do  # base, or VAR=value: the op library's sgprs side again under it
    tag=""; env_args=()
    [[ "$variant" != base ]] && { tag="-$(echo "${variant#*=}" | tr -c 'a-zA-Z0-9\n' _)"; env_args=("$variant"); }
    compare_args=(); kernel_files=()
    for p in $precisions; do
      (cd "$root" && env "${env_args[@]}" timeout 120 "$sgprs" profile --models "$kernel_models" --ops none \
        --precision "$p" --sms "$kernel_sms" --no-occupied --quiet --kernel-report "$runs/sgprs-kernels-$p$tag.json" \
        --out "$runs/profile-$p$tag.json") > "$runs/profile-$p$tag.log" 2>&1
      log "sgprs profile and kernels $p ${env_args[*]} exited $?"
      [[ -f "$runs/profile-$p$tag.json" ]] && compare_args+=(--profile "$p=$runs/profile-$p$tag.json")
      [[ -f "$runs/sgprs-kernels-$p$tag.json" ]] && kernel_files+=("$runs/sgprs-kernels-$p$tag.json")
    done
    (cd "$root" && python3 tools/torch_compare.py --measured "$runs/torch-compare/torch_compare.json" "${compare_args[@]}" \
      --out "$runs/compare$tag" && python3 tools/compare_kernels.py --sgprs "${kernel_files[@]}" \
      --torch "$runs/torch-kernels.json" > "$runs/compare$tag/kernels.md") >> "$runs/torch-kernels.log" 2>&1
    log "comparison ${env_args[*]} exited $?"
    cp "$runs/compare$tag/torch_compare.md" "$out/torch-compare$tag.md" 2>/dev/null
    cp "$runs/compare$tag/kernels.md" "$out/kernels$tag.md" 2>/dev/null
  done
  (cd "$runs" && tar -cf - sgprs-kernels-*.json torch-kernels.json profile-*.json torch-compare compare* torch-kernels.log \
    | xz -6 -T0 > "$out/kernels.tar.xz")
  rm -f "$runs"/sgprs-kernels-*.json "$runs/torch-kernels.json"
fi

if want opstests && [[ -z "${FAKE:-}" ]]; then  # every op against its CPU reference, on the GPU
  (cd "$root" && timeout 200 "$(find "$build" -name sgprs_ops_test -type f | head -1)") > "$out/opstests.log" 2>&1
  log "op library GPU tests exited $?: $(grep -E '^\[  (PASSED|FAILED)' "$out/opstests.log" | tr '\n' ' ')"
fi

if want tests && [[ -z "${FAKE:-}" ]]; then
  ops_test="$(find "$build" -name sgprs_ops_test -type f | head -1)"
  live_test="$(find "$build" -name sgprs_live_device_test -type f | head -1)"
  cli_test="$(find "$build" -name sgprs_live_cli_tests -type f | head -1)"
  (cd "$root" && timeout 120 "$ops_test" --gtest_filter='*ConcurrentReplay*:*SharingWeights*'; timeout 120 "$live_test";
   timeout 150 "$cli_test" --gtest_filter='LiveGpuCli.*') > "$out/tests.log" 2>&1
  log "GPU tests exited $?: $(grep -E '^\[  (PASSED|FAILED)' "$out/tests.log" | tr '\n' ' ')"
fi

source "$root/tools/host_note.sh"
# live NAME SECONDS TASKSET LAYOUT ARGS...: one run into $runs/NAME; prints its miss ratio.
live() {
  local name="$1" seconds="$2" taskset="$3" layout="$4"
  shift 4
  if (( $(left) < 15 )); then log "skipped $name: $(left) s left"; echo 1; return; fi
  local dir="$runs/$name"
  mkdir -p "$dir"
  cp "$taskset" "$dir/taskset.json"
  (cd "$root" && timeout -k 5 $(( $(left) < run_cap ? $(left) : run_cap )) "$sgprs" live "${device[@]}" --taskset "$taskset" \
      --layout "$layout" --duration "$seconds" --quiet --out "$dir" "$@" ${LIVE_ARGS:-}) > "$dir/stdout.txt" 2>&1
  local status=$?
  log "$name exited $status: $(grep -E '^total' "$dir/stdout.txt" | sed 's/.*aborted; //')$(host_note "$dir")"
  [[ $status != 0 ]] && tail -3 "$dir/stdout.txt" >> "$out/session.log"
  rm -f "$dir/timeline.json"  # `sgprs validate` rebuilds it from events.jsonl
  if [[ -f "$dir/summary.json" ]]; then
    python3 -c "
import json; d = json.load(open('$dir/summary.json')); d['run'] = '$name'; print(json.dumps(d))" >> "$out/runs.jsonl"
    python3 -c "import json; print(json.load(open('$dir/summary.json'))['miss_ratio'])" 2>/dev/null || echo 1
  else
    echo 1
  fi
}

inputs="$runs/inputs"
mkdir -p "$inputs"
scaled() {  # BASE SCALE FILE: every count of BASE times SCALE, rounded as sgprs's scaled generator does
  python3 -c "
import json, math; d = json.load(open('$1')); k = $2
for t in d['tasks']: t['count'] = int(math.floor(t['count'] * k + 0.5))
d['tasks'] = [t for t in d['tasks'] if t['count'] > 0]
d['name'] += '-x%g' % k; json.dump(d, open('$3', 'w'), indent=1)"
}
resnet18_tasks() {  # N RATE_HZ FILE
  echo "{\"schema\": \"sgprs.taskset/1\", \"name\": \"resnet18-$2hz-$1\", \"tasks\": [{\"name\": \"r\", \"model\": \"resnet18\", \"rate_hz\": $2, \"offset_ns\": \"random\", \"count\": $1}]}" > "$3"
}
over() { python3 -c "import sys; sys.exit(0 if float('$1') > $2 else 1)"; }

best=(--scheduler sgprs-best)
declare -A bound=([tight]=1.001 [camera]=1.151 [heavy]=1.256 [deadlines]=3.31)
for pair in ${BOUNDS:-}; do bound[${pair%%=*}]=${pair#*=}; done  # e.g. BOUNDS="tight=1.2": another profile's bounds
if want hang; then
  scaled "$root/traces/tasksets/mixed-deadlines.json" 2 "$inputs/mix2.json"
  live hang-mix2-sgprs-paper "$run_s" "$inputs/mix2.json" equal:2:1.0x --scheduler sgprs --stall-timeout 5 > /dev/null
  live hang-mix2-sgprs-tuned "$run_s" "$inputs/mix2.json" equal:2:1.0x --scheduler sgprs --max-parallel 8 \
    --waiting-order edf --completion-estimate parallel --overrun skip-late --stall-timeout 5 > /dev/null
  live hang-mix2-sgprs-best "$run_s" "$inputs/mix2.json" full "${best[@]}" --stall-timeout 5 > /dev/null
fi

if want piececheck; then  # does one model run on each green-context piece alone, and on all at once?
  pmodel="${PIECE_MODEL:-inception_v3}"
  echo "{\"schema\": \"sgprs.taskset/1\", \"name\": \"$pmodel-2\", \"tasks\": [{\"name\": \"m\", \"model\": \"$pmodel\", \"rate_hz\": 20, \"offset_ns\": \"random\", \"count\": 2}]}" > "$inputs/piece-tasks.json"
  for i in ${PIECES:-0 1 2 3 4 5 6 7 8 9 10 11 12 13 14}; do
    echo "{\"schema\": \"sgprs.layout/1\", \"name\": \"piece-$i\", \"max_parallel\": 1, \"partitions\": [{\"name\": \"piece$i\", \"pieces\": [$i]}]}" > "$inputs/piece-$i.json"
    live "piece-$i-$pmodel" 1 "$inputs/piece-tasks.json" "$inputs/piece-$i.json" "${best[@]}" --stall-timeout 3 > /dev/null
  done
  echo "{\"schema\": \"sgprs.taskset/1\", \"name\": \"$pmodel-15\", \"tasks\": [{\"name\": \"m\", \"model\": \"$pmodel\", \"rate_hz\": 20, \"offset_ns\": \"random\", \"count\": 15}]}" > "$inputs/pieces-tasks.json"
  live "pieces-all-$pmodel" 2 "$inputs/pieces-tasks.json" pieces --scheduler static --stall-timeout 3 > /dev/null
fi

if want models; then  # each model alone, stage by stage (where the mixed set's set-up stopped)
  for m in resnet18 mobilenet_v2 resnet50 inception_v3 vit_b16 unet; do
    echo "{\"schema\": \"sgprs.taskset/1\", \"name\": \"$m-4\", \"tasks\": [{\"name\": \"t\", \"model\": \"$m\", \"rate_hz\": 10, \"offset_ns\": \"random\", \"count\": 4}]}" > "$inputs/$m-4.json"
    for layout in full equal:2:1.0x; do
      live "model-$m-${layout%%:*}-sgprs-best" 0.5 "$inputs/$m-4.json" "$layout" "${best[@]}" --stall-timeout 5 > /dev/null
      grep -h "GPU error" "$runs/model-$m-${layout%%:*}-sgprs-best/stdout.txt" >> "$out/session.log"
    done
  done
fi

if want r18layouts; then  # sgprs-best on disjoint partitions instead of one shared whole GPU
  for n in 180 210; do resnet18_tasks "$n" 30 "$inputs/r18-$n.json"; done
  for layout in equal:2:1.0x equal:4:1.0x; do
    for n in 180 210; do
      live "r18-$n-sgprs-best-${layout//:/_}" "$run_s" "$inputs/r18-$n.json" "$layout" "${best[@]}" --stall-timeout 5 > /dev/null
    done
  done
fi

if want r18noevents; then  # does writing the event log weigh on sgprs-best's control thread?
  for n in 180 210; do
    resnet18_tasks "$n" 30 "$inputs/r18-$n.json"
    live "r18-$n-sgprs-best-noevents" "$run_s" "$inputs/r18-$n.json" full "${best[@]}" --no-events > /dev/null
  done
fi

if want r18; then
  for n in 180 210 240 270; do resnet18_tasks "$n" 30 "$inputs/r18-$n.json"; done
  for n in 180 210 240 270; do
    live "r18-$n-streams32" "$run_s" "$inputs/r18-$n.json" full --scheduler streams --streams 32 > /dev/null
    live "r18-$n-sgprs-best" "$run_s" "$inputs/r18-$n.json" full "${best[@]}" > /dev/null
  done
  if [[ -z "${FAKE:-}" ]] && (( $(left) > 60 )); then
    for s in 16 32; do
      (cd "$root" && timeout 60 python3 tools/torch_periodic.py --tasks 180 210 240 270 --rate 30 --streams "$s" \
        --seconds "$run_s" --precision tf32 --out "$out/torch-r18-streams$s.json") >> "$out/session.log" 2>&1
    done
  fi
fi

if want setup; then  # the live-mode issue's set-up target, as worded: 240 ResNet-18 tasks on 3 partitions
  resnet18_tasks 240 30 "$inputs/r18-240.json"
  for sched in sgprs-best sgprs; do
    r=$(live "setup-240-eq3-$sched" 1 "$inputs/r18-240.json" equal:3:1.0x --scheduler "$sched" --stall-timeout 5)
    [[ -f "$runs/setup-240-eq3-$sched/summary.json" ]] && log "setup-240-eq3-$sched: $(python3 -c "
import json; l = json.load(open('$runs/setup-240-eq3-$sched/summary.json'))['live']
print('set-up %.2f s, %d graphs, %.1f GiB; %s' % (l['setup_s'], l['graphs'], l['gpu_memory_bytes'] / 2**30, l['notes']))")"
  done
fi

if want overload; then  # past the edge: which runs keep the GPU's throughput, which collapse?
  overload_n="${OVERLOAD_N:-195 200 205 210 240}"
  for n in $overload_n; do
    resnet18_tasks "$n" 30 "$inputs/r18-$n.json"
    for which in ${OVERLOAD_RUNS:-streams32 best-on best-slot best-slot-s6 best-slot-s4}; do
      layout=full extra=()
      base="$which"
      if [[ "$base" =~ ^(.*)-r[0-9]+$ ]]; then  # e.g. streams32-r2: a second round under its own name
        base="${BASH_REMATCH[1]}"
      fi
      if [[ "$base" =~ ^(.*)-lt([0-9]+)$ ]]; then  # e.g. best-slot-lt2: the same run with 2 launcher threads
        base="${BASH_REMATCH[1]}" extra=(--launch-threads "${BASH_REMATCH[2]}")
      fi
      if [[ "$base" =~ ^(.*)-rt([0-9]+)$ ]]; then  # e.g. streams32-rt50: the control thread under SCHED_FIFO 50
        base="${BASH_REMATCH[1]}" extra+=(--realtime-priority "${BASH_REMATCH[2]}")
      fi
      if [[ "$base" =~ ^(.*)-sp([0-9]+)$ ]]; then  # e.g. streams32-sp1000000: --spin-us 1000000 (never sleeps)
        base="${BASH_REMATCH[1]}" extra+=(--spin-us "${BASH_REMATCH[2]}")
      fi
      case "$base" in
        streams32) args=(--scheduler streams --streams 32) ;;
        best-on) args=(--scheduler sgprs-best) ;;
        best-slot) args=(--scheduler sgprs-best --option drop_hopeless=slot) ;;
        best-slot-s*) args=(--scheduler sgprs-best --option drop_hopeless=slot --option "slot_sms=${base#best-slot-s}") ;;
        best-whole-s*) args=(--scheduler sgprs-best --option drop_hopeless=slot --option units=whole
                             --option "slot_sms=${base#best-whole-s}") ;;
        best-whole-m*) args=(--scheduler sgprs-best --option drop_hopeless=slot --option units=whole --option slot_sms=layout
                             --max-parallel "${base#best-whole-m}") ;;
        best-pieces) layout=pieces; args=(--scheduler sgprs-best) ;;
        best-whole-pieces) layout=pieces; args=(--scheduler sgprs-best --option units=whole) ;;
        best-mold) args=(--scheduler sgprs-best --option slot_sms=moldable) ;;
        best-mold-slot) args=(--scheduler sgprs-best --option slot_sms=moldable --option drop_hopeless=slot) ;;
        *) log "unknown OVERLOAD_RUNS entry $which"; continue ;;
      esac
      live "r18-$n-$which" "$run_s" "$inputs/r18-$n.json" "$layout" "${args[@]}" "${extra[@]}" > /dev/null
    done
    [[ " ${OVERLOAD_EVENTS_N:-210} " == *" $n "* ]] || rm -f "$runs"/r18-"$n"-*/events.jsonl  # archive under 16 MB
  done
  if [[ -z "${FAKE:-}" && -z "${NO_TORCH:-}" ]] && (( $(left) > 40 )); then
    (cd "$root" && timeout $(( $(left) - 10 )) python3 tools/torch_periodic.py --tasks $overload_n --rate 30 --streams 32 \
      --seconds "$run_s" --precision tf32 --out "$out/torch-r18-overload.json") >> "$out/session.log" 2>&1
    log "torch r18 overload exited $?"
  fi
fi

if want contexts; then  # a green context per stream (streams) or one context for every stream (naive on full)
  closed=(--overrun release-late --allow-deadline-over-period)
  resnet18_tasks 16 10000 "$inputs/closed16.json"
  live closed16-streams16 1 "$inputs/closed16.json" full --scheduler streams --streams 16 "${closed[@]}" > /dev/null
  live closed16-naive-full 1 "$inputs/closed16.json" full --scheduler naive "${closed[@]}" > /dev/null
  for n in 210 240; do
    resnet18_tasks "$n" 30 "$inputs/r18-$n.json"
    live "r18-$n-naive-full" "$run_s" "$inputs/r18-$n.json" full --scheduler naive > /dev/null
    live "r18-$n-streams32" "$run_s" "$inputs/r18-$n.json" full --scheduler streams --streams 32 > /dev/null
  done
  if [[ -z "${FAKE:-}" ]] && (( $(left) > 60 )); then  # PyTorch beside them, in the same call
    (cd "$root" && timeout 60 python3 tools/torch_periodic.py --tasks 210 240 --rate 30 --streams 32 \
      --seconds "$run_s" --precision tf32 --out "$out/torch-r18-streams32.json") >> "$out/session.log" 2>&1
    log "torch r18 streams32 exited $?"
  fi
fi

if want queue; then  # does the host round trip between two jobs of a stream cost the gap to PyTorch?
  closed=(--overrun release-late --allow-deadline-over-period)
  for n in 16 32; do
    resnet18_tasks "$n" 10000 "$inputs/closed$n.json"
    for q in on off; do
      live "closed$n-streams16-queue-$q" 1 "$inputs/closed$n.json" full --scheduler streams --streams 16 "${closed[@]}" \
        --option stream_queue=$q > /dev/null
    done
  done
  for round in 1 2; do
    for n in 210 240; do
      resnet18_tasks "$n" 30 "$inputs/r18-$n.json"
      for q in on off; do
        live "r18-$n-streams32-queue-$q-$round" "$run_s" "$inputs/r18-$n.json" full --scheduler streams --streams 32 \
          --option stream_queue=$q > /dev/null
      done
    done
  done
  if [[ -z "${FAKE:-}" ]] && (( $(left) > 60 )); then  # PyTorch beside them, in the same call
    for buffers in stream task; do  # a graph and its memory per stream (PyTorch's way) or per task (sgprs's)
      (cd "$root" && timeout 90 python3 tools/torch_periodic.py --tasks 210 240 --rate 30 --streams 32 \
        --seconds "$run_s" --precision tf32 --buffers "$buffers" --out "$out/torch-r18-streams32-$buffers.json") \
        >> "$out/session.log" 2>&1
      log "torch r18 streams32 buffers $buffers exited $?"
    done
  fi
fi

if want engines; then  # the same runs with each cuDNN API; the build's cuDNN is in session.log's first line
  resnet18_tasks 32 10000 "$inputs/closed32.json"
  resnet18_tasks 240 30 "$inputs/r18-240.json"
  for api in backend legacy; do
    if [[ $api == legacy ]]; then export SGPRS_CUDNN_API=legacy; else unset SGPRS_CUDNN_API; fi
    for round in 1 2; do
      live "closed32-streams16-$api-$round" 1 "$inputs/closed32.json" full --scheduler streams --streams 16 \
        --overrun release-late --allow-deadline-over-period > /dev/null
      live "r18-240-streams32-$api-$round" "$run_s" "$inputs/r18-240.json" full --scheduler streams --streams 32 > /dev/null
    done
  done
  unset SGPRS_CUDNN_API
fi

if want launchers; then  # does the control thread's time per launch limit sgprs-best?
  for n in 180 210; do resnet18_tasks "$n" 30 "$inputs/r18-$n.json"; done
  for round in 1 2; do
    for threads in 0 1 2; do
      for n in 180 210; do
        live "r18-$n-sgprs-best-launchers$threads-$round" "$run_s" "$inputs/r18-$n.json" full "${best[@]}" \
          --launch-threads "$threads" > /dev/null
      done
      live "r18-210-streams32-launchers$threads-$round" "$run_s" "$inputs/r18-210.json" full --scheduler streams \
        --streams 32 --launch-threads "$threads" > /dev/null
    done
  done
  for f in tight camera heavy; do
    scale=$(python3 -c "print(round(0.8 * ${bound[$f]}, 3))")
    scaled "$root/traces/tasksets/mixed-$f.json" "$scale" "$inputs/$f-0.8.json"
    for threads in 0 2; do
      live "$f-0.8-sgprs-best-s16-launchers$threads" "$run_s" "$inputs/$f-0.8.json" full "${best[@]}" \
        --option slot_sms=16 --launch-threads "$threads" > /dev/null
    done
  done
fi

if want stampsmixed; then  # do event nodes inside stage graphs slow sgprs-best down?
  for f in tight camera heavy; do
    scale=$(python3 -c "print(round(0.8 * ${bound[$f]}, 3))")
    scaled "$root/traces/tasksets/mixed-$f.json" "$scale" "$inputs/$f-0.8.json"
    for st in stream graph; do
      live "$f-0.8-sgprs-best-s16-stamps-$st" "$run_s" "$inputs/$f-0.8.json" full "${best[@]}" --option slot_sms=16 \
        --launch-threads 2 --stamps "$st" > /dev/null
    done
  done
fi

if want stamps; then  # one CUDA call per launch instead of three: does sgprs-best's six launches per job get cheaper?
  for n in 210 240; do
    resnet18_tasks "$n" 30 "$inputs/r18-$n.json"
    for st in stream graph; do
      live "r18-$n-sgprs-best-stamps-$st" "$run_s" "$inputs/r18-$n.json" full "${best[@]}" --stamps "$st" > /dev/null
      live "r18-$n-streams32-stamps-$st" "$run_s" "$inputs/r18-$n.json" full --scheduler streams --streams 32 \
        --stamps "$st" > /dev/null
    done
  done
fi

if want families; then
  for f in $families; do
    base="$root/traces/tasksets/mixed-$f.json"
    for sched in ${SCHEDULERS:-streams32 streams32-dm sgprs-best}; do
      case "$sched" in
        streams32) args=(full --scheduler streams --streams 32); fractions="0.3 0.4 0.5 0.6 0.7 0.8" ;;
        streams32-dm) args=(full --scheduler streams --streams 32 --option stream_priorities=deadline-monotonic)
          fractions="0.3 0.4 0.5 0.6 0.7 0.8" ;;
        streams16) args=(full --scheduler streams --streams 16); fractions="0.3 0.4 0.5 0.6 0.7 0.8" ;;
        streams16-dm) args=(full --scheduler streams --streams 16 --option stream_priorities=deadline-monotonic)
          fractions="0.3 0.4 0.5 0.6 0.7 0.8" ;;
        streams16-dm-qoff) args=(full --scheduler streams --streams 16 --option stream_priorities=deadline-monotonic
          --option stream_queue=off); fractions="0.3 0.4 0.5 0.6 0.7 0.8" ;;
        streams32-dm-qoff) args=(full --scheduler streams --streams 32 --option stream_priorities=deadline-monotonic
          --option stream_queue=off); fractions="0.3 0.4 0.5 0.6 0.7 0.8" ;;
        sgprs-best) args=(full "${best[@]}" --stall-timeout 5); fractions="0.5 0.6 0.7 0.8 0.9 1.0" ;;
        sgprs-best-eq4) args=(equal:4:1.0x "${best[@]}" --stall-timeout 5); fractions="0.5 0.6 0.7 0.8 0.9 1.0" ;;
        sgprs-best-s16) args=(full "${best[@]}" --option slot_sms=16 --stall-timeout 5); fractions="${S16_FRACTIONS:-0.5 0.6 0.7 0.8 0.9}" ;;
        sgprs-best-slot) args=(full "${best[@]}" --option drop_hopeless=slot --stall-timeout 5); fractions="0.5 0.6 0.7 0.8 0.9" ;;
        sgprs-best-slot-s16) args=(full "${best[@]}" --option drop_hopeless=slot --option slot_sms=16 --stall-timeout 5)
          fractions="0.5 0.6 0.7 0.8 0.9" ;;
        sgprs-best-pieces) args=(pieces "${best[@]}" --stall-timeout 5); fractions="0.5 0.6 0.7 0.8 0.9" ;;
        sgprs-best-whole-pieces) args=(pieces "${best[@]}" --option units=whole --stall-timeout 5)
          fractions="0.5 0.6 0.7 0.8 0.9" ;;
        sgprs-best-mold) args=(full "${best[@]}" --option slot_sms=moldable --stall-timeout 5)
          fractions="0.6 0.7 0.8 0.9" ;;
        sgprs-best-mold-paced) args=(full "${best[@]}" --option slot_sms=moldable --option block_need=paced
          --stall-timeout 5); fractions="0.6 0.7 0.8 0.9" ;;
        sgprs-best-mold-slot) args=(full "${best[@]}" --option slot_sms=moldable --option drop_hopeless=slot
          --stall-timeout 5); fractions="0.6 0.7 0.8 0.9" ;;
        sgprs-best-mold-chain) args=(full "${best[@]}" --option slot_sms=moldable --option chain=slack
          --stall-timeout 5); fractions="0.6 0.7 0.8 0.9" ;;
        sgprs-best-mold-paced-chain) args=(full "${best[@]}" --option slot_sms=moldable --option block_need=paced
          --option chain=slack --stall-timeout 5); fractions="0.6 0.7 0.8 0.9" ;;
        sgprs-best-mold-pm-chain) args=(full "${best[@]}" --option slot_sms=moldable --option block_need=paced-model
          --option chain=slack --stall-timeout 5); fractions="0.6 0.7 0.8 0.9" ;;
        *) log "unknown SCHEDULERS entry $sched"; continue ;;
      esac
      for frac in ${FAMILY_FRACTIONS:-$fractions}; do
        scale=$(python3 -c "print(round($frac * ${bound[$f]}, 3))")
        file="$inputs/$f-$frac.json"
        [[ -f "$file" ]] || scaled "$base" "$scale" "$file"
        miss=$(live "$f-$frac-$sched" "$run_s" "$file" "${args[@]}" | tail -1)
        over "$miss" "${STOP_MISS:-0.01}" && break
      done
    done
  done
fi

if want torch && [[ -z "${FAKE:-}" ]]; then
  for f in ${TORCH_FAMILIES:-tight deadlines}; do
    files=()
    for frac in 0.3 0.4 0.5 0.6 0.7 0.8; do
      scale=$(python3 -c "print(round($frac * ${bound[$f]}, 3))")
      [[ -f "$inputs/$f-$frac.json" ]] || scaled "$root/traces/tasksets/mixed-$f.json" "$scale" "$inputs/$f-$frac.json"
      files+=("$inputs/$f-$frac.json")
    done
    for pr in none dm; do
      (( $(left) < 40 )) && { log "skipped torch $f $pr: $(left) s left"; continue; }
      (cd "$root" && timeout $(( $(left) - 10 )) python3 tools/torch_periodic.py --tasksets "${files[@]}" --streams 32 \
        --priorities "$pr" --seconds "$run_s" --precision tf32 --out "$out/torch-$f-streams32-$pr.json") \
        >> "$out/session.log" 2>&1
      log "torch $f streams32 $pr exited $?"
    done
  done
fi

# What the validations need from the event logs, kept small in case the logs do not fit the archive:
# every run validated with its profile's times, the cold-L2 ones and the co-run ones
# (docs/validation.md, "Co-run stage times"), and the stage times of the runs on moldable blocks,
# the co-run fit's input (tools/corun_profile.py extract).
if [[ -z "${NO_GPU_TIMES:-}" ]] && (( $(left) < 30 )); then
  log "skipped the validations: $(left) s left (each takes 1-5 s a CPU)"
elif [[ -z "${NO_GPU_TIMES:-}" ]]; then
  logged=()
  for run in "$runs"/*/; do [[ -f "$run/events.jsonl" && -f "$run/summary.json" ]] && logged+=("${run%/}"); done
  if (( ${#logged[@]} > 0 )); then
    (cd "$root" && python3 tools/validate_gpu_times.py --sgprs "$sgprs" --out "$out/validation-gpu-times.md" \
      --keep "$runs/validation-gpu-times" --model run=run --model l2cold=traces/profiles/h200-tf32.l2cold.json \
      --model corun=traces/profiles/h200-tf32.corun.json "${logged[@]}") >> "$out/session.log" 2>&1 ||
      log "validate_gpu_times.py exited $? (session.log says why)"
    molds=()
    for run in "${logged[@]}"; do [[ "$run" == *-mold* ]] && molds+=("$run"); done
    if (( ${#molds[@]} > 0 )); then
      (cd "$root" && python3 tools/corun_profile.py extract --profile traces/profiles/h200-tf32.json "${molds[@]}" \
        --out "$out/corun-stages.csv.gz") >> "$out/session.log" 2>&1 || log "corun_profile.py extract exited $?"
    fi
  fi
fi

(cd "$runs" && tar -cf - --exclude=build.log . | xz -6 -T0 > "$out/policy-runs.tar.xz")
archive_mib="${ARCHIVE_MIB:-15}"  # a file over 16 MiB does not come back from the device
if (( $(stat -c %s "$out/policy-runs.tar.xz") > archive_mib * 1024 * 1024 )); then
  # Keep the event logs of the runs in the order they ran while their compressed sizes fit in 80%
  # (`sgprs validate` needs them; summaries say less about where host time went); leave out the rest.
  kept=0 left_out=()
  while IFS= read -r events; do
    size=$(xz -6 -T0 -c "$events" | wc -c)
    if (( kept + size < archive_mib * 1024 * 1024 * 4 / 5 )); then kept=$((kept + size)); else left_out+=("--exclude=./${events#"$runs"/}"); fi
  done < <(ls -tr "$runs"/*/events.jsonl 2>/dev/null)
  log "policy-runs.tar.xz over $archive_mib MiB: ${#left_out[@]} event logs left out (the latest runs')"
  (cd "$runs" && tar -cf - --exclude=build.log "${left_out[@]}" . | xz -6 -T0 > "$out/policy-runs.tar.xz")
  if (( $(stat -c %s "$out/policy-runs.tar.xz") > archive_mib * 1024 * 1024 )); then
    log "still over $archive_mib MiB: every event log left out"
    (cd "$runs" && tar -cf - --exclude=build.log --exclude=events.jsonl . | xz -6 -T0 > "$out/policy-runs.tar.xz")
  fi
fi
log "done: $(wc -l < "$out/runs.jsonl") runs; $(du -sh "$out" | cut -f1) under OUT"
exit 0
