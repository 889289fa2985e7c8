#!/usr/bin/env bash
# `mentorflow import` of rosters of growing size into a fresh SQLite store: wall time and peak
# memory, to show import is linear in rows and its memory bounded (issue 18 found 100k rows
# taking 16.1 s and 313 MB when it was quadratic).
#   usage: engine/benches/import.sh [ROWS...]   (default: 10000 25000 50000 100000)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow)
mf="$root/target/release/mentorflow"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 25000 50000 100000)
printf '%8s %10s %10s %12s\n' rows seconds peak_MB rows_per_s
for rows in "${sizes[@]}"; do
  # One-on-one pairings: two rows (mentor, mentee) per pairing.
  python3 - "$rows" >"$work/roster.csv" <<'PY'
import sys
rows = int(sys.argv[1])
print("pairing,type,role,id,experience_years")
for n in range(rows // 2):
    print(f"g{n},one-on-one,mentor,mentor{n},12")
    print(f"g{n},one-on-one,mentee,mentee{n},1")
PY
  rm -f "$work/store.db"*
  "$mf" init --store "$work/store.db" >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" \
    "$mf" import --store "$work/store.db" --now 2026-01-05T09:00:00Z "$work/roster.csv" \
    --program "$root/programs/mentoring.toml" >/dev/null
  read -r secs kb <"$work/time"
  awk -v r="$rows" -v s="$secs" -v k="$kb" 'BEGIN { printf "%8d %10.2f %10.1f %12.0f\n", r, s, k / 1024, r / (s > 0 ? s : 0.01) }'
done
