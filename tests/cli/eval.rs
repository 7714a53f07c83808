//! `anbud eval` end to end: the binary on the labelled dev set, with and without `--json`, and
//! on bad input.

use std::process::Output;

use assert_cmd::Command;

fn anbud() -> Command {
    let mut cmd = Command::cargo_bin("anbud").expect("binary built");
    // Keep the developer's own config out of the figures.
    cmd.env_remove("ANBUD_CONFIG")
        .env("HOME", std::env::temp_dir())
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn run(args: &[&str]) -> Output {
    anbud().args(args).output().expect("runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The value of a `name: 0.xx` line.
fn figure(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `{name}:` line in\n{text}"))
}

#[test]
fn dev_set_report() {
    let out = run(&["eval", "tests/fixtures/relevance-dev.jsonl"]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(figure(&text, "precision") >= 0.95, "{text}");
    assert!(figure(&text, "recall") >= 0.93, "{text}");
    assert!(figure(&text, "f1") >= 0.94, "{text}");
    for want in [
        "notices: 308 (60 relevant)",
        "lang nb: n 245",
        "false positives (",
        "false negatives (",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    assert!(!text.lines().any(|l| l.starts_with('{')), "no JSON without --json");
}

#[test]
fn json_lines_per_notice() {
    let out = run(&[
        "eval",
        "tests/fixtures/relevance-dev.jsonl",
        "--json",
        "--profile",
        "health-tech",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let objects: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("each JSON line parses"))
        .collect();
    assert_eq!(objects.len(), 308);
    for o in &objects {
        for key in ["id", "matched", "score", "profiles", "hits"] {
            assert!(o.get(key).is_some(), "{key} missing in {o}");
        }
        let matched = o["matched"].as_bool().expect("bool");
        assert_eq!(o["profiles"].as_array().is_some_and(|p| !p.is_empty()), matched, "{o}");
    }
    let hit = objects
        .iter()
        .find(|o| o["matched"] == true)
        .and_then(|o| o["hits"].as_array()?.first().cloned())
        .expect("some matched notice has hits");
    for key in ["kind", "rule", "field", "start", "end", "weight"] {
        assert!(hit.get(key).is_some(), "{key} missing in {hit}");
    }
}

#[test]
fn malformed_line_is_named() {
    let out = run(&["eval", "tests/fixtures/relevance-malformed.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("relevance-malformed.jsonl:3:"), "{err}");
    assert!(err.contains("relevant"), "names the missing field: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_file_and_unknown_profile_fail_cleanly() {
    let out = run(&["eval", "tests/fixtures/no-such-file.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    let out = run(&[
        "eval",
        "tests/fixtures/relevance-dev.jsonl",
        "--profile",
        "lab-equipment-x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown profile"));
}

#[test]
fn a_bundled_profile_the_config_does_not_use_can_be_measured() {
    let out = run(&[
        "eval",
        "tests/fixtures/relevance-dev.jsonl",
        "--profile",
        "lab-diagnostics",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("profiles: lab-diagnostics\n"), "{text}");
    // A laboratory profile finds only the laboratory share of health tech, but what it finds
    // is relevant.
    assert!(figure(&text, "precision") >= 0.9, "{text}");
    let out = run(&["eval", "tests/fixtures/relevance-dev.jsonl", "--profile", "nope"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("health-tech, lab-diagnostics are bundled"), "{err}");
}

#[test]
fn folds_cross_validate_beside_the_plain_figures() {
    let out = run(&["eval", "tests/fixtures/relevance-dev.jsonl", "--folds", "5"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    println!("{text}");
    assert!(figure(&text, "precision") >= 0.95, "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("fold ")).count(), 5, "{text}");
    // Measured with the default profile: cv precision 0.99, cv recall 0.97 (per fold recall
    // 0.88-1.00; one fold fits offset -3 and gains a match and a false alarm).
    assert!(figure(&text, "cv precision") >= 0.95, "{text}");
    assert!(figure(&text, "cv recall") >= 0.92, "{text}");
    let out = run(&["eval", "tests/fixtures/relevance-dev.jsonl", "--folds", "1"]);
    assert_eq!(out.status.code(), Some(2), "one fold holds nothing out");
}
