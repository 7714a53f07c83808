#!/usr/bin/env bash
# Prints the measured figures: criterion benches, release binary size, demo start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench ingest -- --noplot 2>&1 | grep -E '^(ted_parse|score)|time:|thrpt:'
cargo build --release --quiet
echo "release binary: $(stat -c %s target/release/anbud) bytes"
