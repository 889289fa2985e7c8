#!/usr/bin/env bash
# `mentorflow match` of growing candidate sets against programs/leadership-cohort.toml (its
# type rule, [matching] allow and four criteria, all in Rhai): wall time and peak memory of
# the whole process, and script evaluations per second (issue 12: 2,000 mentees x 500 mentors
# with capacity 1-3 in under 5 s; issue 28: memory bounded by mentors x mentees whatever the
# capacities, e.g. 2000:500:100).
#   usage: engine/benches/match.sh [MENTEES:MENTORS[:CAPACITY]...]
#   (default: 500:125 1000:250 2000:500 2000:500:10 2000:500:100; no CAPACITY: 1-3 each)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow)
mf="$root/target/release/mentorflow"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(500:125 1000:250 2000:500 2000:500:10 2000:500:100)
printf '%8s %8s %8s %8s %9s %10s %8s %10s %14s\n' mentees mentors capacity pairs judged seconds peak_MB total evaluations_per_s
for size in "${sizes[@]}"; do
  IFS=: read -r mentees mentors capacity <<<"$size"
  python3 - "$mentees" "$mentors" "${capacity:-0}" >"$work/candidates.csv" <<'PY'
import sys
mentees, mentors, capacity = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
departments = ["engineering", "sales", "finance", "legal", "marketing", "support"]
ergs = ["", "pride", "parents", "veterans", "women-in-tech"]
print("id,role,capacity,grade,department,experience_years,utc_offset,erg")
x = 12345
def rnd(n):
    global x
    x = (x * 1103515245 + 12345) % 2**31
    return x % n
for i in range(mentors):
    print(f"m{i},mentor,{capacity or 1 + rnd(3)},{9 + rnd(4)},{departments[rnd(6)]},{10 + rnd(20)},{[7, 8, 1, -5][rnd(4)]},{ergs[rnd(5)]}")
for j in range(mentees):
    print(f"e{j},mentee,,{3 + rnd(5)},{departments[rnd(6)]},{rnd(10)},{[7, 8, 1, -5][rnd(4)]},{ergs[rnd(5)]}")
PY
  rm -f "$work/store.db"*
  "$mf" init --store "$work/store.db" >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" \
    "$mf" match --store "$work/store.db" --program "$root/programs/leadership-cohort.toml" \
    --type one-on-one "$work/candidates.csv" >"$work/out"
  read -r secs kb <"$work/time"
  pairs=$(head -1 "$work/out" | awk '{print $2}')
  total=$(head -1 "$work/out" | sed 's/.*total score \([0-9.]*\).*/\1/')
  read -r judged evaluations < <(tail -1 "$work/out" | awk '{print $1, $4}')
  awk -v a="$mentees" -v b="$mentors" -v c="${capacity:-1-3}" -v p="$pairs" -v j="$judged" -v s="$secs" -v k="$kb" -v t="$total" -v e="$evaluations" \
    'BEGIN { printf "%8d %8d %8s %8d %9d %10.2f %8.1f %10s %14.0f\n", a, b, c, p, j, s, k / 1024, t, e / (s > 0 ? s : 0.01) }'
done
