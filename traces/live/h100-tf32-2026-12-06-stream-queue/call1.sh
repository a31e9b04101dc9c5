#!/usr/bin/env bash
# Call 1 of the thirty-first session (d349e66 plus sgprs-queue-probe). First the queue probe
# (profiler/queue_probe.hpp): after a long one-block kernel B, which of 72 short probes launched one by one
# on idle streams wait for B, at Q = 4, 8, 16, 32 hardware queues, as kernels and as graphs, in one context
# and in green contexts. Then: do the periodic `streams` runs wait below the
# hardware-queue limit because their graphs are queued on busy streams? The tight family at 0.65 and 0.70
# of its bound on 16 whole-GPU streams, 32 queues, with stream_queue on (a job is launched onto its busy
# stream at once, as PyTorch does) and off (launched when the stream's previous job is noticed), with and
# without deadline-monotonic priorities; then 32 streams at 0.6 (Q = 16) and 0.5 (Q = 8), on and off
# (call 4 of traces/live/h100-tf32-2026-12-06-queues ran them on). On an H200 also the six models' closed
# loops at Q = 8, 16, 32 (the H200's mixed r(Q)). And closed loops of the six models, 32 queues: 16 tasks on
# 16 streams (closed loops ran 15.7 graphs at once on the H100) against 48 tasks on 16 streams, stream_queue
# off and on (do more distinct graphs, or graphs queued on busy streams, lower the count the way the periodic
# runs' 9-11 do?), and 48 tasks on 48 streams. Each run's event log xz-packed.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-sq
configure_sgprs $build > /tmp/build-sq.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build-sq.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build-sq.log; exit 1; }
log "built"
if grep -q H200 "$OUT/card.txt"; then P=traces/profiles/h200-tf32.json; tight=1.299; h200=1
else P=traces/profiles/h100-tf32.json; tight=1.301; h200=0; fi
scaled() {  # BASE SCALE FILE, as tools/gpu_policy_session.sh
  python3 -c "
import json, math; d = json.load(open('$1')); k = $2
for t in d['tasks']: t['count'] = int(math.floor(t['count'] * k + 0.5))
d['tasks'] = [t for t in d['tasks'] if t['count'] > 0]
d['name'] += '-x%g' % k; json.dump(d, open('$3', 'w'), indent=1)"
}
mkdir -p $OUT/probe
if cmake --build $build -j "$(nproc)" --target sgprs-queue-probe > /tmp/build-probe.log 2>&1; then probe=1; else
  probe=0; echo "queue probe build failed"; grep -E "error|Error" -A3 /tmp/build-probe.log | head -40; fi
(( probe )) && for q in 4 8 16 32; do
  for v in "kernels" "graphs --graphs" "green-graphs --graphs --green-contexts --streams 80" "green-kernels --green-contexts --streams 80"; do
    set -- $v; name=$1; shift
    CUDA_DEVICE_MAX_CONNECTIONS=$q timeout -k 5 60 $build/sgprs-queue-probe --out $OUT/probe/queue-probe-q$q-$name.json "$@" \
      > $OUT/probe/stdout-q$q-$name.txt 2>&1; echo "probe q$q $name rc $?"
  done
done
(( probe )) && python3 tools/queue_probe_report.py $OUT/probe/queue-probe-*.json | tee $OUT/probe/report.md
xz -T8 $OUT/probe/*.json 2>/dev/null
log "probe done"
mkdir -p $OUT/runs
periodic() {  # NAME FRAC QUEUES STREAMS QUEUE PRIO
  local name=$1 file=/tmp/tight-$2.json
  [[ -e $file ]] || scaled traces/tasksets/mixed-tight.json $(python3 -c "print(round($2 * $tight, 3))") $file
  CUDA_DEVICE_MAX_CONNECTIONS=$3 timeout -k 5 60 $build/sgprs live --taskset $file --layout full --duration 2 --quiet \
    --out $OUT/runs/$name --profile $P --scheduler streams --streams $4 --option stream_queue=$5 \
    --option stream_priorities=$6 > $OUT/runs/stdout-$name.txt 2>&1
  echo "$name rc $? $(grep -E '^total' $OUT/runs/stdout-$name.txt | sed 's/.*aborted; //')"
  rm -f $OUT/runs/$name/timeline.json; cp $file $OUT/runs/$name/taskset.json
}
for frac in 0.65 0.7; do
  for prio in none deadline-monotonic; do
    for sq in on off; do periodic tight-$frac-streams16-$prio-queue-$sq $frac 32 16 $sq $prio; done
  done
done
for sq in on off; do
  periodic tight-0.6-streams32-q16-queue-$sq 0.6 16 32 $sq none
  periodic tight-0.5-streams32-q8-queue-$sq 0.5 8 32 $sq none
done
log "periodic done"
python3 tools/start_waits.py $(ls -d $OUT/runs/tight* | sort -V) > $OUT/start-waits.md 2>&1; cat $OUT/start-waits.md
if (( h200 )); then
  in=traces/live/h100-tf32-2026-12-06-aligned-trace/inputs
  cp $in/closed*-mixed-dm.json /tmp/
  python3 -c "
import json
base = json.load(open('$in/closed12-mixed-dm.json')); six = base['tasks'][:6]
for k in (24,):
    tasks = [dict(six[i % 6], name=six[i % 6]['name'][:3] + str(i)) for i in range(k)]
    json.dump(dict(base, tasks=tasks, name=base['name'].rsplit('-', 1)[0] + f'-{k}'), open(f'/tmp/closed{k}-mixed-dm.json', 'w'))"
  for q in 8 16 32; do
    for k in 12 16 24 32; do
      (( q == 32 && k < 24 )) && continue
      name=loop-streams$k-q$q
      CUDA_DEVICE_MAX_CONNECTIONS=$q timeout -k 5 60 $build/sgprs live --taskset /tmp/closed$k-mixed-dm.json --layout full \
        --duration 0.5 --quiet --out $OUT/runs/$name --overrun release-late --allow-deadline-over-period --profile $P \
        --scheduler streams --streams $k > $OUT/runs/stdout-$name.txt 2>&1
      echo "$name rc $? $(grep -E '^total' $OUT/runs/stdout-$name.txt | sed 's/.*aborted; //')"
      rm -f $OUT/runs/$name/timeline.json; cp /tmp/closed$k-mixed-dm.json $OUT/runs/$name/taskset.json
    done
  done
  log "loops done"
  python3 tools/start_waits.py $(ls -d $OUT/runs/loop* | sort -V) > $OUT/start-waits-loops.md 2>&1; cat $OUT/start-waits-loops.md
fi
in=traces/live/h100-tf32-2026-12-06-aligned-trace/inputs
python3 -c "
import json
base = json.load(open('$in/closed12-mixed-dm.json')); six = base['tasks'][:6]
for k in (16, 48):
    tasks = [dict(six[i % 6], name=six[i % 6]['name'][:3] + str(i)) for i in range(k)]
    json.dump(dict(base, tasks=tasks, name=base['name'].rsplit('-', 1)[0] + f'-{k}'), open(f'/tmp/tasks{k}.json', 'w'))"
graphs() {  # NAME TASKS STREAMS ARGS...
  local name=$1 k=$2 s=$3; shift 3
  CUDA_DEVICE_MAX_CONNECTIONS=32 timeout -k 5 60 $build/sgprs live --taskset /tmp/tasks$k.json --layout full --duration 0.5 \
    --quiet --out $OUT/runs/$name --overrun release-late --allow-deadline-over-period --profile $P --scheduler streams \
    --streams $s "$@" > $OUT/runs/stdout-$name.txt 2>&1
  echo "$name rc $? $(grep -E '^total' $OUT/runs/stdout-$name.txt | sed 's/.*aborted; //')"
  rm -f $OUT/runs/$name/timeline.json; cp /tmp/tasks$k.json $OUT/runs/$name/taskset.json
}
graphs graphs16-streams16 16 16
graphs graphs48-streams16-queue-off 48 16 --option stream_queue=off
graphs graphs48-streams16-queue-on 48 16 --option stream_queue=on
graphs graphs48-streams48 48 48
log "graph loops done"
python3 tools/start_waits.py $(ls -d $OUT/runs/graphs* | sort -V) > $OUT/start-waits-graphs.md 2>&1; cat $OUT/start-waits-graphs.md
for f in $OUT/runs/*/events.jsonl; do xz -T8 $f; done
(cd "$OUT" && tar -cf runs.tar runs && rm -rf runs); du -sh $OUT/runs.tar
log "packed"
