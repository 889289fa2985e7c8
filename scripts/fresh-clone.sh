#!/usr/bin/env bash
# What a new user does on a fresh machine, in a fresh clone of this repository's HEAD: the
# README's two commands, `cargo install --path cli`, then the shell habits a cron line or a
# script relies on. Every step must exit 0. CI runs it after the test suite, with
# --tests-ran: CI's own `cargo test --workspace` on its fresh clone is the README's test
# command, and running it twice would double CI's time.
#
#   scripts/fresh-clone.sh [--tests-ran]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tests_ran=false
[[ "${1:-}" == "--tests-ran" ]] && tests_ran=true

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
step() { echo "== $*" >&2; }

step "a fresh clone of HEAD"
git clone -q "$repo" "$work/clone"
cd "$work/clone"
# Built once: the clone's commands share the repository's build cache.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

step "README: the main job"
cargo run -q -- demo > "$work/demo.txt"
if ! $tests_ran; then
  step "README: every test"
  cargo test -q --workspace
fi

step "cargo install --path cli"
# A release build without link-time optimisation: the same binary's behaviour in a third of
# the time (the shipped release profile is for the benchmarks and release binaries).
CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo install -q --path cli --root "$work/install" --target-dir "$CARGO_TARGET_DIR/fresh-install"
mf="$work/install/bin/mentorflow"
"$mf" --version

cd "$work"
step "mentorflow --store X status (a store flag before the command)"
"$mf" init --store "$work/x.db" > /dev/null
"$mf" --store "$work/x.db" status

step "check - (a program on standard input)"
"$mf" check - < "$work/clone/programs/mentoring.toml"

step "export | head -1 (a reader that goes away)"
"$mf" demo --store "$work/demo.db" > /dev/null
set +o pipefail
"$mf" export --store "$work/demo.db" --format csv --what events | head -1
status="${PIPESTATUS[0]}"
set -o pipefail
[[ "$status" == 0 ]] || { echo "export into head exited $status" >&2; exit 1; }

step "report --html - (a page on standard output)"
"$mf" report --store "$work/demo.db" --html - | head -c 15; echo
echo "fresh clone: every step exited 0" >&2
