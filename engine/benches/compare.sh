#!/usr/bin/env bash
# The cohort workload (shared/bench/WORKLOAD.md) through the peer engines and through
# mentorflow, one after another on this machine, with medians and ratios in one table.
#   usage: engine/benches/compare.sh [N=100000]     env: RUNS=3, PEERS=<peers folder>, SKIP_BUILD=1
set -euo pipefail
N=${1:-100000}
RUNS=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
peers=${PEERS:-$root/../shared/bench/peers}
[ -x "$peers/run.sh" ] || [ -f "$peers/run.sh" ] || { echo "no peers at $peers (set PEERS=...)" >&2; exit 2; }

bins=$(mktemp -d)
(cd "$root" && cargo build --release -q -p mentorflow-engine --bin cohort --features mimalloc)
cp "$root/target/release/cohort" "$bins/cohort-mimalloc"
(cd "$root" && cargo build --release -q -p mentorflow-engine --bin cohort)
ours="$root/target/release/cohort"
raw=$(mktemp)

echo "== peers (shared/bench/peers/run.sh $N, RUNS=$RUNS)" >&2
peer_out=$(RUNS=$RUNS bash "$peers/run.sh" "$N")
echo "$peer_out" >&2
work=${PEERS_WORK:-${TMPDIR:-/tmp}/mentorflow-peers}
cat "$work/$(echo "$peer_out" | sed -n 's/^raw lines: //p')" >>"$raw"

echo "== mentorflow (RUNS=$RUNS)" >&2
# The in-memory runs first in each round: after the store runs the kernel is still writing
# their files back, and a run that then asks for fresh memory waits for it.
for r in $(seq "$RUNS"); do
  echo "round $r/$RUNS: cohort $N memory" >&2
  "$ours" "$N" memory >>"$raw"
  echo "round $r/$RUNS: cohort $N memory (mimalloc)" >&2
  "$bins/cohort-mimalloc" "$N" memory >>"$raw"
  echo "round $r/$RUNS: cohort-people $N memory" >&2
  "$ours" "$N" memory --people >>"$raw"
  for mode in store-batch store-pairing store-durable; do
    echo "round $r/$RUNS: cohort $N $mode" >&2
    "$ours" "$N" "$mode" >>"$raw"
  done
done

python3 - "$raw" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    if "engine" in kv:
        rows.setdefault(kv["engine"], []).append(kv)
tps = {e: statistics.median(float(r["tps"]) for r in runs) for e, runs in rows.items()}
ok = {e: len({(r["checksum"], r["transitions"]) for r in runs}) == 1 for e, runs in rows.items()}
peers = [e for e in tps if not e.startswith("mentorflow")]
print(f"\n{'engine':30} {'median tx/s':>14}  checksum   " + "  ".join(f"{'vs ' + p:>22}" for p in peers))
for e in tps:
    ratios = "  ".join(f"{tps[e] / tps[p]:>22.2f}" for p in peers)
    print(f"{e:30} {tps[e]:>14,.0f}  {rows[e][0]['checksum']:>9}{'' if ok[e] else '!'}  {ratios}")
PY
rm -rf "$raw" "$bins"

# The guard corpus: each shape programs write, per evaluation, against the plain comparison
# (engine/benches/guards.rs).
echo >&2 "the guard corpus"
cargo bench -q -p mentorflow-engine --bench guards
