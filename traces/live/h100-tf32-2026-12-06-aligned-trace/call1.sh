#!/usr/bin/env bash
# Call 1 of the twenty-ninth session: the twenty-eighth's call 11 (the crowd traced with first_launch_ns,
# the trace on the events' clock) at 2-12 streams, after the GPU tests of the live CLI (the kernel-trace
# test had not run on a GPU). Every run folder and stdout packed into one archive.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-trace
configure_sgprs $build > /tmp/build29.log 2>&1 && timeout 420 cmake --build $build -j "$(nproc)" --target sgprs sgprs_live_cli_tests >> /tmp/build29.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build29.log; exit 1; }
log "built"
timeout 240 $build/tests/live/sgprs_live_cli_tests --gtest_filter='LiveGpuCli.*' > "$OUT/stdout-gpu-tests.txt" 2>&1
echo "GPU tests rc $?"; grep -E '^\[ *(OK|FAILED|SKIPPED|PASSED) ' "$OUT/stdout-gpu-tests.txt"
log "tests done"
in=traces/live/h100-tf32-2026-12-06-aligned-trace/inputs
for run in streams2-dm streams4-dm streams6-dm streams8-dm streams12-dm streams12; do
  k=${run#streams}; k=${k%-dm}
  prio=(); [[ $run == *-dm ]] && prio=(--stream-priorities deadline-monotonic)
  for traced in 1 0; do
    name=$run; trace=(); [[ $traced == 1 ]] && { name=$run-traced; trace=(--kernel-trace "$OUT/kernels-$run.jsonl"); }
    timeout -k 5 40 $build/sgprs live --taskset $in/closed$k-mixed-dm.json --layout full --duration 0.3 --quiet \
      --out "$OUT/runs/$name" --scheduler streams --streams $k --overrun release-late --allow-deadline-over-period \
      "${prio[@]}" --profile traces/profiles/h100-tf32.json "${trace[@]}" > "$OUT/stdout-$name.txt" 2>&1
    echo "$name rc $? $(grep -E '^total' "$OUT/stdout-$name.txt")"
    rm -f "$OUT/runs/$name/timeline.json"
  done
  [[ -f "$OUT/kernels-$run.jsonl" ]] && { head -1 "$OUT/kernels-$run.jsonl"; xz -6 -T0 "$OUT/kernels-$run.jsonl"; }
  log "$run done"
done
(cd "$OUT" && tar -cJf runs.tar.xz runs stdout-*.txt && rm -rf runs stdout-*.txt)
du -sh "$OUT"; ls -la "$OUT"
