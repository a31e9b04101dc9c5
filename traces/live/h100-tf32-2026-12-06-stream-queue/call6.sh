#!/usr/bin/env bash
# Call 6 of the thirty-first session (call 5, which got no machine, folded in): (1) call 5's queue probe with
# each probe a chain of 100 kernels (one graph of 100 kernels of 30 us, as a live unit is a chain of its
# model's kernels): do long graphs run Q at once as one-kernel graphs do? (2) The families at their edges
# live: DM streams-16 with stream_queue on (as PyTorch) and off (a job launched when its stream's previous
# one was noticed), and sgprs-best-mold-pm-chain, tight and deadlines at 0.6-0.75 of the bound, each
# scheduler stopping at its first load with more than 1% misses (tools/gpu_card_session.sh, as call 2 of
# traces/live/h100-tf32-2026-12-06-priority).
set -uo pipefail
bash traces/live/h100-tf32-2026-12-06-stream-queue/call5.sh
mkdir -p $OUT/families && OUT=$OUT/families PARTS=families FAMILIES="tight deadlines" \
  SCHEDULERS="streams16-dm streams16-dm-qoff sgprs-best-mold-pm-chain" FAMILY_FRACTIONS="0.6 0.65 0.7 0.75" \
  BOUNDS="tight=1.299 camera=1.447 heavy=1.452 deadlines=4.338" NO_TORCH=1 RUN_TIMEOUT=40 ARCHIVE_MIB=14 \
  BUDGET=330 BUILD=/tmp/sgprs-build-policy bash tools/gpu_card_session.sh 2>&1 | tail -30
