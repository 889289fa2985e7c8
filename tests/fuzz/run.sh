#!/usr/bin/env bash
# Fuzzes every reader for a bounded time (FUZZ_SECONDS per target, default 60) and prints,
# per target: seconds, executions, outcome classes seen, corpus size and findings (panics).
# New corpus entries land in tests/fuzz/corpus/TARGET/ (commit the ones worth keeping);
# findings in tests/fuzz/findings/. Not part of CI: it runs as long as it is told to.
#   usage: tests/fuzz/run.sh [TARGET...]   targets: program scenario roster values json
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q --example fuzz
exec target/release/examples/fuzz "$@"
