#!/usr/bin/env bash
# Whole-process latency of single commands on a large SQLite store: N "cohort" pairings
# (populated by the cohort driver, facts recorded) plus 200 sales-onboarding pairings, whose
# program uses a library, stage actions that set facts and notify (the outbox), schedules and
# criteria. Each command runs on a pairing of its own, ROUNDS times; the median is printed.
#   usage: engine/benches/latency.sh [N=1000000]     env: ROUNDS=21, STORE=PATH (a store to
#   reuse: populated with N pairings when missing, kept; each run adds its sales pairings)
set -euo pipefail
N=${1:-1000000}
ROUNDS=${ROUNDS:-21}
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow -p mentorflow-engine --bins)
mf="$root/target/release/mentorflow"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store=${STORE:-$work/big.db}
T0=2026-01-05T09:00:00Z
SALES=200

if [ ! -e "$store" ]; then
  echo "populating $N pairings into $store" >&2
  "$root/target/release/cohort" "$N" populate "$store" >&2
fi
# New people on every run (a reused store already has the last run's).
python3 - "$work" "$SALES" "$(date +%s%N)" <<'PY'
import sys
work, n, run = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(f"{work}/roster.csv", "w") as f:
    f.write("pairing,type,role,id,region\n")
    for i in range(n):
        f.write(f"s{i},one-on-one,mentor,sm{run}-{i},emea\ns{i},one-on-one,mentee,sh{run}-{i},emea\n")
PY
first=$("$mf" import --store "$store" --now "$T0" "$work/roster.csv" --program "$root/programs/sales-onboarding.toml" --json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["events"][0]["pairing"][2:])')
echo "store: $((first + SALES - 1)) pairings ($(du -h "$store" | cut -f1))" >&2

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
# measure LABEL FIRST_ID ARGS...: runs `mentorflow ARGS` on p-FIRST_ID, p-(FIRST_ID+1), ...
# (`{}` in ARGS is the pairing), fails on a non-zero exit, prints the median in ms.
at=(--now 2026-01-12T09:00:00Z)
measure() {
  local label=$1 first=$2; shift 2
  local samples="" t args
  for i in $(seq 0 $((ROUNDS - 1))); do
    args=("${@//\{\}/p-$((first + i))}")
    t=${EPOCHREALTIME/./}   # microseconds, read without starting a process
    "$mf" "${args[@]}" --store "$store" >/dev/null \
      || { echo "$label failed: mentorflow ${args[*]}" >&2; exit 1; }
    samples+="$(( ${EPOCHREALTIME/./} - t ))"$'\n'
  done
  printf '%-58s %8.1f ms\n' "$label" "$(printf '%s' "$samples" | median | awk '{ print $1 / 1000 }')"
}

s=$first
# Cohort pairings no earlier run on this store has used: the n-th run takes the n-th blocks.
run=$(( (first - N - 1) / SALES ))
block() { echo $(( 1 + (run * 4 + $1) * ROUNDS )); }
[ "$(block 4)" -le "$N" ] || { echo "the store's cohort pairings are used up: start a fresh one" >&2; exit 2; }
echo "$((first + SALES - 1)) pairings; whole process, median of $ROUNDS"
measure "status (cohort pairing)" "$(block 0)" status {} "${at[@]}"
measure "advance (cohort: a guard on facts)" "$(block 1)" advance {} "${at[@]}"
measure "record 2 facts (cohort)" "$(block 2)" record {} meetings=7 rating=4 "${at[@]}"
measure "log (cohort)" "$(block 3)" log {}
measure "status (sales: library, criteria, schedules)" "$s" status {} "${at[@]}"
measure "record 2 facts (sales)" "$s" record {} ramp_plan_agreed=true end_date=2026-06-01 "${at[@]}"
measure "advance (sales: on_enter sets a fact and notifies)" "$s" advance {} "${at[@]}"
measure "done one_on_one (sales: a schedule occurrence)" "$s" done {} one_on_one "${at[@]}"
measure "withdraw (sales: from any stage, with a reason)" $((s + ROUNDS)) withdraw {} --reason left "${at[@]}"
