#!/usr/bin/env bash
# Release binaries: the mentorflow binary for this machine's target, built with the release
# profile (fat LTO), stripped, packed with the licences, README and changelog as
# dist/mentorflow-VERSION-TARGET.tar.gz with its SHA-256 beside it.
#
#   scripts/release.sh [TARGET]      (default: this machine's; rustup target add TARGET first)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-$(rustc -vV | sed -n 's/^host: //p')}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
name="mentorflow-$version-$target"

cargo build --release --locked -p mentorflow --target "$target"
rm -rf "dist/$name" && mkdir -p "dist/$name"
cp "target/$target/release/mentorflow" "dist/$name/"
strip "dist/$name/mentorflow" 2>/dev/null || true
cp LICENSE-MIT LICENSE-APACHE README.md CHANGELOG.md "dist/$name/"
tar -C dist -czf "dist/$name.tar.gz" "$name"
(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
rm -rf "dist/$name"
"target/$target/release/mentorflow" --version
echo "dist/$name.tar.gz"
