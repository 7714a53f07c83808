//! The binary end to end: config errors, `poll --once` (and `--quiet`), `list --json`, `export`, against a
//! loopback server; `--help`, completions and the man page. Filters and formats: `tests/export_cli.rs`.

use anbud::demo;
use anbud::demo::server::LoopbackServer;

mod common;

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
    assert_eq!(server.requests().len(), 3, "three pages fetched");

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
    let recorded = include_bytes!("../src/demo/fixtures/doffin/search-response-1.json");
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
