#!/usr/bin/env bash
# Call 3 of the thirtieth session (call 1's build): do stream priorities change the queues' rule? Periodic DM
# streams-16 runs on 32 queues waited milliseconds to start with only about 9 graphs running (call 2's part C,
# tight at 0.70), where 16 streams without priorities in a closed loop ran 15.7 at once. Closed loops of the
# six models (call 1's inputs) on 8, 16 and 32 whole-GPU streams, 32 queues, with deadline-monotonic
# priorities and without; then the tight family at 0.65 and 0.70 of its bound on 16 streams with and
# without priorities. Each run's event log xz-packed.
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
in=traces/live/h100-tf32-2026-12-06-aligned-trace/inputs
mkdir -p $OUT/runs
for k in 8 16 32; do
  for prio in none deadline-monotonic; do
    name=closed$k-$prio
    timeout -k 5 60 $build/sgprs live --taskset $in/closed$k-mixed-dm.json --layout full --duration 0.5 --quiet \
      --out $OUT/runs/$name --overrun release-late --allow-deadline-over-period --profile $P --scheduler streams \
      --streams $k --option stream_priorities=$prio > $OUT/runs/stdout-$name.txt 2>&1
    echo "$name rc $? $(grep -E '^total' $OUT/runs/stdout-$name.txt | sed 's/.*aborted; //')"
    rm -f $OUT/runs/$name/timeline.json
  done
done
log "loops done"
python3 tools/start_waits.py $(ls -d $OUT/runs/closed* | sort -V) | tee $OUT/start-waits.md
scaled() {  # BASE SCALE FILE, as tools/gpu_policy_session.sh
  python3 -c "
import json, math; d = json.load(open('$1')); k = $2
for t in d['tasks']: t['count'] = int(math.floor(t['count'] * k + 0.5))
d['tasks'] = [t for t in d['tasks'] if t['count'] > 0]
d['name'] += '-x%g' % k; json.dump(d, open('$3', 'w'), indent=1)"
}
for frac in 0.65 0.7; do
  file=/tmp/tight-$frac.json; scaled traces/tasksets/mixed-tight.json $(python3 -c "print(round($frac * $tight, 3))") $file
  for prio in none deadline-monotonic; do
    name=tight-$frac-streams16-$prio
    timeout -k 5 60 $build/sgprs live --taskset $file --layout full --duration 2 --quiet --out $OUT/runs/$name --profile $P \
      --scheduler streams --streams 16 --option stream_priorities=$prio > $OUT/runs/stdout-$name.txt 2>&1
    echo "$name rc $? $(grep -E '^total' $OUT/runs/stdout-$name.txt | sed 's/.*aborted; //')"
    rm -f $OUT/runs/$name/timeline.json; cp $file $OUT/runs/$name/taskset.json
  done
done
log "families done"
python3 tools/start_waits.py $(ls -d $OUT/runs/tight* | sort -V) | tee -a $OUT/start-waits.md
for f in $OUT/runs/*/events.jsonl; do xz -T4 $f; done
(cd "$OUT" && tar -cf runs.tar runs && rm -rf runs); du -sh $OUT/runs.tar
