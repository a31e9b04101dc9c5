#!/usr/bin/env bash
# The device tool copies this working tree to the GPU machine, 64 MiB at most (tracked files and
# untracked ones git does not ignore). The shipped event-log archives (traces/live/**/*.tar.xz, *.tar), the
# priority probe's block stamps and kernel traces (traces/live/**/*.json.xz, *.jsonl.xz) and sweep results (traces/results/) are
# about two thirds of it, and no GPU script reads them.
#   tools/device_trim.sh trim      moves them into $STASH (default /tmp/sgprs-device-stash)
#   tools/device_trim.sh restore   brings them back and checks that git sees every file as committed
#   tools/device_trim.sh size      what would travel now, in MiB
# Commit nothing between trim and restore: git would record the files as deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
stash="${STASH:-/tmp/sgprs-device-stash}"
travelling() {
  { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 stat -c %s 2>/dev/null |
    awk '{ s += $1 } END { printf "%.1f MiB travel\n", s / 1048576 }'
}
case "${1:-}" in
  trim)
    if [[ -e "$stash/files.tar" ]]; then echo "device_trim.sh: $stash/files.tar exists: restore first" >&2; exit 2; fi
    mkdir -p "$stash"
    { git ls-files 'traces/live/*.tar.xz' 'traces/live/*.tar' 'traces/live/*.json.xz' 'traces/live/*.jsonl.xz'; git ls-files traces/results; } > "$stash/list"
    tar -cf "$stash/files.tar" -T "$stash/list"
    xargs -d '\n' rm -f < "$stash/list"
    echo "device_trim.sh: $(wc -l < "$stash/list") files moved to $stash; $(travelling)"
    ;;
  restore)
    if [[ ! -e "$stash/files.tar" ]]; then echo "device_trim.sh: nothing to restore in $stash" >&2; exit 2; fi
    tar -xf "$stash/files.tar"
    if git ls-files --deleted | grep -q .; then
      echo "device_trim.sh: still missing after restore:" >&2; git ls-files --deleted >&2; exit 1
    fi
    rm -f "$stash/files.tar" "$stash/list"
    echo "device_trim.sh: restored; $(travelling)"
    ;;
  size) travelling ;;
  *) echo "usage: tools/device_trim.sh trim|restore|size" >&2; exit 2 ;;
esac
