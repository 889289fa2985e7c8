#!/usr/bin/env bash
# `mentorflow report` (text, --html, --json) on SQLite stores of growing size: wall time and
# peak memory. Each store holds one-on-one pairings of programs/mentoring.toml, a third still
# in preparation, the rest moved on to goal setting, 200 withdrawn, and a tick months later
# that makes the running ones overdue: every section of the report has something to count.
#   usage: engine/benches/report.sh [PAIRINGS...]   (default: 1000 10000 50000)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow)
mf="$root/target/release/mentorflow"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)
printf '%9s %8s %12s %10s\n' pairings events format seconds_peak_MB
for n in "${sizes[@]}"; do
  python3 - "$n" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/roster.csv", "w") as f:
    print("pairing,type,role,id,experience_years", file=f)
    for i in range(n):
        print(f"g{i},one-on-one,mentor,mentor{i},12", file=f)
        print(f"g{i},one-on-one,mentee,mentee{i},1", file=f)
with open(f"{work}/facts.csv", "w") as f:
    print("pairing,mentor_assigned,schedule_set,orientation_done", file=f)
    for i in range(1, n + 1):
        if i % 3 != 0:
            print(f"p-{i},true,true,true", file=f)
PY
  store="$work/store.db"
  rm -f "$store"*
  "$mf" init --store "$store" >/dev/null
  "$mf" import "$work/roster.csv" --program "$root/programs/mentoring.toml" --store "$store" --now 2026-01-05T09:00:00Z >/dev/null
  "$mf" record --from "$work/facts.csv" --store "$store" --now 2026-01-12T09:00:00Z >/dev/null
  "$mf" advance --all --store "$store" --now 2026-01-12T10:00:00Z --script-budget 3600 >/dev/null
  "$mf" advance --all --store "$store" --now 2026-01-19T10:00:00Z --script-budget 3600 >/dev/null
  python3 - "$n" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/ids", "w") as f:
    for i in range(2, n + 1, 3):
        print(f"p-{i}", file=f)
PY
  # Some withdrawn: one process per pairing would dominate the set-up, so 200 of them.
  head -200 "$work/ids" | while read -r p; do
    "$mf" withdraw "$p" --reason "moved away" --store "$store" --now 2026-02-02T09:00:00Z >/dev/null
  done
  "$mf" tick --store "$store" --now 2026-03-01T09:00:00Z --script-budget 3600 >/dev/null
  events=$("$mf" verify --json --store "$store" | python3 -c 'import json, sys; print(json.load(sys.stdin)["events"])')
  for format in text html json; do
    case $format in
      text) args=(report) ;;
      html) args=(report --html "$work/r.html") ;;
      json) args=(report --json) ;;
    esac
    /usr/bin/time -f '%e %M' -o "$work/time" "$mf" "${args[@]}" --store "$store" --now 2026-03-01T09:00:00Z >/dev/null
    read -r secs kb <"$work/time"
    awk -v n="$n" -v e="$events" -v f="$format" -v s="$secs" -v k="$kb" \
      'BEGIN { printf "%9d %8d %12s %6.2f s %6.1f MB\n", n, e, f, s, k / 1024 }'
  done
done
