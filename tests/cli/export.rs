//! `list` filters and formats, `export --format/--delimiter/--bom`, and `digest`, through the binary
//! against a database filled with `Store::upsert_notices` (no network) and a frozen clock (`ANBUD_NOW`).

use crate::common;

use common::cli::{anbud, run, text};
use std::process::Output;

/// The frozen clock the tests below hand the binary through `ANBUD_NOW`.
const NOW: &str = "2026-11-22T07:00:00Z";

/// A matched notice (score `score`) published `published`, closing `deadline`.
fn stored(
    native: &str,
    title: &str,
    score: i32,
    published: &str,
    deadline: Option<&str>,
) -> (anbud::model::Notice, anbud::model::Relevance) {
    let ts = |s: &str| s.parse::<jiff::Timestamp>().expect("timestamp");
    let notice = anbud::model::Notice {
        id: anbud::model::NoticeId::new("ted", native),
        source: "ted".to_owned(),
        native_id: native.to_owned(),
        title: title.to_owned(),
        titles: Default::default(),
        description: String::new(),
        buyer: "Helse Bergen HF".to_owned(),
        country: Some("NOR".into()),
        cpv: vec!["33100000".to_owned()].into(),
        published: Some(ts(published)),
        deadline: deadline.map(ts),
        value: Some(1_250_000.0),
        currency: Some("NOK".into()),
        questions_deadline: None,
        buyer_id: None,
        nuts: Vec::new(),
        notice_type: Some("cn-standard".into()),
        url: format!("https://example.test/{native}"),
    };
    let relevance = anbud::model::Relevance {
        score,
        matched: score >= 3,
        ..anbud::model::Relevance::default()
    };
    (notice, relevance)
}

/// A database with four notices, one shortlisted and one being bid on, plus a config setting the zone.
fn filled_db(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let db = dir.join("anbud.db");
    let mut store = anbud::store::Store::open(&db).expect("open");
    let items = vec![
        stored(
            "1-2026",
            "Ultralyd, Sørlandet",
            12,
            "2026-11-21T20:00:00Z",
            Some("2026-11-25T11:00:00Z"),
        ),
        stored(
            "2-2026",
            "=HYPERLINK(\"x\");MR",
            7,
            "2026-11-10T08:00:00Z",
            Some("2026-12-20T11:00:00Z"),
        ),
        stored("3-2026", "Trygghetsalarmer", 4, "2026-11-22T05:00:00Z", None),
        stored(
            "4-2026",
            "Catering",
            0,
            "2026-11-22T05:00:00Z",
            Some("2026-11-24T11:00:00Z"),
        ),
    ];
    store.upsert_notices(&items, NOW.parse().expect("now")).expect("upsert");
    let change = anbud::model::TriageChange {
        id: anbud::model::NoticeId::new("ted", "2-2026"),
        from: anbud::model::Triage::New,
        to: anbud::model::Triage::Shortlisted,
    };
    store.save_triage(&change, NOW.parse().expect("now")).expect("triage");
    let change = anbud::model::TriageChange {
        id: anbud::model::NoticeId::new("ted", "1-2026"),
        from: anbud::model::Triage::New,
        to: anbud::model::Triage::Bidding,
    };
    store.save_triage(&change, NOW.parse().expect("now")).expect("triage");
    let config = dir.join("config.toml");
    std::fs::write(&config, "timezone = \"Europe/Oslo\"\n").expect("config");
    (config, db)
}

fn with_db(config: &std::path::Path, db: &std::path::Path, args: &[&str]) -> Output {
    run(anbud()
        .env("ANBUD_NOW", NOW)
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db)
        .args(args))
}

fn json_ids(out: &Output) -> Vec<String> {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect()
}

#[test]
fn list_filters_views_and_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, db) = filled_db(dir.path());
    let list = |args: &[&str]| with_db(&config, &db, &[&["list"], args].concat());

    assert_eq!(
        json_ids(&list(&["--view", "all", "--json"])),
        ["1-2026", "2-2026", "3-2026", "4-2026"]
    );
    // The inbox also drops expired notices by the real clock (SQL `now`), so only the notice without
    // a deadline is certain to be there whenever this runs; shortlisted and unmatched never are.
    let inbox = json_ids(&list(&["--format", "json"]));
    assert!(inbox.contains(&"3-2026".to_owned()), "{inbox:?}");
    assert!(
        inbox.iter().all(|id| id == "1-2026" || id == "3-2026"),
        "inbox: matched, undecided: {inbox:?}"
    );
    assert_eq!(json_ids(&list(&["--view", "shortlisted", "--json"])), ["2-2026"]);
    assert_eq!(json_ids(&list(&["--view", "pipeline", "--json"])), ["1-2026"]);
    assert_eq!(json_ids(&list(&["--status", "bidding", "--json"])), ["1-2026"]);
    assert!(json_ids(&list(&["--view", "won", "--json"])).is_empty());
    // The dashboard's Outcomes tab (won and lost) has its view name too.
    assert!(json_ids(&list(&["--view", "outcomes", "--json"])).is_empty());
    assert_eq!(
        json_ids(&list(&["--status", "all", "--min-score", "5", "--json"])),
        ["1-2026", "2-2026"]
    );
    assert_eq!(
        json_ids(&list(&["--view", "all", "--since", "24h", "--json"])),
        ["1-2026", "3-2026", "4-2026"]
    );
    assert_eq!(
        json_ids(&list(&["--view", "all", "--since", "7d", "--min-score", "1", "--json"])),
        ["1-2026", "3-2026"]
    );
    assert_eq!(json_ids(&list(&["--view", "all", "--since", "30d", "--json"])).len(), 4);

    let csv = list(&["--view", "all", "--format", "csv", "--min-score", "7"]);
    assert!(csv.status.success());
    let csv = text(&csv.stdout);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(anbud::export::HEADER.join(",").as_str()));
    assert!(
        csv.contains(",2026-11-25T12:00:00+01:00,"),
        "deadline in the configured zone: {csv}"
    );
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"x\"\");MR\""),
        "guarded and quoted: {csv}"
    );

    let table = text(&list(&["--view", "all"]).stdout);
    assert!(table.starts_with("  12  2026-11-25  bidding"), "{table}");

    for bad in [
        &["--since", "yesterday"][..],
        &["--json", "--format", "csv"],
        &["--view", "later"],
    ] {
        let out = list(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn export_formats_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, db) = filled_db(dir.path());
    let export = |args: &[&str]| with_db(&config, &db, &[&["export", "--status", "all"], args].concat());

    let out = export(&["--delimiter", ";", "--bom"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBFsource;key;title;"));
    assert!(
        text(&out.stdout).contains(";1250000;NOK;"),
        "no thousands separator, no .0"
    );

    let out = export(&["--format", "json"]);
    assert_eq!(text(&out.stdout).lines().count(), 4);

    let ics_path = dir.path().join("deadlines.ics");
    let out = export(&["--format", "ics", "-o", ics_path.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("wrote 3 events"), "{}", text(&out.stderr));
    let ics = std::fs::read_to_string(&ics_path).expect("ics");
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("UID:ted-1-2026@anbud\r\n"),
        "{ics}"
    );
    assert!(ics.contains("DTSTAMP:20261122T070000Z"), "ANBUD_NOW freezes DTSTAMP");
    assert!(!ics.contains(dir.path().to_str().expect("utf-8")), "no local paths");

    let out = export(&["--delimiter", "|"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("','"), "{}", text(&out.stderr));
}

#[test]
fn digest_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, db) = filled_db(dir.path());
    let out = with_db(&config, &db, &["digest"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(md.starts_with("# anbud digest, 2026-11-22 08:00 CET\n"), "{md}");
    let closes = md.find("## Closes this week").expect("section");
    let new = md.find("## New matches").expect("section");
    let first = md.find("Ultralyd").expect("row");
    assert!(closes < first && first < new, "{md}");
    assert!(md.contains("## New awards in your space"));
    assert!(md.contains("## Changed since you last looked\n\nNo notice you follow has changed since you last looked."));
    assert!(!md.contains("Catering"), "unmatched notices stay out");

    let out = with_db(&config, &db, &["digest", "--since", "7d", "--format", "text"]);
    let plain = text(&out.stdout);
    assert!(plain.contains("New matches\n-----------\n"), "{plain}");
    assert!(!plain.contains("## "), "{plain}");

    let out = run(anbud()
        .env("ANBUD_NOW", "tomorrow")
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .arg("digest"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("ANBUD_NOW"));
}

#[test]
fn tags_and_reasons_filter_lists_and_fill_chosen_csv_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, db) = filled_db(dir.path());
    {
        let mut store = anbud::store::Store::open(&db).expect("open");
        let at: jiff::Timestamp = NOW.parse().expect("now");
        let id = |n: &str| anbud::model::NoticeId::new("ted", n);
        store
            .save_tags(
                &[
                    (id("3-2026"), vec!["kari".to_owned(), "q1".to_owned()]),
                    (id("4-2026"), vec!["kari".to_owned()]),
                ],
                at,
            )
            .expect("tags");
        let reject = anbud::model::TriageChange {
            id: id("4-2026"),
            from: anbud::model::Triage::New,
            to: anbud::model::Triage::Rejected,
        };
        store.save_triage(&reject, at).expect("reject");
        store
            .save_reject_reason(&[id("4-2026")], Some("=cmd|' /C calc'!A0"), at)
            .expect("reason");
    }
    let list = |args: &[&str]| with_db(&config, &db, &[&["list", "--view", "all"], args].concat());
    assert_eq!(json_ids(&list(&["--tag", "kari", "--json"])), ["3-2026", "4-2026"]);
    assert_eq!(json_ids(&list(&["--tag", "KARI", "--tag", "q1", "--json"])), ["3-2026"]);
    let json = text(&list(&["--tag", "q1", "--json"]).stdout);
    let value: serde_json::Value = serde_json::from_str(json.trim()).expect("json");
    assert_eq!(value["tags"], serde_json::json!(["kari", "q1"]));

    let out = with_db(
        &config,
        &db,
        &[
            "export",
            "--status",
            "all",
            "--tag",
            "kari",
            "--columns",
            "key,tags,reject_reason,title",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "key,tags,reject_reason,title");
    assert_eq!(lines[1], "ted:3-2026,kari q1,,Trygghetsalarmer");
    // The reason is the user's text, but a spreadsheet would still run it: guarded like feed text.
    assert_eq!(lines[2], "ted:4-2026,kari,'=cmd|' /C calc'!A0,Catering");
    assert_eq!(lines.len(), 3);

    let bad = with_db(&config, &db, &["export", "--columns", "title,phone"]);
    assert!(!bad.status.success());
    let err = text(&bad.stderr);
    assert!(err.contains("phone") && err.contains("questions_deadline"), "{err}");
}
