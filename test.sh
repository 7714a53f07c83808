#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, then every test target.
# Needs only Rust (rustfmt and clippy come with the standard toolchain).
set -euo pipefail
cd "$(dirname "$0")"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --all-targets --locked
