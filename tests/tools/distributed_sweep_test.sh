#!/usr/bin/env bash
# Distributed sweeps give a single-process sweep's outputs, byte for byte:
#   distributed_sweep_test.sh SGPRS CONFIG slurm             the job array's commands of tools/slurm_sweep.sh,
#                                                            run here with SLURM_* set by hand, then its merge
#   distributed_sweep_test.sh SGPRS CONFIG mpi MPIEXEC K     mpirun -n K sgprs sweep
#   distributed_sweep_test.sh SGPRS CONFIG mpi-death MPIEXEC a worker rank killed mid-sweep: rank 0 says so in
#                                                            one line, and --resume finishes the sweep
# Compared: runs.csv, summary.csv, sweep.json without its execution fields, and every plot (with --plots).
set -euo pipefail
sgprs="$1" config="$2" mode="$3"
shift 3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
here="$(cd "$(dirname "$0")/../.." && pwd)"

# sweep.json less the fields that say how this execution went (simulator/experiments/sweep_record.hpp).
sweep_identity() {
  python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for k in ("command", "threads", "runs_resumed", "runs_executed", "runs_simulated", "wall_time_s"): d.pop(k)
print(json.dumps(d, indent=2, sort_keys=True))' "$1"
}
same_outputs() {  # reference folder, folder under test
  for f in runs.csv summary.csv; do
    cmp "$1/$f" "$2/$f" || { echo "FAIL: $2/$f differs from the single-process sweep's"; exit 1; }
  done
  cmp <(sweep_identity "$1/sweep.json") <(sweep_identity "$2/sweep.json") ||
    { echo "FAIL: $2/sweep.json differs from the single-process sweep's"; exit 1; }
  local plots=0
  for f in "$1"/*.png "$1"/*.svg; do
    [[ -e "$f" ]] || continue
    cmp "$f" "$2/$(basename "$f")" || { echo "FAIL: plot $(basename "$f") differs"; exit 1; }
    plots=$((plots + 1))
  done
  echo "identical: runs.csv ($(($(wc -l < "$1/runs.csv") - 1)) runs), summary.csv, sweep.json, $plots plots"
}

mpirun_flags() {  # a container or CI machine: root, fewer cores than ranks, no shared-memory single copy
  local flags=(--oversubscribe)
  [[ "$(id -u)" == 0 ]] && flags+=(--allow-run-as-root)
  echo "${flags[@]}"
}
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1

case "$mode" in
  slurm)
    "$sgprs" sweep --config "$config" --out "$work/single" --quiet
    for id in 0 1 2 3; do
      SGPRS="$sgprs" SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_COUNT=4 SLURM_CPUS_PER_TASK=1 \
        "$here/tools/slurm_sweep.sh" shard "$config" "$work/array"
    done
    SGPRS="$sgprs" "$here/tools/slurm_sweep.sh" merge "$work/array"
    same_outputs "$work/single" "$work/array"
    ;;
  mpi)
    mpiexec="$1" ranks="$2"
    "$sgprs" sweep --config "$config" --out "$work/single" --no-plots --quiet
    # shellcheck disable=SC2046
    "$mpiexec" $(mpirun_flags) -n "$ranks" "$sgprs" sweep --config "$config" --out "$work/mpi" --no-plots --quiet \
      2> "$work/mpi.err" || { cat "$work/mpi.err"; echo "FAIL: mpirun exited $?"; exit 1; }
    grep -q "on $ranks compute threads across MPI ranks" "$work/mpi.err" || { cat "$work/mpi.err"; echo "FAIL: not $ranks ranks"; exit 1; }
    same_outputs "$work/single" "$work/mpi"
    # Rank 0 refuses to resume into another experiment's folder before any run: every rank stops
    # (none left waiting for work), exit status 2, one line of sgprs's own.
    status=0
    # shellcheck disable=SC2046
    timeout 120 "$mpiexec" $(mpirun_flags) -n "$ranks" "$sgprs" sweep --config "$here/tests/data/experiments/random.json" \
      --out "$work/mpi" --no-plots --quiet --resume 2> "$work/refused.err" || status=$?
    [[ $status == 2 && $(grep -c "^sgprs: error: .*another experiment" "$work/refused.err") == 1 ]] ||
      { cat "$work/refused.err"; echo "FAIL: refused resume exited $status"; exit 1; }
    echo "refused resume into another experiment's folder: exit status 2, one line"
    ;;
  mpi-death)
    mpiexec="$1"
    # mpirun sends the other ranks SIGTERM and, 1 s later by default, SIGKILL: on a loaded 2-core
    # machine rank 0 was once killed before its handler wrote the one line checked below.
    export OMPI_MCA_odls_base_sigkill_timeout=5
    "$sgprs" sweep --config "$config" --out "$work/single" --no-plots --quiet
    # shellcheck disable=SC2046
    "$mpiexec" $(mpirun_flags) -n 3 "$sgprs" sweep --config "$config" --out "$work/mpi" --no-plots --quiet \
      2> "$work/mpi.err" &
    launcher=$!
    # Kill rank 2 once some rows are in: find it by the rank mpirun put in its environment.
    victim=""
    for _ in $(seq 1 600); do
      if [[ -z "$victim" ]]; then
        for pid in $(pgrep -P "$launcher" || true); do
          tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=2 && victim=$pid
        done
      fi
      if [[ -n "$victim" && -f "$work/mpi/runs.csv" && $(wc -l < "$work/mpi/runs.csv") -ge 4 ]]; then break; fi
      sleep 0.05
    done
    [[ -n "$victim" ]] || { echo "FAIL: rank 2 not found"; exit 1; }
    kill -9 "$victim"
    status=0
    wait "$launcher" || status=$?
    [[ $status != 0 ]] || { echo "FAIL: mpirun exited 0 after a rank died"; exit 1; }
    ours=$(grep -c "^sgprs: sweep stopped by the MPI launcher" "$work/mpi.err" || true)
    [[ $ours == 1 ]] || { cat "$work/mpi.err"; echo "FAIL: rank 0 did not report the stop in one line"; exit 1; }
    done_rows=$(($(wc -l < "$work/mpi/runs.csv") - 1))
    "$sgprs" sweep --config "$config" --out "$work/mpi" --no-plots --quiet --resume 2> "$work/resume.err"
    grep -q "resumed" "$work/resume.err"
    echo "rank 2 killed after $done_rows runs; mpirun exited $status; resumed: $(grep -o '[0-9]* resumed' "$work/resume.err")"
    same_outputs "$work/single" "$work/mpi"
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
echo "PASS"
