#!/usr/bin/env bash
# Two coordinators run a cohort of N pairings (default 300) on programs/mentoring.toml for 26
# simulated weeks from the CLI alone, at the same time on one store; then `verify`.
#   usage: engine/benches/halfyear.sh [N=300]     (uses target/release/mentorflow; builds it)
set -euo pipefail
N=${1:-300}
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow)
mf="$root/target/release/mentorflow"
work=$(mktemp -d)
export MENTORFLOW_STORE="$work/store.db"
"$mf" init >/dev/null
{
  echo "pairing,type,role,id,experience_years,grade"
  for i in $(seq 1 "$N"); do
    echo "$i,one-on-one,mentor,mentor-$i,$((10 + i % 7)),"
    echo "$i,one-on-one,mentee,mentee-$i,$((i % 3)),"
  done
} >"$work/roster.csv"
"$mf" import --actor setup --now 2026-01-05T09:00:00Z "$work/roster.csv" --program "$root/programs/mentoring.toml" | head -1

# Coordinator A records facts for the odd pairings, B for the even ones; both advance and tick.
coordinator() {
  local name=$1 parity=$2
  for week in $(seq 1 26); do
    local now
    now=$(date -u -d "2026-01-05 +$week weeks" +%Y-%m-%dT09:00:00Z)
    for i in $(seq 1 "$N"); do
      [ $((i % 2)) -eq "$parity" ] || continue
      local facts=""
      case $week in
        1) facts="mentor_assigned=true schedule_set=true" ;;
        2) facts="orientation_done=true" ;;
        3) facts="goals_total=4" ;;
        4|5|6|7|8) facts="meetings=$(((week - 3) * 2))" ;;
        9) facts="goals_met=$((i % 5 == 0 ? 2 : 4)) mentee_rating=5 evaluations=1" ;;
        12) facts="goals_met=4 evaluations=2" ;;
      esac
      [ -n "$facts" ] || continue
      # shellcheck disable=SC2086
      "$mf" record --actor "$name" --now "$now" "p-$i" $facts >/dev/null 2>&1 || true
    done
    "$mf" advance --actor "$name" --now "$now" --all >/dev/null 2>&1 || true
    "$mf" tick --actor "$name" --now "$now" >/dev/null 2>&1 || true
  done
}
start=$(date +%s.%N)
coordinator alice 1 &
coordinator bob 0 &
wait
end=$(date +%s.%N)
"$mf" status --now 2026-07-06T09:00:00Z
"$mf" verify
echo "two coordinators, $N pairings, 26 weeks: $(echo "$end - $start" | bc) s"
rm -rf "$work"
