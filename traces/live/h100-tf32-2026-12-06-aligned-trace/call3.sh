#!/usr/bin/env bash
# Call 3 of the twenty-ninth session: the hardware-queue fix (streams made after every green context,
# CUDA_DEVICE_MAX_CONNECTIONS 32) against the build before it (HEAD f44935d, from build-old-src.tar.gz),
# side by side: GPU tests of the new build; closed loops of the six models at 12 and 32 streams
# without priorities; the tight family under DM streams-16, DM streams-32 and sgprs-best (moldable,
# paced-model, chain) at 0.55-0.70 of its bound, each load old then new.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
# The card's own profile and the tight family's bound on it (docs/experiments.md): H100 or H200.
if grep -q H200 "$OUT/card.txt"; then profile=traces/profiles/h200-tf32.json; tight_bound=1.299
else profile=traces/profiles/h100-tf32.json; tight_bound=1.301; fi
new=/tmp/sgprs-build-new; old=/tmp/sgprs-build-old
rm -rf /tmp/old-src && mkdir -p /tmp/old-src && tar -xzf build-old-src.tar.gz -C /tmp/old-src && ln -s "$root/traces" /tmp/old-src/traces
( configure_source=/tmp/old-src configure_sgprs $old > /tmp/build-old.log 2>&1 && cmake --build $old -j 6 --target sgprs >> /tmp/build-old.log 2>&1; echo "old build rc $?" ) &
configure_sgprs $new > /tmp/build-new.log 2>&1 && cmake --build $new -j 10 --target sgprs sgprs_live_cli_tests sgprs_profiler_timer_test sgprs_profiler_partition_test >> /tmp/build-new.log 2>&1 \
  || { echo "new build failed"; tail -30 /tmp/build-new.log; exit 1; }
wait
[[ -x $old/sgprs ]] || { echo "old build failed"; tail -30 /tmp/build-old.log; exit 1; }
log "built"
for t in tests/profiler/sgprs_profiler_timer_test tests/profiler/sgprs_profiler_partition_test; do
  timeout 120 $new/$t > "$OUT/stdout-$(basename $t).txt" 2>&1; echo "$t rc $?"
  grep -E '^\[ *(FAILED|PASSED) |32 spins' "$OUT/stdout-$(basename $t).txt"
done
timeout 200 $new/tests/live/sgprs_live_cli_tests --gtest_filter='LiveGpuCli.*' > "$OUT/stdout-live-gpu-tests.txt" 2>&1
echo "live GPU tests rc $?"; grep -E '^\[ *(FAILED|PASSED) ' "$OUT/stdout-live-gpu-tests.txt"
log "tests done"
in=traces/live/h100-tf32-2026-12-06-aligned-trace/inputs
one() {  # BUILD NAME SECONDS TASKSET ARGS...
  local b=$1 name=$2 s=$3 ts=$4; shift 4
  timeout -k 5 60 ${!b}/sgprs live --taskset $ts --layout full --duration $s --quiet --out "$OUT/runs/$name" \
    --profile $profile "$@" > "$OUT/stdout-$name.txt" 2>&1
  echo "$name rc $? $(grep -E '^total' "$OUT/stdout-$name.txt" | sed 's/.*aborted; //')"
  rm -f "$OUT/runs/$name/timeline.json"; cp $ts "$OUT/runs/$name/taskset.json" 2>/dev/null
}
for k in 12 32; do
  for b in old new; do
    one $b closed$k-$b 0.5 $in/closed$k-mixed-dm.json --scheduler streams --streams $k --overrun release-late --allow-deadline-over-period
  done
done
log "closed loops done"
scaled() {  # BASE SCALE FILE, as tools/gpu_policy_session.sh
  python3 -c "
import json, math; d = json.load(open('$1')); k = $2
for t in d['tasks']: t['count'] = int(math.floor(t['count'] * k + 0.5))
d['tasks'] = [t for t in d['tasks'] if t['count'] > 0]
d['name'] += '-x%g' % k; json.dump(d, open('$3', 'w'), indent=1)"
}
mkdir -p /tmp/fam
best=(--scheduler sgprs-best --option slot_sms=moldable --option block_need=paced-model --option chain=slack --stall-timeout 5)
for spec in "streams16-dm 0.55 0.6" "streams32-dm 0.6 0.65 0.7" "sgprs-best-mold-pm-chain 0.65 0.7"; do
  set -- $spec; sched=$1; shift
  for frac in "$@"; do
    file=/tmp/fam/tight-$frac.json
    [[ -f $file ]] || scaled traces/tasksets/mixed-tight.json $(python3 -c "print(round($frac * $tight_bound, 3))") $file
    case $sched in
      streams16-dm) args=(--scheduler streams --streams 16 --option stream_priorities=deadline-monotonic) ;;
      streams32-dm) args=(--scheduler streams --streams 32 --option stream_priorities=deadline-monotonic) ;;
      *) args=("${best[@]}") ;;
    esac
    for b in old new; do
      (( SECONDS - t0 < 500 )) || { log "skipped tight-$frac-$sched-$b: time"; continue; }
      one $b tight-$frac-$sched-$b 2 $file "${args[@]}"
    done
  done
done
log "families done"
(cd "$OUT" && tar -cJf runs.tar.xz runs stdout-*.txt && rm -rf runs stdout-*.txt)
du -sh "$OUT"; ls -la "$OUT"
