#!/usr/bin/env bash
# One `sgprs sweep` as a Slurm job array: each array task runs one shard of the
# experiment, then one dependent job merges the shards into the sweep's tables and
# plots (byte-identical to a single-machine sweep; docs/experiments.md, "Sweeps on a cluster").
#
#   tools/slurm_sweep.sh submit CONFIG OUT N [sbatch options...]
#       submits the array (N tasks, 0..N-1) and the merge job that waits for it
#   tools/slurm_sweep.sh shard CONFIG OUT     (what each array task runs)
#       sgprs sweep --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT into OUT/shards/I-of-N,
#       with --resume, so a requeued or re-submitted task finishes its shard instead of restarting it
#   tools/slurm_sweep.sh merge OUT            (what the merge job runs)
#       sgprs merge OUT/shards/* --out OUT
#
# Environment: SGPRS (the program, default: sgprs on PATH), SLURM_CPUS_PER_TASK (threads per
# task, default 1). Give each task its CPUs with sbatch's --cpus-per-task.
set -euo pipefail

sgprs="${SGPRS:-sgprs}"
usage() {
  echo "usage: tools/slurm_sweep.sh submit CONFIG OUT N [sbatch options] | shard CONFIG OUT | merge OUT" >&2
  exit 2
}

case "${1:-}" in
  submit)
    [[ $# -ge 4 ]] || usage
    config="$2" out="$3" count="$4"
    shift 4
    mkdir -p "$out/logs"
    array_job=$(sbatch --parsable --array="0-$((count - 1))" --job-name=sgprs-sweep \
                       --output="$out/logs/shard-%a.log" "$@" "$0" shard "$config" "$out")
    sbatch --parsable --dependency="afterok:${array_job%%;*}" --job-name=sgprs-merge \
           --output="$out/logs/merge.log" "$@" "$0" merge "$out"
    ;;
  shard)
    [[ $# -eq 3 ]] || usage
    : "${SLURM_ARRAY_TASK_ID:?not set: run this inside a Slurm job array (or set it by hand)}"
    : "${SLURM_ARRAY_TASK_COUNT:?not set: run this inside a Slurm job array (or set it by hand)}"
    shard="$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"
    "$sgprs" sweep --config "$2" --out "$3/shards/$SLURM_ARRAY_TASK_ID-of-$SLURM_ARRAY_TASK_COUNT" \
                   --shard "$shard" --jobs "${SLURM_CPUS_PER_TASK:-1}" --resume --quiet
    ;;
  merge)
    [[ $# -eq 2 ]] || usage
    "$sgprs" merge "$2"/shards/* --out "$2"
    ;;
  *) usage ;;
esac
