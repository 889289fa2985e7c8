#!/usr/bin/env bash
# Outbox trials: N runs (default 1000) of `outbox deliver`, each killed with SIGKILL at a
# random moment (before, while or after it hands a notice on, or between the hand-off and
# its record), then one final delivery run once every claim has expired. Every notice must be
# delivered at least once, and a pairing's notices first in queue order: no notice is handed
# on before an earlier one of its pairing was. `verify` must pass (the outbox against the
# log). Prints the figures; exits non-zero on any breach. Not part of CI.
#   usage: [STORE=sqlite|postgres] tests/crash/outbox.sh [N=1000] [PAIRINGS=1500]
set -euo pipefail
N=${1:-1000}
P=${2:-1500}
STORE=${STORE:-sqlite}
root=$(cd "$(dirname "$0")/../.." && pwd)
(cd "$root" && cargo build --release -q -p mentorflow)
mf="$root/target/release/mentorflow"
work=$(mktemp -d)
# shellcheck source=tests/crash/postgres.sh
source "$root/tests/crash/postgres.sh"
trap 'pg_stop; rm -rf "$work"' EXIT
cd "$work"
store="$work/store.db"
if [ "$STORE" = postgres ]; then
  pg_start
  pg_sql "CREATE DATABASE outbox"
  store=$(pg_url outbox)
fi

# Every pairing is welcomed when enrolled and told when it finishes: two notices each.
python3 - "$P" <<'PY'
import sys
with open("roster.csv", "w") as f:
    f.write("pairing,role,id\n")
    for i in range(int(sys.argv[1])):
        f.write(f"{i},runner,r{i}\n")
PY
"$mf" init --store "$store" >/dev/null
"$mf" import roster.csv --program "$root/tests/fixtures/store/notifying.toml" --type solo \
  --store "$store" >/dev/null
"$mf" advance --all --store "$store" >/dev/null
queued=$("$mf" outbox --store "$store" --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["notifications"]))')

# The sender notes each notice it is handed (outbox id and pairing), after a moment's work.
cat >send.sh <<SH
#!/bin/sh
read -r notice
id=\$(printf '%s' "\$notice" | sed 's/.*"id":\([0-9][0-9]*\),.*/\1/')
pairing=\$(printf '%s' "\$notice" | sed 's/.*"pairing":"\([^"]*\)".*/\1/')
# A notice cut short (its deliverer was killed while writing it) is refused, as a real
# sender refuses input it cannot read.
case "\$id" in ''|*[!0-9]*) exit 1 ;; esac
case "\$notice" in *'}') ;; *) exit 1 ;; esac
sleep 0.00\$((\$\$ % 10))
echo "\$id \$pairing" >>"$work/sent"
SH
chmod +x send.sh
: >sent

killed_mid=0
for ((i = 0; i < N; i++)); do
  "$mf" outbox deliver --store "$store" --exec "$work/send.sh" --lease 1 --limit 10 >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' $((RANDOM % 150)))"
  if kill -9 "$pid" 2>/dev/null; then killed_mid=$((killed_mid + 1)); fi
  wait "$pid" 2>/dev/null || true
done
sleep 1.5 # every claim of a killed deliverer has expired
rounds=0
while [ "$("$mf" outbox --store "$store" --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["notifications"]))')" != 0 ]; do
  "$mf" outbox deliver --store "$store" --exec "$work/send.sh" --lease 5 --limit 100000 >/dev/null 2>&1 || true
  rounds=$((rounds + 1))
  [ $rounds -lt 20 ] || { echo "notices stay pending after 20 final runs" >&2; exit 1; }
  sleep 0.2
done
sleep 0.2 # a sender a killed deliverer left running finishes its line

"$mf" outbox --store "$store" --all --json >outbox.json
verified=0
"$mf" verify --store "$store" >/dev/null && verified=1
python3 - "$queued" "$N" "$killed_mid" "$verified" "$STORE" <<'PY'
import json, sys
queued, trials, killed, verified, store = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
notices = json.load(open("outbox.json"))["notifications"]
order = {}  # pairing -> its outbox ids in queue order
for n in notices:
    order.setdefault(n["pairing"], []).append(n["id"])
sent, seen, out_of_order, unknown = [], set(), 0, 0
for line in open("sent"):
    parts = line.split()
    if len(parts) != 2 or not parts[0].isdigit():
        unknown += 1
        continue
    nid, pairing = int(parts[0]), parts[1]
    ids = order.get(pairing, [])
    if nid not in ids:
        unknown += 1
        continue
    # Handed on before an earlier notice of its pairing was handed on at least once.
    if any(earlier not in seen for earlier in ids[: ids.index(nid)]):
        out_of_order += 1
    seen.add(nid)
    sent.append(nid)
missing = [n["id"] for n in notices if n["id"] not in seen]
undelivered = [n["id"] for n in notices if not n["delivered_at"]]
twice = len(sent) - len(seen)
print(f"store {store}: {trials} deliverers, {killed} killed mid-run; {queued} notices, "
      f"{len(sent)} hand-offs, {twice} repeated; missing {len(missing)}, "
      f"out of order {out_of_order}, not marked delivered {len(undelivered)}, "
      f"unreadable lines {unknown}, verify {'passed' if verified else 'FAILED'}")
sys.exit(0 if not missing and not out_of_order and not undelivered and not unknown and verified else 1)
PY
