#!/usr/bin/env bash
# Call 2 of the twenty-ninth session: where does a crowd's graph wait between its launch call and its
# start event? The closed loops of six models at 6 and 12 streams without priorities, once as in
# call 1 and once with one thing changed: one context (naive on full), completion by flags, stamps on
# the stream, 32 hardware queues, 4 launcher threads. Event logs only (no kernel trace).
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-trace
configure_sgprs $build > /tmp/build29.log 2>&1 && timeout 420 cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build29.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build29.log; exit 1; }
log "built"
in=traces/live/h100-tf32-2026-12-06-aligned-trace/inputs
for k in 6 12; do
  for variant in base one-context flags stream-stamps queues32 launchers4 base-again; do
    args=(--scheduler streams --streams $k); env=()
    case $variant in
      one-context) args=(--scheduler naive --max-parallel $k) ;;
      flags) args+=(--completion flags) ;;
      stream-stamps) args+=(--stamps stream) ;;
      queues32) env=(CUDA_DEVICE_MAX_CONNECTIONS=32) ;;
      launchers4) args+=(--launch-threads 4) ;;
    esac
    name=closed$k-$variant
    env "${env[@]}" timeout -k 5 40 $build/sgprs live --taskset $in/closed$k-mixed-dm.json --layout full --duration 0.5 --quiet \
      --out "$OUT/runs/$name" --overrun release-late --allow-deadline-over-period \
      --profile traces/profiles/h100-tf32.json "${args[@]}" > "$OUT/stdout-$name.txt" 2>&1
    echo "$name rc $? $(grep -E '^total' "$OUT/stdout-$name.txt")"
    rm -f "$OUT/runs/$name/timeline.json"
  done
  log "$k done"
done
(cd "$OUT" && tar -cJf runs.tar.xz runs stdout-*.txt && rm -rf runs stdout-*.txt)
du -sh "$OUT"; ls -la "$OUT"
