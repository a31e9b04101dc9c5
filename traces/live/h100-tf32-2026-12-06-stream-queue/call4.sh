#!/usr/bin/env bash
# Call 4 of the thirty-first session: how many one-block kernels or graphs on distinct idle streams run at
# once. The queue probe with long probes (--probe-us 3000, launched 5 us apart, so they overlap): per Q, one
# context and green contexts, kernels and graphs, the most running at once and the first probe that did
# not start within 100 us of its launch.
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
  CUDA_DEVICE_MAX_CONNECTIONS=$q timeout -k 5 60 $build/sgprs-queue-probe --out $OUT/probe/queue-probe-$name.json \
    --probe-us 3000 --spacing-us 5 --repeats 10 "$@" >> $OUT/probe/log.txt 2>&1; echo "$name rc $?"
}
for q in 8 16 32; do
  probe q$q-long-kernels $q --streams 64 --probes 48
  probe q$q-long-graphs $q --streams 64 --probes 48 --graphs
  probe q$q-long-green-graphs $q --streams 40 --probes 36 --graphs --green-contexts
done
log "probes done"
grep -v "trials$" $OUT/probe/log.txt | tail -c 2000
python3 tools/queue_probe_report.py $(ls $OUT/probe/queue-probe-*.json) | grep -v "^by launch\|^first wait\|^period" | tee $OUT/probe/report.md
xz -T8 $OUT/probe/*.json
(cd $OUT && tar -cf probe.tar probe && rm -rf probe)
log "packed"
