#!/usr/bin/env bash
# Call 2 of the twenty-sixth session, on the warm H100 of call 1 (the device tool ran this line from the
# repository root): the call that had waited for an H200 since the twenty-fifth session (docs/live.md).
# On the H100, tools/gpu_card_session.sh used the shipped H100 profile and that card's bounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."  # the repository root from traces/live/<run>/
mkdir -p $OUT/families && OUT=$OUT/families PARTS=families FAMILIES="tight deadlines" \
  SCHEDULERS="streams32-dm sgprs-best-mold-pm-chain" FAMILY_FRACTIONS="0.6 0.65 0.7 0.75" \
  BOUNDS="tight=1.299 camera=1.447 heavy=1.452 deadlines=4.338" NO_TORCH=1 RUN_TIMEOUT=40 ARCHIVE_MIB=14 \
  BUDGET=430 BUILD=/tmp/sgprs-build-policy bash tools/gpu_card_session.sh 2>&1 | tail -25
