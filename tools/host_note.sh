# Sourced by tools/gpu_policy_session.sh and tools/gpu_validation_session.sh.
# host_note RUN_DIR: "; host steal S ms, latest notice N us" from the run's summary.json, or nothing.
# Late completion notices follow the host's steal (docs/live.md, twenty-second session), so each run's
# log line carries both, and its misses are read with them.
host_note() {
  [[ -f "$1/summary.json" ]] && python3 -c "
import json; l = json.load(open('$1/summary.json')).get('live', {})
print('; host steal %.0f ms, latest notice %.0f us' % (l.get('host_steal_us', 0) / 1000, l.get('gpu_end_to_noticed_us', {}).get('max', 0)))" 2>/dev/null
}
