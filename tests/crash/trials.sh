#!/usr/bin/env bash
# Crash trials: N runs (default 1000) of `advance --all`, `import` and `tick` (in turn), each
# killed with SIGKILL at a random moment, then `verify` (must pass: no torn write, chain
# intact) and a resume (the same command run again to its end), whose store must equal an
# uninterrupted run's: the same chain head (every event, its order and content) and the same
# pairings. Prints the figures; exits non-zero on any failed trial. Not part of CI.
# STORE=postgres runs the same trials on a throwaway PostgreSQL server (tests/crash/postgres.sh):
# the client is killed mid-command and the server must keep every commit whole.
#   usage: [STORE=sqlite|postgres] tests/crash/trials.sh [N=1000] [PAIRINGS=5000]
set -euo pipefail
N=${1:-1000}
P=${2:-5000}
STORE=${STORE:-sqlite}
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow)
mf="$root/target/release/mentorflow"
program="$root/programs/mentoring.toml"
work=$(mktemp -d)
# shellcheck source=tests/crash/postgres.sh
source "$root/tests/crash/postgres.sh"
trap 'pg_stop; rm -rf "$work"' EXIT
cd "$work"
[ "$STORE" = postgres ] && pg_start
T0=2026-01-05T09:00:00Z

python3 - "$P" <<'PY'
import sys
n = int(sys.argv[1])
with open("roster.csv", "w") as f:
    f.write("pairing,type,role,id,experience_years\n")
    for i in range(n):
        f.write(f"g{i},one-on-one,mentor,mentor{i},12\ng{i},one-on-one,mentee,mentee{i},1\n")
with open("facts.csv", "w") as f:
    f.write("pairing,mentor_assigned,schedule_set\n")
    for i in range(1, n + 1):
        f.write(f"p-{i},true,true\n")
PY

quiet() { "$@" >/dev/null 2>&1; }
# A store by name: a SQLite file here, or a database of the throwaway server.
at() { if [ "$STORE" = postgres ]; then pg_url "${1%.db}"; else echo "$1"; fi; }
copy() {
  if [ "$STORE" = postgres ]; then pg_clone "${1%.db}" "${2%.db}"; return; fi
  rm -f "$2" "$2-wal" "$2-shm"; cp "$1" "$2"
}
# The three commands under trial, each with its starting store and its fixed time.
[ "$STORE" = postgres ] && pg_sql "CREATE DATABASE empty"
quiet "$mf" init --store "$(at empty.db)"
copy empty.db enrolled.db
quiet "$mf" import --store "$(at enrolled.db)" --now "$T0" roster.csv --program "$program"
copy enrolled.db ready.db
quiet "$mf" record --store "$(at ready.db)" --now 2026-01-05T10:00:00Z --from facts.csv
declare -A start=([advance]=ready.db [import]=empty.db [tick]=enrolled.db)
args_for() { # command store: sets `args`, the command line under trial
  local store; store=$(at "$2")
  case $1 in
    advance) args=(advance --all --store "$store" --now 2026-01-05T11:00:00Z) ;;
    import) args=(import roster.csv --program "$program" --store "$store" --now "$T0") ;;
    tick) args=(tick --store "$store" --now 2026-04-20T09:00:00Z) ;;
  esac
}
run() { args_for "$1" "$2"; "$mf" "${args[@]}"; }
# Resuming runs the command again to its end; an import is all or none, so it is run again
# only if the killed one stored nothing.
resume() {
  if [ "$1" = import ] && [ "$(events_of "$2")" != 0 ]; then return 0; fi
  run "$1" "$2"
}
events_of() { "$mf" verify --store "$(at "$1")" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["events"])'; }
head_of() { "$mf" verify --store "$(at "$1")" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["head"])'; }
pairings_of() { "$mf" export --store "$(at "$1")" --format csv --what pairings; }

declare -A ref_head ref_pairings runtime
for cmd in advance import tick; do
  copy "${start[$cmd]}" ref.db
  t=$(date +%s%N)
  quiet run "$cmd" ref.db
  runtime[$cmd]=$(( ($(date +%s%N) - t) / 1000000 ))
  ref_head[$cmd]=$(head_of ref.db)
  ref_pairings[$cmd]=$(pairings_of ref.db | md5sum)
done

declare -A trials killed_mid failed
for cmd in advance import tick; do trials[$cmd]=0; killed_mid[$cmd]=0; failed[$cmd]=0; done
cmds=(advance import tick)
for ((i = 0; i < N; i++)); do
  cmd=${cmds[i % 3]}
  copy "${start[$cmd]}" trial.db
  args_for "$cmd" trial.db
  "$mf" "${args[@]}" >/dev/null 2>&1 &
  pid=$!
  # A moment anywhere in the uninterrupted run's time (plus a little past it).
  delay_ms=$(( RANDOM % (runtime[$cmd] + 1) ))
  sleep "$(printf '0.%03d' "$delay_ms")"
  if kill -9 "$pid" 2>/dev/null; then killed_mid[$cmd]=$((killed_mid[$cmd] + 1)); fi
  wait "$pid" 2>/dev/null || true
  trials[$cmd]=$((trials[$cmd] + 1))
  ok=1
  quiet "$mf" verify --store "$(at trial.db)" || { ok=0; echo "trial $i ($cmd, ${delay_ms} ms): verify failed" >&2; }
  quiet resume "$cmd" trial.db || true
  if [ "$(head_of trial.db)" != "${ref_head[$cmd]}" ] || [ "$(pairings_of trial.db | md5sum)" != "${ref_pairings[$cmd]}" ]; then
    ok=0; echo "trial $i ($cmd, ${delay_ms} ms): resumed store differs from the uninterrupted run" >&2
  fi
  [ $ok = 1 ] || failed[$cmd]=$((failed[$cmd] + 1))
done

printf '%-8s %8s %12s %10s %8s %14s\n' command trials killed_mid failed lost uninterrupted_ms
total=0
for cmd in advance import tick; do
  printf '%-8s %8d %12d %10d %8d %14d\n' "$cmd" "${trials[$cmd]}" "${killed_mid[$cmd]}" "${failed[$cmd]}" "${failed[$cmd]}" "${runtime[$cmd]}"
  total=$((total + failed[$cmd]))
done
echo "store: $STORE; pairings per store: $P; killed_mid: the process was still running when killed; a failed trial is one whose verify failed or whose resumed store differs"
[ "$total" = 0 ]
