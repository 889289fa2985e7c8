#!/usr/bin/env bash
# SQLite and PostgreSQL side by side, in one run on this machine: single-command latency on a
# large store, `advance --all` over N pairings, and concurrent coordinator processes.
# PostgreSQL is a throwaway server of the script's own (loopback only, default durability:
# fsync on, like SQLite's synchronous=FULL), stopped at the end.
#   usage: engine/benches/stores.sh [N=100000]     env: ROUNDS=31 WORKERS=8 COMMANDS=50
set -euo pipefail
N=${1:-100000}
ROUNDS=${ROUNDS:-31}
WORKERS=${WORKERS:-8}
COMMANDS=${COMMANDS:-50}
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow -p mentorflow-engine --bins)
mf="$root/target/release/mentorflow"
cohort="$root/target/release/cohort"
work=$(mktemp -d)
chmod 755 "$work"

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pgbin/initdb" ] || { echo "no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 2; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg/data" -A trust -U mentorflow -E UTF8 --locale=C >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-k $work/pg -p $port -c listen_addresses=127.0.0.1 -c max_connections=50" start >/dev/null
trap 'as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1; rm -rf "$work"' EXIT
"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U mentorflow bench
url="postgres://mentorflow@127.0.0.1:$port/bench"

# Nanoseconds (as the sums below take them) read without starting a process: a `date` per
# reading added its own start-up, a few milliseconds, to every command measured.
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
events() { "$mf" verify --store "$1" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["events"])'; }

bench() {
  local name=$1 store=$2
  echo "== $name" >&2
  "$cohort" "$N" populate "$store" >&2
  local t samples=""
  for i in $(seq "$ROUNDS"); do
    t=${EPOCHREALTIME/./}000; "$mf" status --store "$store" "p-$i" >/dev/null; samples+="$(( (${EPOCHREALTIME/./}000 - t) / 1000 ))"$'\n'
  done
  status=$(printf '%s' "$samples" | median)
  samples=""
  for i in $(seq "$ROUNDS"); do
    t=${EPOCHREALTIME/./}000; "$mf" advance --store "$store" "p-$i" >/dev/null; samples+="$(( (${EPOCHREALTIME/./}000 - t) / 1000 ))"$'\n'
  done
  advance=$(printf '%s' "$samples" | median)
  t=${EPOCHREALTIME/./}000; "$mf" advance --store "$store" --all >/dev/null; all=$(( (${EPOCHREALTIME/./}000 - t) / 1000000 ))
  # Concurrent coordinators on the same 200 pairings: each command is acknowledged (exit 0),
  # refused by the engine (exit 1: a guard, a finished pairing), or an error of the store.
  local before; before=$(events "$store")
  t=${EPOCHREALTIME/./}000
  for w in $(seq "$WORKERS"); do
    (
      ok=0; refused=0; failed=0
      for c in $(seq "$COMMANDS"); do
        id="p-$(( 1000 + (w * 7919 + c * 104729) % 200 ))"
        if [ $((c % 2)) = 0 ]; then args=(record "$id" "meetings=$c"); else args=(advance "$id"); fi
        if err=$("$mf" "${args[@]}" --store "$store" --actor "worker-$w" 2>&1 >/dev/null); then ok=$((ok + 1))
        # The store's own errors (not a refusal, whose explanation may say `blocked`).
        elif printf '%s' "$err" | grep -q -e 'store error' -e 'changed by another' -e 'stayed busy' -e 'database is locked'; then failed=$((failed + 1))
        else refused=$((refused + 1)); fi
      done
      echo "$ok $refused $failed" >"$work/$name-worker-$w"
    ) &
  done
  wait
  local secs_ms=$(( (${EPOCHREALTIME/./}000 - t) / 1000000 ))
  read -r ok refused failed < <(cat "$work/$name"-worker-* | awk '{ o += $1; r += $2; f += $3 } END { print o, r, f }')
  local after; after=$(events "$store")
  local lost=$(( ok - (after - before) ))
  "$mf" verify --store "$store" >/dev/null || { echo "$name: verify FAILED" >&2; exit 1; }
  printf '%-11s %9s %10s %12s %13s %8s %8s %7s %5s\n' "$name" "${status}us" "${advance}us" "${all}ms" \
    "$(python3 -c "print(round($((WORKERS * COMMANDS)) / ($secs_ms / 1000), 1))")/s" "$ok" "$refused" "$failed" "$lost"
}

rows=$(
  bench sqlite "$work/bench.db"
  bench postgresql "$url"
)
echo
echo "N=$N pairings; median of $ROUNDS runs per command (whole process); $WORKERS coordinators x $COMMANDS commands"
printf '%-11s %9s %10s %12s %13s %8s %8s %7s %5s\n' store status advance "advance-all" concurrent ok refused errors lost
echo "$rows"
