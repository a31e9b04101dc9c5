#!/usr/bin/env bash
# Call 5 of the thirtieth session (the build of 075650f): why periodic streams-16 runs wait below the limit.
# The tight family at 0.65 and 0.70 of its bound, 32 queues, without priorities: `naive` on `full` with 16
# slots (one context; a unit is launched only when a slot is free, so no graph waits on its stream behind
# another) against `streams` with 16 streams (graphs launched behind the one running on their stream).
# Each run's event log xz-packed.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-queues
configure_sgprs $build > /tmp/build-q.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build-q.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build-q.log; exit 1; }
log "built"
if grep -q H200 "$OUT/card.txt"; then P=traces/profiles/h200-tf32.json; tight=1.299; else P=traces/profiles/h100-tf32.json; tight=1.301; fi
scaled() {  # BASE SCALE FILE, as tools/gpu_policy_session.sh
  python3 -c "
import json, math; d = json.load(open('$1')); k = $2
for t in d['tasks']: t['count'] = int(math.floor(t['count'] * k + 0.5))
d['tasks'] = [t for t in d['tasks'] if t['count'] > 0]
d['name'] += '-x%g' % k; json.dump(d, open('$3', 'w'), indent=1)"
}
mkdir -p $OUT/runs
for frac in 0.65 0.7; do
  file=/tmp/tight-$frac.json; scaled traces/tasksets/mixed-tight.json $(python3 -c "print(round($frac * $tight, 3))") $file
  for sched in "naive16 --scheduler naive --max-parallel 16" "streams16 --scheduler streams --streams 16"; do
    set -- $sched; name=tight-$frac-$1; shift
    timeout -k 5 60 $build/sgprs live --taskset $file --layout full --duration 2 --quiet --out $OUT/runs/$name --profile $P \
      "$@" > $OUT/runs/stdout-$name.txt 2>&1
    echo "$name rc $? $(grep -E '^total' $OUT/runs/stdout-$name.txt | sed 's/.*aborted; //')"
    rm -f $OUT/runs/$name/timeline.json; cp $file $OUT/runs/$name/taskset.json
  done
done
log "runs done"
python3 tools/start_waits.py $(ls -d $OUT/runs/tight* | sort -V) | tee $OUT/start-waits.md
for f in $OUT/runs/*/events.jsonl; do xz -T4 $f; done
(cd "$OUT" && tar -cf runs.tar runs && rm -rf runs); du -sh $OUT/runs.tar
