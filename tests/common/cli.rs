//! Running the real binary in tests, isolated from the developer's own config and data.
#![allow(dead_code)]

use std::process::Output;

use assert_cmd::Command;

/// The `anbud` binary with no user config and a throwaway home.
pub fn anbud() -> Command {
    let mut cmd = Command::cargo_bin("anbud").expect("binary built");
    cmd.env_remove("ANBUD_CONFIG")
        .env("HOME", std::env::temp_dir())
        .env("XDG_CONFIG_HOME", "/nonexistent");
    cmd
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs and collects the output.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("runs")
}
