//! The kill test: the real binary in a real pseudo-terminal (util-linux `script`), a decision made
//! with a key press, then SIGKILL as soon as the screen says it is saved. On restart the decision is
//! there: the screen never claims what SQLite has not committed.

use crate::common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::cli::{anbud, run, text};

/// Drops ANSI escape sequences so screen text can be searched.
fn strip_ansi(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            // CSI: parameters until a final byte in @..~.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

/// Whether `needle` was drawn, ignoring blanks: ratatui redraws only the cells that changed and
/// moves the cursor over unchanged ones, so spaces are often not in the output.
fn drawn(screen: &str, needle: &str) -> bool {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squeeze(&strip_ansi(screen)).contains(&squeeze(needle))
}

/// Reads the pty output until `needle` shows on screen or the time is up.
fn wait_for(rx: &mpsc::Receiver<String>, screen: &mut String, needle: &str, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if drawn(screen, needle) {
            return true;
        }
        if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(50)) {
            screen.push_str(&chunk);
        }
    }
    drawn(screen, needle)
}

#[test]
fn a_decision_survives_sigkill_right_after_the_screen_confirms_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("kill.db");
    let pid_file = dir.path().join("pid");
    let bin = assert_cmd::cargo::cargo_bin("anbud");
    // `exec` makes the shell's pid anbud's, so the pid file names the process to kill.
    let inner = format!(
        "stty cols 120 rows 30; echo $$ > {pid}; exec {bin} --db {db} demo",
        pid = pid_file.display(),
        bin = bin.display(),
        db = db.display()
    );
    let mut child = Command::new("script")
        .args(["-q", "-f", "-e", "-c", &inner, "/dev/null"])
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("util-linux `script` runs (Debian: apt-get install bsdutils)");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(String::from_utf8_lossy(&buf[..n]).into_owned()).is_err() {
                break;
            }
        }
    });
    let mut screen = String::new();
    // The demo's four feeds have answered when the Inbox has rows and every feed is ✓.
    assert!(
        wait_for(&rx, &mut screen, "Doffin ✓", Duration::from_secs(60)),
        "the demo did not come up:\n{}",
        strip_ansi(&screen)
    );
    std::thread::sleep(Duration::from_millis(300));
    screen.clear();
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"s").expect("press s");
    stdin.flush().expect("flush");
    assert!(
        // "Saving: shortlisted…" while pending; the dash only once SQLite has committed.
        wait_for(&rx, &mut screen, "shortlisted —", Duration::from_secs(20)),
        "no confirmation on screen:\n{}",
        strip_ansi(&screen)
    );
    let pid = std::fs::read_to_string(&pid_file).expect("pid file").trim().to_owned();
    let killed = Command::new("kill").args(["-KILL", &pid]).status().expect("kill runs");
    assert!(killed.success());
    let _ = child.wait();

    let out = run(anbud()
        .args(["--db"])
        .arg(&db)
        .args(["list", "--status", "shortlisted", "--json"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shortlisted = text(&out.stdout);
    assert_eq!(
        shortlisted.lines().count(),
        1,
        "exactly the one decision:\n{shortlisted}"
    );
}
