//! The binary end to end: config errors, `poll --once` (and `--quiet`), `list --json`, `export`, against a
//! loopback server; `--help`, completions and the man page. Filters and formats: `tests/cli/export.rs`.

use anbud::demo;
use anbud::demo::server::{CannedResponse, LoopbackServer, Route};

use crate::common;

use common::cli::{anbud, run, text};

#[test]
fn unknown_key_reports_file_line_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "export_dir = \".\"\n\npoll_intervall = \"5m\"\n").expect("write");
    let out = run(anbud().arg("--config").arg(&config).arg("list"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("bad.toml:3:1"), "{err}");
    assert!(err.contains("poll_intervall"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_value_reports_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("bad.toml");
    std::fs::write(
        &config,
        "[[feeds]]\nname = \"TED\"\nkind = \"ted\"\nbase_url = \"api.ted.europa.eu\"\n",
    )
    .expect("write");
    let out = run(anbud().arg("--config").arg(&config).args(["poll", "--once"]));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("bad.toml:4:"), "{err}");
    assert!(err.contains("http://"), "{err}");
}

#[test]
fn missing_config_file_is_an_error() {
    let out = run(anbud().args(["--config", "/nonexistent/anbud.toml", "list"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/anbud.toml"));
}

#[test]
fn print_default_config_round_trips() {
    let out = run(anbud().arg("--print-default-config"));
    assert!(out.status.success());
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("copy.toml");
    std::fs::write(&config, &out.stdout).expect("write");
    let db = dir.path().join("x.db");
    let out = run(anbud().arg("--config").arg(&config).arg("--db").arg(&db).arg("list"));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn feed_config(dir: &std::path::Path, feeds: &[(&str, String)]) -> std::path::PathBuf {
    let mut toml = String::new();
    for (name, url) in feeds {
        toml.push_str(&format!(
            "[[feeds]]\nname = \"{name}\"\nkind = \"ted\"\nbase_url = \"{url}\"\ncountries = [\"NOR\"]\n\n"
        ));
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, toml).expect("write config");
    path
}

/// Runs `anbud poll --once` (plus `extra`) on the blocking pool, so the test's loopback server
/// keeps serving on the async runtime meanwhile.
async fn poll_once(config: &std::path::Path, db: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = anbud();
    cmd.arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db)
        .args(["poll", "--once"])
        .args(extra);
    tokio::task::spawn_blocking(move || run(&mut cmd)).await.expect("join")
}

/// A loopback URL with nothing listening: bind a port, read it, let it go.
fn dead_url() -> String {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    format!("http://{}", dead.local_addr().expect("addr"))
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_then_list_json_and_export() {
    let server = LoopbackServer::start(demo::ted_demo_routes("/v3/notices/search"))
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = feed_config(dir.path(), &[("TED", server.base_url())]);
    let db = dir.path().join("anbud.db");

    let poll = poll_once(&config, &db, &[]).await;
    let stdout = text(&poll.stdout);
    assert_eq!(poll.status.code(), Some(0), "{stdout}{}", text(&poll.stderr));
    assert!(stdout.starts_with("TED: "), "{stdout}");
    assert!(stdout.contains(" new, 0 updated, "), "{stdout}");
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "three pages fetched, then the award search");
    let award_query = requests[3].body_json().expect("json")["query"].clone();
    assert!(
        award_query.as_str().expect("query").starts_with("form-type=result"),
        "{award_query}"
    );

    let list = run(anbud()
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["list", "--status", "all", "--json"]));
    assert!(list.status.success());
    let lines: Vec<serde_json::Value> = text(&list.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(lines.len() >= 15, "{} notices", lines.len());
    for line in &lines {
        for key in [
            "source", "id", "title", "buyer", "deadline", "score", "matched", "status", "url",
        ] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
        assert_eq!(line["source"], "ted");
        assert_eq!(line["status"], "new");
        if let Some(deadline) = line["deadline"].as_str() {
            assert!(deadline.parse::<jiff::Timestamp>().is_ok(), "RFC 3339: {deadline}");
        }
    }
    let ids: std::collections::HashSet<_> = lines.iter().map(|l| l["id"].as_str().expect("id").to_owned()).collect();
    assert_eq!(ids.len(), lines.len(), "no duplicates");

    // Shortlist one through the store, as the dashboard would, then export.
    let first = lines[0]["key"].as_str().expect("key").to_owned();
    {
        let mut store = anbud::store::Store::open(&db).expect("open");
        let change = anbud::model::TriageChange {
            id: anbud::model::NoticeId(first),
            from: anbud::model::Triage::New,
            to: anbud::model::Triage::Shortlisted,
        };
        store.save_triage(&change, jiff::Timestamp::now()).expect("save");
    }
    let csv_path = dir.path().join("out.csv");
    let export = run(anbud()
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .arg("export")
        .arg("-o")
        .arg(&csv_path));
    assert!(export.status.success(), "{}", text(&export.stderr));
    let csv = std::fs::read_to_string(&csv_path).expect("csv written");
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some(
            "source,key,title,buyer,country,cpv,deadline,published,value,currency,status,score,matched_terms,note,url"
        )
    );
    assert_eq!(rows.count(), 1);
    assert!(csv.contains(",shortlisted,"));

    let shortlisted = run(anbud().arg("--config").arg(&config).arg("--db").arg(&db).args([
        "list",
        "--status",
        "shortlisted",
        "--json",
    ]));
    assert_eq!(text(&shortlisted.stdout).lines().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_exit_codes_reflect_failures() {
    let server = LoopbackServer::start(demo::ted_demo_routes("/v3/notices/search"))
        .await
        .expect("server");
    let dead_url = dead_url();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("anbud.db");

    let some = feed_config(dir.path(), &[("Good", server.base_url()), ("Broken", dead_url.clone())]);
    let out = poll_once(&some, &db, &[]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("Good: "), "{stdout}");
    assert!(stdout.contains("Broken: error: cannot connect"), "{stdout}");

    let all = feed_config(dir.path(), &[("Broken", dead_url)]);
    let out = poll_once(&all, &db, &[]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_failing_on_its_last_page_writes_nothing_though_its_first_pages_were_staged() {
    // The demo's three TED pages, the third refused: the first two were already scored and staged
    // by the time it fails.
    let pages = demo::ted_demo_routes(demo::TED_DEMO_PATH).remove(0).respond;
    let route = Route::new("POST", demo::TED_DEMO_PATH, move |req| {
        let token = req
            .body_json()
            .and_then(|b| b.get("iterationNextToken")?.as_str().map(str::to_owned));
        if token.as_deref() == Some(demo::TED_DEMO_TOKEN_PAGE_3) {
            CannedResponse::json(500, r#"{"message":"internal error"}"#)
        } else {
            pages(req)
        }
    });
    let server = LoopbackServer::start(vec![route]).await.expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = feed_config(dir.path(), &[("TED", server.base_url())]);
    let db = dir.path().join("anbud.db");

    let out = poll_once(&config, &db, &[]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("TED: error: "), "{stdout}");
    let token_requests = server
        .requests()
        .iter()
        .filter(|r| r.body_json().is_some_and(|b| b.get("iterationNextToken").is_some()))
        .count();
    assert!(
        token_requests >= 2,
        "pages two and three were asked for: {token_requests}"
    );
    let conn = rusqlite::Connection::open(&db).expect("open");
    let count = |table: &str| -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    };
    assert_eq!((count("notices"), count("dedup_keys"), count("feed_state")), (0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_quiet_prints_only_errors() {
    let server = LoopbackServer::start(demo::ted_demo_routes("/v3/notices/search"))
        .await
        .expect("server");
    let dead_url = dead_url();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("anbud.db");
    let good = feed_config(dir.path(), &[("Good", server.base_url())]);
    let out = poll_once(&good, &db, &["--quiet"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{}", text(&out.stdout));

    let some = feed_config(dir.path(), &[("Good", server.base_url()), ("Broken", dead_url)]);
    let out = poll_once(&some, &db, &["--quiet"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("Broken: error: "), "{stdout}");
}

#[test]
fn help_documents_exit_codes() {
    for args in [&["--help"][..], &["poll", "--help"]] {
        let out = run(anbud().args(args));
        assert!(out.status.success());
        let help = text(&out.stdout);
        assert!(
            help.contains("Exit codes:") && help.contains("every active feed failed"),
            "{help}"
        );
    }
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(anbud().args(["completions", shell]));
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(
            script.contains("anbud") && script.contains("digest") && script.contains("delimiter"),
            "{shell}"
        );
    }
    let out = run(anbud().arg("man"));
    assert!(out.status.success());
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "roff: {}",
        &page[..page.len().min(80)]
    );
    assert!(page.contains(".TH anbud") && page.contains("export"), "{page}");
}

/// The `updatedFrom` of an OCDS request.
fn updated_from(req: &anbud::demo::server::RecordedRequest) -> jiff::Timestamp {
    let value = req
        .query
        .split('&')
        .find_map(|pair| pair.strip_prefix("updatedFrom="))
        .expect("updatedFrom sent");
    value.replace("%3A", ":").parse().expect("a timestamp")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_poll_once_resumes_from_the_saved_cursor_and_validators() {
    let server = LoopbackServer::start(demo::all_demo_routes()).await.expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let base = server.base_url();
    std::fs::write(
        &config,
        format!(
            "lookback_days = 14\n\n\
             [[feeds]]\nname = \"Bergen\"\nkind = \"rss\"\nbase_url = \"{base}{}\"\n\n\
             [[feeds]]\nname = \"FTS\"\nkind = \"ocds\"\nbase_url = \"{base}\"\npath = \"{}\"\n",
            demo::RSS_DEMO_PATH,
            demo::OCDS_DEMO_PATH
        ),
    )
    .expect("write config");
    let db = dir.path().join("anbud.db");

    let before = jiff::Timestamp::now();
    let first = poll_once(&config, &db, &[]).await;
    let after = jiff::Timestamp::now();
    assert!(first.status.success(), "{}{}", text(&first.stdout), text(&first.stderr));
    let second = poll_once(&config, &db, &[]).await;
    let stdout = text(&second.stdout);
    assert!(second.status.success(), "{stdout}{}", text(&second.stderr));

    let requests = server.requests();
    let rss: Vec<_> = requests.iter().filter(|r| r.path == demo::RSS_DEMO_PATH).collect();
    assert_eq!(rss.len(), 2);
    assert_eq!(
        rss[0].header("if-none-match"),
        None,
        "nothing saved before the first poll"
    );
    let etag = rss[1]
        .header("if-none-match")
        .expect("the saved ETag is sent after a restart");
    assert!(!etag.is_empty());
    assert!(
        stdout.contains("Bergen: 0 new, 0 updated, 0 matched, 0 fetched"),
        "a 304: {stdout}"
    );

    let ocds: Vec<_> = requests.iter().filter(|r| r.path == demo::OCDS_DEMO_PATH).collect();
    assert_eq!(ocds.len(), 2);
    let day = jiff::SignedDuration::from_hours(24);
    // First run: the lookback; second: the saved high-water mark (the first run's start) less a day.
    let lookback = jiff::SignedDuration::from_hours(14 * 24);
    let (a, b) = (updated_from(ocds[0]), updated_from(ocds[1]));
    assert!(
        before - lookback - day.checked_div(24).unwrap() <= a && a <= after - lookback,
        "{a}"
    );
    assert!(
        before - day - jiff::SignedDuration::from_secs(1) <= b && b <= after - day,
        "{b}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_prints_the_warnings_of_a_poll_that_worked() {
    // Doffin's recorded answer: 157,143 hits, the whole database, for a filtered query.
    let recorded = include_bytes!("../../src/demo/fixtures/doffin/search-response-1.json");
    let server = LoopbackServer::start(vec![anbud::demo::server::Route::new(
        "GET",
        demo::DOFFIN_DEMO_PATH,
        move |_| anbud::demo::server::CannedResponse::json(200, recorded.to_vec()),
    )])
    .await
    .expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[feeds]]\nname = \"Doffin\"\nkind = \"doffin\"\nbase_url = \"{}{}\"\napi_key_env = \"ANBUD_CLI_TEST_DOFFIN_KEY\"\n",
            server.base_url(),
            demo::DOFFIN_DEMO_BASE_PATH
        ),
    )
    .expect("write config");
    let mut cmd = anbud();
    cmd.env("ANBUD_CLI_TEST_DOFFIN_KEY", "test-key-1234")
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("anbud.db"))
        .args(["poll", "--once"]);
    let out = tokio::task::spawn_blocking(move || run(&mut cmd)).await.expect("join");
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "a warning is not a failure: {stdout}{}",
        text(&out.stderr)
    );
    let warning = stdout
        .lines()
        .find(|l| l.starts_with("Doffin: warning: "))
        .unwrap_or_else(|| panic!("no warning line in {stdout}"));
    assert!(
        warning.contains("157143 hits") && warning.contains("ignored a filter"),
        "{warning}"
    );
    assert!(stdout.contains("Doffin: 3 new"), "{stdout}");
}

/// The issue's acceptance run: one config with all four kinds of feed (TED, Doffin, Find a Tender
/// OCDS, RSS) healthy on one loopback server, plus a broken OCDS path, a dead RSS host and a Doffin
/// feed without its key. Every healthy feed's notices are stored; each broken one is named with
/// what went wrong; the keyless one is inactive, not failed.
#[tokio::test(flavor = "multi_thread")]
async fn poll_once_with_all_four_kinds_stores_the_healthy_and_names_the_broken() {
    let server = LoopbackServer::start(demo::all_demo_routes()).await.expect("server");
    let base = server.base_url();
    let dead = dead_url();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let toml = format!(
        r#"
[[feeds]]
name = "TED"
kind = "ted"
base_url = "{base}"
countries = ["NOR", "SWE"]

[[feeds]]
name = "Doffin"
kind = "doffin"
base_url = "{base}/public/v2"
api_key_env = "ANBUD_TEST_DOFFIN_KEY"

[[feeds]]
name = "Find a Tender"
kind = "ocds"
base_url = "{base}"
source = "fts"
notice_url = "https://www.find-tender.service.gov.uk/Notice/{{id}}"

[[feeds]]
name = "Kommune RSS"
kind = "rss"
base_url = "{base}{rss}"
source = "rss"

[[feeds]]
name = "Broken OCDS"
kind = "ocds"
base_url = "{base}"
path = "/no/such/api"

[[feeds]]
name = "Dead RSS"
kind = "rss"
base_url = "{dead}/feed.xml"

[[feeds]]
name = "Keyless Doffin"
kind = "doffin"
base_url = "{base}/public/v2"
api_key_env = "ANBUD_TEST_NO_SUCH_KEY"
"#,
        rss = demo::RSS_DEMO_PATH
    );
    std::fs::write(&config, toml).expect("config");
    let db = dir.path().join("anbud.db");
    let mut cmd = anbud();
    cmd.env("ANBUD_TEST_DOFFIN_KEY", "demo")
        .env_remove("ANBUD_TEST_NO_SUCH_KEY")
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["poll", "--once"]);
    let out = tokio::task::spawn_blocking(move || run(&mut cmd)).await.expect("join");
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "some feeds failed:\n{stdout}{}",
        text(&out.stderr)
    );
    let line = |feed: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{feed}: ")))
            .unwrap_or_else(|| panic!("no line for {feed}:\n{stdout}"))
            .to_owned()
    };
    for healthy in ["TED", "Doffin", "Find a Tender", "Kommune RSS"] {
        let l = line(healthy);
        assert!(l.contains(" new, ") && !l.contains("error"), "{l}");
    }
    assert!(line("Broken OCDS").contains("error: HTTP 404"), "{stdout}");
    assert!(line("Dead RSS").contains("error: cannot connect"), "{stdout}");
    let keyless = line("Keyless Doffin");
    assert!(
        keyless.contains("inactive") && keyless.contains("ANBUD_TEST_NO_SUCH_KEY"),
        "{keyless}"
    );

    let list = run(anbud()
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["list", "--status", "all", "--json"]));
    assert!(list.status.success(), "{}", text(&list.stderr));
    let sources: std::collections::BTreeMap<String, usize> =
        text(&list.stdout).lines().fold(Default::default(), |mut counts, l| {
            let value: serde_json::Value = serde_json::from_str(l).expect("json");
            *counts
                .entry(value["source"].as_str().expect("source").to_owned())
                .or_default() += 1;
            counts
        });
    for source in ["ted", "doffin", "fts", "rss"] {
        assert!(
            sources.get(source).is_some_and(|n| *n > 0),
            "{source} stored: {sources:?}"
        );
    }
}

// ---- Standard output that goes away: a pipe closed early, a full disk.

/// The binary as a plain `std::process::Command` (stdout is set per test), isolated like [`anbud`].
fn anbud_to(stdout: impl Into<std::process::Stdio>) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_anbud"));
    cmd.env_remove("ANBUD_CONFIG")
        .env("HOME", std::env::temp_dir())
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("ANBUD_NOW", "2026-11-22T12:00:00Z")
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(std::process::Stdio::piped());
    cmd
}

/// A pipe whose reading end is already closed: the first write gets EPIPE, whatever the output's size.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer
}

/// `/dev/full`: every write fails with ENOSPC.
fn full_disk() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

/// A database holding `n` notices: `list --json` then prints far more than a pipe buffers (64 KiB).
fn db_with_notices(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let db = dir.join("many.db");
    let mut store = anbud::store::Store::open(&db).expect("open");
    let items: Vec<_> = (0..n)
        .map(|i| {
            common::notice(&format!("ted:{i}-2026"))
                .title(&format!("Ultralydapparat til sykehus nummer {i}, levering og service"))
                .deadline("2027-01-15T12:00:00Z")
                .score(20)
                .scored()
        })
        .collect();
    store.upsert_notices(&items, common::now()).expect("save");
    db
}

/// The commands whose output a user may pipe, with the database they read.
fn pipeable_commands(db: &std::path::Path) -> Vec<Vec<std::ffi::OsString>> {
    let with_db = |args: &[&str]| {
        let mut all: Vec<std::ffi::OsString> = vec!["--db".into(), db.into()];
        all.extend(args.iter().map(Into::into));
        all
    };
    vec![
        vec!["completions".into(), "bash".into()],
        vec!["completions".into(), "zsh".into()],
        vec!["man".into()],
        vec!["--print-default-config".into()],
        vec!["--print-profile".into(), "health-tech".into()],
        vec!["--help".into()],
        with_db(&["list", "--status", "all", "--json"]),
        with_db(&["list", "--status", "all", "--format", "csv"]),
        with_db(&["list", "--status", "all"]),
        with_db(&["export", "--status", "all"]),
        with_db(&["export", "--status", "all", "--format", "ics"]),
        with_db(&["digest", "--since", "7d"]),
    ]
}

#[test]
fn a_closed_pipe_is_a_quiet_exit_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_notices(dir.path(), 50);
    for args in pipeable_commands(&db) {
        let out = anbud_to(closed_pipe()).args(&args).output().expect("runs");
        assert_quiet_exit_0(&out, &format!("{args:?}"));
    }
}

/// Exit 0 and nothing on stderr: how a command ends when its reader went away.
fn assert_quiet_exit_0(out: &std::process::Output, what: &str) {
    assert_eq!(out.status.code(), Some(0), "{what}: {}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{what}: {}", text(&out.stderr));
}

#[test]
fn a_reader_that_stops_after_one_line_ends_list_quietly() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tempdir");
    // About 600 KiB of JSON lines: anbud is still writing when the reader goes away.
    let db = db_with_notices(dir.path(), 1500);
    for format in ["json", "csv", "table"] {
        let mut child = anbud_to(std::process::Stdio::piped())
            .arg("--db")
            .arg(&db)
            .args(["list", "--status", "all", "--format", format])
            .spawn()
            .expect("spawn");
        let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        reader.read_line(&mut first).expect("one line");
        assert!(!first.is_empty(), "{format}");
        drop(reader);
        let out = child.wait_with_output().expect("exits");
        assert_quiet_exit_0(&out, format);
    }
}

#[test]
fn a_full_disk_is_one_line_on_stderr_and_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_notices(dir.path(), 50);
    for args in pipeable_commands(&db) {
        let out = anbud_to(full_disk()).args(&args).output().expect("runs");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("anbud: ") && stderr.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

/// `poll --once | head -1` must not lose the other feeds' notices: the poll finishes and saves
/// everything, and its exit code still says how the feeds did.
#[tokio::test(flavor = "multi_thread")]
async fn poll_once_into_a_closed_pipe_still_saves_every_feed() {
    let server = LoopbackServer::start(demo::ted_demo_routes("/v3/notices/search"))
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = feed_config(dir.path(), &[("Dead", dead_url()), ("TED", server.base_url())]);
    let db = dir.path().join("anbud.db");
    let mut cmd = anbud_to(closed_pipe());
    cmd.arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["poll", "--once"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("runs"))
        .await
        .expect("join");
    assert_eq!(out.status.code(), Some(1), "one feed failed: {}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let stored = anbud::store::Store::open(&db)
        .expect("open")
        .records(anbud::store::StatusFilter::All)
        .expect("records");
    assert!(stored.len() >= 15, "{} notices saved", stored.len());
}

#[test]
fn print_profile_prints_a_bundled_profile_a_config_can_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in anbud::matching::Profile::bundled_names() {
        let out = run(anbud().args(["--print-profile", name]));
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let printed = text(&out.stdout);
        let profile = anbud::matching::Profile::parse(&printed, name).expect("the printed profile parses");
        assert_eq!(profile.name, name);
        // The copy, renamed, works as the user's own profile file.
        let copy = dir.path().join(format!("my-{name}.toml"));
        let renamed = printed.replacen(&format!("name = \"{name}\""), &format!("name = \"my-{name}\""), 1);
        std::fs::write(&copy, renamed).expect("write");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, format!("profiles = [{:?}]\n", copy.display().to_string())).expect("write");
        let db = dir.path().join("x.db");
        let out = run(anbud().arg("--config").arg(&config).arg("--db").arg(&db).args(["list"]));
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
    }
}

#[test]
fn print_profile_with_an_unknown_name_lists_the_bundled_ones() {
    let out = run(anbud().args(["--print-profile", "health"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    for name in anbud::matching::Profile::bundled_names() {
        assert!(err.contains(name), "{name} missing: {err}");
    }
    // The shell completions offer the names too.
    let bash = text(&run(anbud().args(["completions", "bash"])).stdout);
    assert!(
        bash.contains("--print-profile") && bash.contains("lab-diagnostics"),
        "{bash}"
    );
}

// ---- `--db`: a missing folder, another program's file, a read-only database.

#[test]
fn db_in_a_missing_folder_is_an_error_naming_the_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("no").join("such");
    let db = folder.join("anbud.db");
    let out = run(anbud().arg("--db").arg(&db).arg("list"));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&folder.display().to_string()) && err.contains("create it"),
        "{err}"
    );
    assert!(!folder.exists(), "no silent new database");
}

/// A database file another program wrote, with `tables` and `user_version`.
fn foreign_db(path: &std::path::Path, tables: &[&str], user_version: i64) {
    let conn = rusqlite::Connection::open(path).expect("open");
    for table in tables {
        conn.execute_batch(&format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY, body TEXT);"))
            .expect("create");
    }
    conn.pragma_update(None, "user_version", user_version).expect("version");
}

/// Whether the SQLite file at `path` has a table called `name`.
fn has_table(path: &std::path::Path, name: &str) -> bool {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |row| row.get::<_, i64>(0),
    )
    .expect("query")
        > 0
}

#[test]
fn another_programs_database_is_refused_in_one_line_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A browser's history, a program that also has a `notices` table, one that numbers its schema.
    let cases: [(&str, &[&str], i64); 3] = [
        ("places.sqlite", &["moz_places", "moz_bookmarks"], 0),
        ("alerts.db", &["notices", "users"], 0),
        ("app.db", &["items"], 3),
    ];
    for (name, tables, version) in cases {
        let db = dir.path().join(name);
        foreign_db(&db, tables, version);
        let before = std::fs::read(&db).expect("read");
        for command in [&["list"][..], &["digest"]] {
            let out = run(anbud().arg("--db").arg(&db).args(command));
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{name}: {err}");
            assert_eq!(err.lines().count(), 1, "{name}: {err}");
            assert!(
                err.contains(&format!("{} is not an anbud database (", db.display())),
                "{name}: {err}"
            );
        }
        // Not even switched to WAL, and no anbud table added.
        assert_eq!(std::fs::read(&db).expect("read"), before, "{name} unchanged");
        assert!(!has_table(&db, "triage"), "{name}");
    }
}

#[test]
fn an_empty_file_or_an_older_anbud_database_is_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("touch");
    let out = run(anbud().arg("--db").arg(&empty).arg("list"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(has_table(&empty, "triage"));
    // An anbud database from before the application id was stamped: schema v1 only.
    let old = dir.path().join("old.db");
    foreign_db(&old, &[], 0);
    {
        let conn = rusqlite::Connection::open(&old).expect("open");
        conn.execute_batch(
            "CREATE TABLE notices (id TEXT PRIMARY KEY NOT NULL, source TEXT NOT NULL, native_id TEXT NOT NULL,
               title TEXT NOT NULL, buyer TEXT NOT NULL, deadline TEXT, published TEXT, score INTEGER NOT NULL,
               matched INTEGER NOT NULL, notice_json TEXT NOT NULL, relevance_json TEXT NOT NULL,
               content_hash TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL) STRICT;
             CREATE TABLE triage (notice_id TEXT PRIMARY KEY NOT NULL,
               status TEXT NOT NULL CHECK (status IN ('new', 'shortlisted', 'rejected')),
               note TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL) STRICT;
             CREATE TABLE decisions (id INTEGER PRIMARY KEY, notice_id TEXT NOT NULL, old_status TEXT NOT NULL,
               new_status TEXT NOT NULL, at TEXT NOT NULL) STRICT;
             PRAGMA user_version = 1;",
        )
        .expect("v1 schema");
    }
    let out = run(anbud().arg("--db").arg(&old).arg("list"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(has_table(&old, "feed_state"), "migrated");
}

/// Runs `cmd` as an ordinary user when the tests run as root, since root may write any file
/// whatever its mode; the folders on the way must then be readable by everyone.
fn as_unprivileged(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    // `/proc/self` belongs to the effective user of the process looking at it.
    if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        cmd.uid(65534).gid(65534);
    }
    cmd
}

/// A stored anbud database in a folder everyone may enter; returns (folder guard, folder, file).
fn shared_db() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("data");
    std::fs::create_dir(&folder).expect("mkdir");
    for path in [dir.path(), folder.as_path()] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    }
    let db = folder.join("anbud.db");
    drop(anbud::store::Store::open(&db).expect("create"));
    (dir, folder, db)
}

#[test]
fn a_read_only_database_is_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, _folder, db) = shared_db();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let out = as_unprivileged(anbud_to(std::process::Stdio::piped()).arg("--db").arg(&db).arg("list"))
        .output()
        .expect("runs");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&db.display().to_string()) && err.contains("read-only"),
        "{err}"
    );
}

#[test]
fn a_database_in_a_read_only_folder_is_refused_naming_the_folder() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, folder, db) = shared_db();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let out = as_unprivileged(anbud_to(std::process::Stdio::piped()).arg("--db").arg(&db).arg("list"))
        .output()
        .expect("runs");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("folder {}", folder.display())) && err.contains("read-only"),
        "{err}"
    );
}

/// `eprintln!` panicked when stderr was full, and the command aborted (status 134) after its work
/// was done: messages on stderr now never decide the exit status.
#[test]
fn a_full_stderr_never_aborts_a_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db_with_notices(dir.path(), 3);
    let awards = dir.path().join("awards.db");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/awards/hit-intention-notice.json");
    let cases: Vec<(Vec<std::ffi::OsString>, i32)> = vec![
        // Messages only on stderr: an import and an empty listing.
        (
            vec![
                "--db".into(),
                awards.clone().into(),
                "awards".into(),
                "--import".into(),
                fixture.into(),
            ],
            0,
        ),
        (
            vec![
                "--db".into(),
                awards.into(),
                "awards".into(),
                "--expiring".into(),
                "1d".into(),
            ],
            0,
        ),
        (
            vec![
                "--db".into(),
                db.clone().into(),
                "export".into(),
                "--status".into(),
                "all".into(),
                "-o".into(),
                dir.path().join("x.csv").into(),
            ],
            0,
        ),
        // An error whose one line cannot be written still exits with its own status.
        (
            vec![
                "--db".into(),
                db.into(),
                "list".into(),
                "--status".into(),
                "nonsense".into(),
            ],
            2,
        ),
    ];
    for (args, code) in cases {
        let out = anbud_to(std::process::Stdio::null())
            .args(&args)
            .stderr(full_disk())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}
