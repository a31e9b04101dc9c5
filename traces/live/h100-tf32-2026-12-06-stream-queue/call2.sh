#!/usr/bin/env bash
# Call 2 of the thirty-first session: the queue probe again, now with a launch queued on the blocker's busy
# stream before the probes (--queued-behind 1, as stream_queue=on leaves a job), in one context and in green
# contexts (call 1's green-context runs exited 5 with 80 contexts; here 40). All output in one log.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-sq
configure_sgprs $build > /tmp/build-sq.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs-queue-probe >> /tmp/build-sq.log 2>&1 \
  || { echo "build failed"; grep -E "error" -A3 /tmp/build-sq.log | head -40; exit 1; }
log "built"
mkdir -p $OUT/probe
probe() {  # NAME QUEUES ARGS...
  local name=$1 q=$2; shift 2
  echo "### $name (Q = $q): $*" >> $OUT/probe/log.txt
  CUDA_DEVICE_MAX_CONNECTIONS=$q timeout -k 5 60 $build/sgprs-queue-probe --out $OUT/probe/queue-probe-$name.json "$@" \
    >> $OUT/probe/log.txt 2>&1; echo "$name rc $?"
}
probe q32-graphs-queued1 32 --graphs --queued-behind 1
probe q8-graphs-queued1 8 --graphs --queued-behind 1
probe q32-kernels-queued1 32 --queued-behind 1
probe q32-graphs-queued4 32 --graphs --queued-behind 4
probe q32-green-graphs 32 --graphs --green-contexts --streams 40 --probes 36
probe q32-green-graphs-queued1 32 --graphs --green-contexts --streams 40 --probes 36 --queued-behind 1
probe q8-green-graphs-queued1 8 --graphs --green-contexts --streams 40 --probes 36 --queued-behind 1
probe q32-green-kernels-queued1 32 --green-contexts --streams 40 --probes 36 --queued-behind 1
log "probes done"
tail -c 3000 $OUT/probe/log.txt
python3 tools/queue_probe_report.py $(ls $OUT/probe/queue-probe-*.json) | tee $OUT/probe/report.md
xz -T8 $OUT/probe/*.json
(cd $OUT && tar -cf probe.tar probe && rm -rf probe)
log "packed"
