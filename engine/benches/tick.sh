#!/usr/bin/env bash
# `tick` over N enrolled sales-onboarding pairings (schedules, timers with warnings, an
# automatic transition), in a fresh SQLite store: wall time and peak memory of each tick, to
# show that a tick's cost per pairing stays flat as the cohort grows (issue 10).
#   usage: engine/benches/tick.sh [PAIRINGS...]   (default: 10000 50000 100000)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow)
mf="$root/target/release/mentorflow"
program="$root/programs/sales-onboarding.toml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000 100000)
T0=2026-01-05T09:00:00Z
timed() { # label args...: runs mentorflow, prints label, seconds, peak MB, µs per pairing
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$mf" "$@" --script-budget 3600 >"$work/out"
  read -r secs kb <"$work/time"
  awk -v l="$label" -v n="$n" -v s="$secs" -v k="$kb" \
    'BEGIN { printf "%8d  %-34s %8.2f s %8.1f MB %8.1f µs/pairing\n", n, l, s, k / 1024, s * 1e6 / n }'
}
printf '%8s  %-34s %10s %11s %19s\n' pairings step time peak per_pairing
for n in "${sizes[@]}"; do
  python3 - "$n" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/roster.csv", "w") as f:
    f.write("pairing,type,role,id,region\n")
    for i in range(n):
        f.write(f"g{i},one-on-one,mentor,m{i},emea\ng{i},one-on-one,mentee,h{i},emea\n")
with open(f"{work}/facts.csv", "w") as f:
    f.write("pairing,ramp_plan_agreed,end_date\n")
    for i in range(1, n + 1):
        f.write(f"p-{i},true,2026-06-01\n")
PY
  rm -f "$work/store.db"*
  "$mf" init --store "$work/store.db" >/dev/null
  "$mf" import --store "$work/store.db" --now "$T0" "$work/roster.csv" --program "$program" >/dev/null
  "$mf" record --store "$work/store.db" --now "$T0" --from "$work/facts.csv" >/dev/null
  "$mf" advance --store "$work/store.db" --now "$T0" --script-budget 3600 --all >/dev/null
  # Day 10: every pairing missed its first 1:1 (due day 7, 2 days' grace): one event each.
  timed "tick day 10 (1:1 #1 missed)" tick --store "$work/store.db" --now 2026-01-15T09:00:00Z
  # Day 11: nothing new: a tick reads and decides, and stores nothing.
  timed "tick day 11 (nothing new)" tick --store "$work/store.db" --now 2026-01-16T09:00:00Z
  # Day 53: the idle timer's warning, 1:1s #2-#6 and the day-14 survey missed.
  timed "tick day 53 (warning + missed)" tick --store "$work/store.db" --now 2026-02-27T09:00:00Z
  grep -h "^ticked\|pairings" "$work/out" | tail -1 >&2 || true
done
