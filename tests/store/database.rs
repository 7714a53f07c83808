//! Store durability, migrations, queries and the store thread, against real SQLite files.

use std::path::Path;

use anbud::model::{FeedState, Field, Hit, Notice, NoticeId, Relevance, RuleKind, Triage, TriageChange, UrlValidators};
use anbud::store::schema::SCHEMA_VERSION;
use anbud::store::{Arrival, StatusFilter, Store, StoreCommand, StoreError, StoreEvent, StoreHandle};
use jiff::Timestamp;
use rusqlite::Connection;
use tempfile::TempDir;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

/// Test notice builder: `notice("ted:1").title("…").deadline("2026-…").build()`.
struct NoticeBuilder(Notice);

fn notice(id: &str) -> NoticeBuilder {
    let (source, native) = id.split_once(':').expect("source:native");
    NoticeBuilder(Notice {
        id: NoticeId::new(source, native),
        source: source.to_owned(),
        native_id: native.to_owned(),
        title: format!("Notice {native}"),
        titles: [("nor".to_owned(), format!("Notice {native}"))].into(),
        description: String::new(),
        buyer: "Helse Sør-Øst RHF".to_owned(),
        country: Some("NOR".into()),
        cpv: vec!["33100000".to_owned()].into(),
        published: Some(ts("2026-11-01T08:00:00Z")),
        deadline: None,
        value: Some(1_500_000.0),
        currency: Some("NOK".into()),
        questions_deadline: None,
        buyer_id: None,
        nuts: Vec::new(),
        notice_type: Some("cn-standard".into()),
        url: format!("https://example.test/{native}"),
    })
}

impl NoticeBuilder {
    fn title(mut self, title: &str) -> Self {
        title.clone_into(&mut self.0.title);
        self
    }
    fn deadline(mut self, at: &str) -> Self {
        self.0.deadline = Some(ts(at));
        self
    }
    fn build(self) -> Notice {
        self.0
    }
}

fn relevance(score: i32, matched: bool) -> Relevance {
    Relevance {
        score,
        matched,
        hits: vec![Hit {
            kind: RuleKind::Include,
            rule: "ultralyd".into(),
            field: Field::Title,
            start: 0,
            end: 8,
            weight: score,
        }],
        profiles: Vec::new(),
        badges: Default::default(),
    }
}

const AT: &str = "2026-11-22T10:00:00Z";

fn at() -> Timestamp {
    ts(AT)
}

fn item(id: &str, score: i32, matched: bool) -> (Notice, Relevance) {
    (notice(id).build(), relevance(score, matched))
}

fn upsert(store: &mut Store, items: &[(Notice, Relevance)]) {
    store.upsert_notices(items, at()).expect("upsert");
}

/// Saves a decision; `from` is what the core believed, which the store does not rely on.
fn decide(store: &mut Store, id: &str, to: Triage) {
    store
        .save_triage(&change(id, Triage::New, to), at())
        .expect("save triage");
}

fn fetch(items: Vec<(Notice, Relevance)>) -> StoreCommand {
    StoreCommand::SaveFetch {
        feed: "ted".to_owned(),
        items,
        at: at(),
        state: Default::default(),
    }
}

/// The store's decision about each notice of a saved fetch, answered as the store thread answers.
fn arrivals(store: &mut Store, items: Vec<(Notice, Relevance)>) -> Vec<(String, Arrival)> {
    match anbud::store::execute(store, fetch(items)) {
        StoreEvent::FetchSaved { saved, .. } => saved
            .into_iter()
            .map(|s| (s.notice.id.as_str().to_owned(), s.arrival))
            .collect(),
        other => panic!("not saved: {other:?}"),
    }
}

#[test]
fn a_saved_fetch_says_what_the_store_decided_about_each_notice() {
    let mut store = Store::open_in_memory().expect("open");
    assert_eq!(
        arrivals(&mut store, vec![item("ted:1", 5, true)]),
        [("ted:1".to_owned(), Arrival::New)]
    );
    // A changed title is diffed against the stored notice; the unchanged one is merely known.
    let (mut renamed, relevance) = item("ted:1", 5, true);
    renamed.title = "Trygghetsalarmer, endret".to_owned();
    let old_title = notice("ted:1").build().title;
    let decided = arrivals(
        &mut store,
        vec![(renamed.clone(), relevance.clone()), item("ted:2", 1, false)],
    );
    let Arrival::Known { unseen: Some(unseen) } = &decided[0].1 else {
        panic!("{decided:?}")
    };
    assert_eq!(
        unseen
            .iter()
            .map(|c| (c.field.as_str(), c.old.as_str(), c.new.as_str()))
            .collect::<Vec<_>>(),
        [("title", old_title.as_str(), "Trygghetsalarmer, endret")]
    );
    assert_eq!(decided[1], ("ted:2".to_owned(), Arrival::New));
    // Fetched again unchanged: known, its unseen changes left as stored.
    assert_eq!(
        arrivals(&mut store, vec![(renamed, relevance)]),
        [("ted:1".to_owned(), Arrival::Known { unseen: None })]
    );
    let stored = store.load_records().expect("load");
    let one = stored.iter().find(|r| r.notice.id.as_str() == "ted:1").expect("stored");
    assert_eq!(&one.changes(), unseen, "the dashboard was told what the store keeps");
}

fn count(path: &Path, table: &str) -> i64 {
    raw(path)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

fn change(id: &str, from: Triage, to: Triage) -> TriageChange {
    TriageChange {
        id: NoticeId(id.to_owned()),
        from,
        to,
    }
}

fn ids(store: &Store, filter: StatusFilter) -> Vec<String> {
    let records = store.records(filter).expect("records");
    records.into_iter().map(|r| r.notice.id.0).collect()
}

fn raw(path: &Path) -> Connection {
    Connection::open(path).expect("raw connection")
}

fn db() -> (TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data").join("anbud.sqlite");
    (dir, path)
}

#[test]
fn opening_a_new_file_creates_directories_and_migrates() {
    let (_dir, path) = db();
    drop(Store::open(&path).expect("open"));
    let conn = raw(&path);
    let version: i64 = conn.pragma_query_one(None, "user_version").expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn.pragma_query_one(None, "journal_mode").expect("mode");
    assert_eq!(mode, "wal");
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_message() {
    let (_dir, path) = db();
    drop(Store::open(&path).expect("create"));
    let newer = SCHEMA_VERSION + 1;
    raw(&path).pragma_update(None, "user_version", newer).expect("bump");
    let err = Store::open(&path).expect_err("newer schema");
    assert!(
        matches!(err, StoreError::TooNew { found, known } if found == newer && known == SCHEMA_VERSION),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "database is newer (schema v{newer}) than this anbud (v{SCHEMA_VERSION})"
        )),
        "{msg}"
    );
}

#[test]
fn a_file_that_is_not_a_database_gives_an_open_error_naming_it() {
    let (dir, _) = db();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "not sqlite, just text. ".repeat(40)).expect("write");
    let msg = Store::open(&path).expect_err("garbage").to_string();
    let prefix = format!("cannot open database {}: ", path.display());
    assert!(msg.starts_with(&prefix) && msg.contains("not a database"), "{msg}");
}

#[test]
fn an_unwritable_location_gives_an_error_not_a_panic() {
    // Tests may run as root, which ignores permission bits, so use a parent that is a regular file.
    let (dir, _) = db();
    let blocker = dir.path().join("plain-file");
    std::fs::write(&blocker, "x").expect("write");
    let err = Store::open(&blocker.join("anbud.sqlite")).expect_err("cannot create dir");
    assert!(matches!(err, StoreError::CreateDir { .. }), "{err:?}");
    assert!(err.to_string().contains(&blocker.display().to_string()), "{err}");
}

#[test]
fn upsert_counts_new_updated_unchanged_and_matched() {
    let mut store = Store::open_in_memory().expect("open");
    let first = [item("ted:1", 5, true), item("ted:2", 0, false)];
    let s = store.upsert_notices(&first, at()).expect("first");
    assert_eq!((s.new, s.updated, s.unchanged, s.matched), (2, 0, 0, 1));

    let s = store.upsert_notices(&first, at()).expect("again");
    assert_eq!((s.new, s.updated, s.unchanged, s.matched), (0, 0, 2, 1));

    let moved = notice("ted:1").deadline("2026-12-01T12:00:00Z").build();
    let second = [
        (moved, relevance(5, true)),
        item("ted:2", 7, true),
        item("doffin:3", 1, false),
    ];
    let s = store.upsert_notices(&second, at()).expect("second");
    // A new score alone (ted:2) is stored but does not make the notice "updated".
    assert_eq!((s.new, s.updated, s.unchanged, s.matched), (1, 1, 1, 2));

    let records = store.load_records().expect("load");
    assert_eq!(records.len(), 3);
    let find = |id: &str| records.iter().find(|r| r.notice.id.0 == id).expect("stored");
    assert_eq!(find("ted:1").notice, second[0].0);
    assert_eq!(find("ted:2").relevance, second[1].1);
}

#[test]
fn first_seen_is_kept_and_last_seen_follows_the_fetch() {
    let (_dir, path) = db();
    let mut store = Store::open(&path).expect("open");
    let items = [item("ted:1", 5, true)];
    store.upsert_notices(&items, at()).expect("first");
    store
        .upsert_notices(&items, ts("2026-11-23T10:00:00Z"))
        .expect("second");
    let sql = "SELECT first_seen || ' ' || last_seen FROM notices";
    let seen: String = raw(&path).query_row(sql, [], |r| r.get(0)).expect("row");
    assert_eq!(seen, "2026-11-22T10:00:00Z 2026-11-23T10:00:00Z");
}

#[test]
fn an_unchanged_refetch_on_the_same_day_writes_nothing() {
    // Polls re-read a window overlapping the last one every 15 minutes: an unchanged row is not
    // written again only to move `last_seen`, which is kept to the day.
    let (_dir, path) = db();
    let mut store = Store::open(&path).expect("open");
    let seen = |path: &std::path::Path| -> String {
        raw(path)
            .query_row("SELECT last_seen || ' ' || score FROM notices", [], |r| r.get(0))
            .expect("row")
    };
    store
        .upsert_notices(&[item("ted:1", 5, true)], ts("2026-11-22T10:00:00Z"))
        .expect("first");
    // Another connection's data_version moves when a commit changed the file.
    let watcher = raw(&path);
    let version = |c: &Connection| -> i64 { c.query_row("PRAGMA data_version", [], |r| r.get(0)).expect("version") };
    let before = version(&watcher);
    let s = store
        .upsert_notices(&[item("ted:1", 5, true)], ts("2026-11-22T10:15:00Z"))
        .expect("same day");
    assert_eq!((s.new, s.updated), (0, 0));
    assert_eq!(seen(&path), "2026-11-22T10:00:00Z 5");
    assert_eq!(version(&watcher), before, "nothing was committed to the file");

    // A new score is written the same day, and so is the next day's fetch.
    store
        .upsert_notices(&[item("ted:1", 7, true)], ts("2026-11-22T10:30:00Z"))
        .expect("rescored");
    assert_eq!(seen(&path), "2026-11-22T10:30:00Z 7");
    store
        .upsert_notices(&[item("ted:1", 7, true)], ts("2026-11-23T06:00:00Z"))
        .expect("next day");
    assert_eq!(seen(&path), "2026-11-23T06:00:00Z 7");
}

#[test]
fn refetching_keeps_triage_and_note() {
    let mut store = Store::open_in_memory().expect("open");
    upsert(&mut store, &[item("ted:1", 5, true)]);
    decide(&mut store, "ted:1", Triage::Shortlisted);
    let id = NoticeId("ted:1".to_owned());
    store.save_note(&id, "ring innkjøper", at()).expect("note");

    let changed = notice("ted:1").title("Ultralyd, endret").build();
    let s = store
        .upsert_notices(&[(changed, relevance(6, true))], at())
        .expect("re-upsert");
    assert_eq!(s.updated, 1);

    let records = store.load_records().expect("load");
    assert_eq!(records[0].triage, Triage::Shortlisted);
    assert_eq!(records[0].note(), "ring innkjøper");
    assert_eq!(records[0].notice.title, "Ultralyd, endret");
}

#[test]
fn a_notice_never_triaged_loads_as_new_with_empty_note() {
    let mut store = Store::open_in_memory().expect("open");
    upsert(&mut store, &[item("ted:1", 5, true)]);
    let records = store.load_records().expect("load");
    assert_eq!((records[0].triage, records[0].note()), (Triage::New, ""));
}

#[test]
fn a_committed_triage_survives_dropping_the_store_without_shutdown() {
    let (_dir, path) = db();
    let mut store = Store::open(&path).expect("open");
    upsert(&mut store, &[item("ted:1", 5, true)]);
    decide(&mut store, "ted:1", Triage::Shortlisted);
    drop(store);

    let reopened = Store::open(&path).expect("reopen");
    assert_eq!(ids(&reopened, StatusFilter::Shortlisted), ["ted:1"]);
}

/// Set in the child process of [`a_committed_triage_survives_killing_the_process`]: the database path.
const KILL_CHILD: &str = "ANBUD_STORE_TEST_KILL_CHILD";
/// The child's exit code, which proves it ran the test rather than matching nothing.
const KILLED: i32 = 17;

#[test]
fn a_committed_triage_survives_killing_the_process() {
    if let Some(path) = std::env::var_os(KILL_CHILD) {
        // The child: commit, then end at once. `exit` runs no destructors, so SQLite never checkpoints
        // or closes, as with a kill; unlike `abort` it cannot leave a core file in the crate.
        let mut store = Store::open(Path::new(&path)).expect("open");
        upsert(&mut store, &[item("ted:1", 5, true)]);
        decide(&mut store, "ted:1", Triage::Rejected);
        std::process::exit(KILLED);
    }
    let (_dir, path) = db();
    let exe = std::env::current_exe().expect("test binary");
    let status = std::process::Command::new(exe)
        .args([
            "--exact",
            &harness_name("a_committed_triage_survives_killing_the_process"),
        ])
        .env(KILL_CHILD, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run child");
    assert_eq!(status.code(), Some(KILLED), "the child must have saved and exited");

    let reopened = Store::open(&path).expect("reopen");
    assert_eq!(ids(&reopened, StatusFilter::Rejected), ["ted:1"]);
}

#[test]
fn every_triage_change_is_logged_with_the_stored_old_status() {
    let (_dir, path) = db();
    let mut store = Store::open(&path).expect("open");
    decide(&mut store, "ted:1", Triage::Shortlisted);
    // `from` is stale here (two changes were queued); the log records what the database held.
    let later = ts("2026-11-22T10:05:00Z");
    let stale = change("ted:1", Triage::New, Triage::Rejected);
    store.save_triage(&stale, later).expect("two");
    let other = change("ted:2", Triage::New, Triage::Shortlisted);
    store.save_triage(&other, later).expect("three");

    let conn = raw(&path);
    let sql = "SELECT notice_id || ' ' || old_status || ' ' || new_status || ' ' || at
               FROM decisions ORDER BY id";
    let mut stmt = conn.prepare(sql).expect("prepare");
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let expected = [
        "ted:1 new shortlisted 2026-11-22T10:00:00Z",
        "ted:1 shortlisted rejected 2026-11-22T10:05:00Z",
        "ted:2 new shortlisted 2026-11-22T10:05:00Z",
    ];
    assert_eq!(rows, expected);
}

#[test]
fn filters_select_by_status_and_sort_by_score_deadline_id() {
    let mut store = Store::open_in_memory().expect("open");
    let due = |id: &str, at: &str| (notice(id).deadline(at).build(), relevance(5, true));
    let items = [
        item("ted:a", 5, true),
        // Far-future deadlines: the Inbox filter compares with the real clock.
        due("ted:b", "2036-12-10T12:00:00Z"),
        due("ted:c", "2036-12-01T12:00:00Z"),
        // The same second as ted:c: fractions are dropped for sorting, so the id decides.
        due("ted:d", "2036-12-01T12:00:00.5Z"),
        // Expired: out of the Inbox, still stored.
        due("ted:x", "2020-01-01T12:00:00Z"),
        item("ted:e", 9, true),
        item("ted:f", 1, false),
        item("ted:g", 3, true),
        item("ted:h", 2, true),
    ];
    upsert(&mut store, &items);
    decide(&mut store, "ted:g", Triage::Shortlisted);
    decide(&mut store, "ted:h", Triage::Rejected);
    decide(&mut store, "ted:a", Triage::Shortlisted);
    // Cleared back to new: belongs in the inbox again.
    decide(&mut store, "ted:a", Triage::New);

    let all = [
        "ted:e", "ted:x", "ted:c", "ted:d", "ted:b", "ted:a", "ted:g", "ted:h", "ted:f",
    ];
    assert_eq!(ids(&store, StatusFilter::All), all);
    assert_eq!(
        ids(&store, StatusFilter::Inbox),
        ["ted:e", "ted:c", "ted:d", "ted:b", "ted:a"]
    );
    assert_eq!(ids(&store, StatusFilter::Shortlisted), ["ted:g"]);
    assert_eq!(ids(&store, StatusFilter::Rejected), ["ted:h"]);
    assert_eq!(store.load_records().expect("load").len(), items.len());
}

#[test]
fn the_outcomes_filter_selects_won_and_lost_bids() {
    let mut store = Store::open_in_memory().expect("open");
    upsert(
        &mut store,
        &[item("ted:w", 5, true), item("ted:l", 4, true), item("ted:b", 3, true)],
    );
    decide(&mut store, "ted:w", Triage::Won);
    decide(&mut store, "ted:l", Triage::Lost);
    decide(&mut store, "ted:b", Triage::Bidding);
    assert_eq!(ids(&store, StatusFilter::Outcomes), ["ted:w", "ted:l"]);
}

#[test]
fn the_store_thread_confirms_triage_in_order() {
    let store = Store::open_in_memory().expect("open");
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let handle = StoreHandle::spawn(store, tx);
    handle.send(fetch(vec![item("ted:1", 5, true)])).expect("send");
    let changes = [
        change("ted:1", Triage::New, Triage::Shortlisted),
        change("ted:1", Triage::Shortlisted, Triage::Rejected),
    ];
    for c in &changes {
        let cmd = StoreCommand::SaveTriage {
            change: c.clone(),
            kind: anbud::model::DecisionKind::Do,
            batch: 1,
            at: at(),
        };
        handle.send(cmd).expect("send");
    }

    match rx.blocking_recv() {
        Some(StoreEvent::FetchSaved { feed, summary, .. }) => {
            assert_eq!((feed.as_str(), summary.new, summary.matched), ("ted", 1, 1));
        }
        other => panic!("expected FetchSaved, got {other:?}"),
    }
    for expected in &changes {
        match rx.blocking_recv() {
            Some(StoreEvent::TriageSaved(saved)) => assert_eq!(&saved, expected),
            other => panic!("expected TriageSaved, got {other:?}"),
        }
    }
    handle.shutdown();
    assert!(rx.blocking_recv().is_none(), "the thread closed its side");
}

#[test]
fn shutdown_finishes_every_queued_write() {
    let (_dir, path) = db();
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let handle = StoreHandle::spawn(Store::open(&path).expect("open"), tx);
    let ids: Vec<String> = (0..50).map(|i| format!("ted:{i}")).collect();
    handle
        .send(fetch(ids.iter().map(|id| item(id, 5, true)).collect()))
        .expect("send");
    for id in &ids {
        let change = change(id, Triage::New, Triage::Shortlisted);
        handle
            .send(StoreCommand::SaveTriage {
                change,
                kind: anbud::model::DecisionKind::Do,
                batch: 1,
                at: at(),
            })
            .expect("send");
    }
    // Nobody listens any more (the app is quitting); the writes must still land.
    drop(rx);
    handle.shutdown();

    let store = Store::open(&path).expect("reopen");
    assert_eq!(store.records(StatusFilter::Shortlisted).expect("records").len(), 50);
    assert_eq!(count(&path, "decisions"), 50);
}

/// Makes inserts into `table` fail the way a full disk does, for the rows `when` selects.
fn fail_inserts(path: &Path, table: &str, when: &str) {
    let sql = format!(
        "CREATE TRIGGER full_{table} BEFORE INSERT ON {table} WHEN {when}
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;"
    );
    raw(path).execute_batch(&sql).expect("trigger");
}

#[test]
fn a_failed_triage_write_reports_not_saved_and_writes_nothing() {
    let (_dir, path) = db();
    let store = Store::open(&path).expect("open");
    // Fail the second statement: the triage upsert before it must roll back too.
    fail_inserts(&path, "decisions", "1");
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let handle = StoreHandle::spawn(store, tx);
    let c = change("ted:1", Triage::New, Triage::Shortlisted);
    let cmd = StoreCommand::SaveTriage {
        change: c.clone(),
        kind: anbud::model::DecisionKind::Do,
        batch: 1,
        at: at(),
    };
    handle.send(cmd).expect("send");
    match rx.blocking_recv() {
        Some(StoreEvent::TriageNotSaved { change, error }) => {
            assert_eq!(change, c);
            assert_eq!(error, "cannot save triage for ted:1: database or disk is full");
        }
        other => panic!("expected TriageNotSaved, got {other:?}"),
    }
    handle.shutdown();
    assert_eq!(count(&path, "triage"), 0);
}

#[test]
fn a_failed_fetch_write_reports_not_saved_and_writes_nothing() {
    let (_dir, path) = db();
    let store = Store::open(&path).expect("open");
    fail_inserts(&path, "notices", "NEW.id = 'ted:2'");
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let handle = StoreHandle::spawn(store, tx);
    handle
        .send(fetch(vec![item("ted:1", 5, true), item("ted:2", 5, true)]))
        .expect("send");
    match rx.blocking_recv() {
        Some(StoreEvent::FetchNotSaved { feed, error }) => {
            assert_eq!(feed, "ted");
            assert_eq!(error, "cannot save 2 fetched notices: database or disk is full");
        }
        other => panic!("expected FetchNotSaved, got {other:?}"),
    }
    handle.shutdown();
    assert_eq!(count(&path, "notices"), 0);
    assert_eq!(count(&path, "feed_state"), 0, "no cursor without its notices");
}

#[test]
fn a_locked_database_gives_the_sqlite_message_after_the_busy_timeout() {
    let (_dir, path) = db();
    let mut store = Store::open(&path).expect("open");
    let other = raw(&path);
    other.execute_batch("BEGIN IMMEDIATE").expect("hold the write lock");
    let c = change("ted:1", Triage::New, Triage::Shortlisted);
    let err = store.save_triage(&c, at()).expect_err("locked");
    assert_eq!(err.to_string(), "cannot save triage for ted:1: database is locked");
    other.execute_batch("ROLLBACK").expect("release");
}

#[test]
fn the_store_thread_saves_notes_and_they_survive_a_reopen() {
    let (_dir, path) = db();
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let handle = StoreHandle::spawn(Store::open(&path).expect("open"), tx);
    handle.send(fetch(vec![item("ted:1", 5, true)])).expect("send");
    let id = anbud::model::NoticeId("ted:1".to_owned());
    let note = "Ring Kari\nom befaring".to_owned();
    handle
        .send(StoreCommand::SaveNote {
            id: id.clone(),
            note: note.clone(),
            at: at(),
        })
        .expect("send");
    assert!(matches!(rx.blocking_recv(), Some(StoreEvent::FetchSaved { .. })));
    match rx.blocking_recv() {
        Some(StoreEvent::NoteSaved { id: saved, note: text }) => assert_eq!((saved, text), (id, note.clone())),
        other => panic!("expected NoteSaved, got {other:?}"),
    }
    handle.shutdown();
    let records = Store::open(&path).expect("reopen").load_records().expect("load");
    assert_eq!(records[0].note(), note);
    assert_eq!(records[0].triage, Triage::New, "a note alone does not decide anything");
}

#[test]
fn undo_and_redo_stacks_are_rebuilt_from_the_log_after_a_restart() {
    use anbud::model::DecisionKind::{Do, Redo, Undo};
    let (_dir, path) = db();
    let a = change("ted:1", Triage::New, Triage::Shortlisted);
    let b1 = change("ted:2", Triage::New, Triage::Rejected);
    let b2 = change("ted:3", Triage::New, Triage::Rejected);
    let c = change("ted:1", Triage::Shortlisted, Triage::Bidding);
    {
        let mut store = Store::open(&path).expect("open");
        upsert(
            &mut store,
            &[item("ted:1", 5, true), item("ted:2", 5, true), item("ted:3", 5, true)],
        );
        // An old-style single decision (no batch), then a two-notice mass action as batch 10.
        store.save_triage(&a, at()).expect("a");
        store.save_decision(&b1, Do, Some(10), at()).expect("b1");
        store.save_decision(&b2, Do, Some(10), at()).expect("b2");
        store.save_decision(&c, Do, Some(11), at()).expect("c");
        store
            .save_decision(&c.reversed(), Undo, Some(12), at())
            .expect("undo c");
        store
            .save_decision(&b2.reversed(), Undo, Some(13), at())
            .expect("undo b2");
        store
            .save_decision(&b1.reversed(), Undo, Some(13), at())
            .expect("undo b1");
        store.save_decision(&b1, Redo, Some(14), at()).expect("redo b1");
        store.save_decision(&b2, Redo, Some(14), at()).expect("redo b2");
        // Dropped without shutdown: the log is what survives.
    }
    let history = Store::open(&path).expect("reopen").load_history(100).expect("history");
    assert_eq!(
        history.undo,
        [vec![a.clone()], vec![b1.clone(), b2.clone()]],
        "the mass action is one step"
    );
    assert_eq!(history.redo, [vec![c]]);
    assert_eq!(history.next_batch, 15);
    let recent = Store::open(&path).expect("reopen").load_history(1).expect("history");
    assert_eq!(recent.undo, [vec![b1, b2]], "only the most recent steps are kept");
}

#[test]
fn changed_fields_are_logged_kept_unseen_across_a_restart_and_cleared_when_seen() {
    let (_dir, path) = db();
    {
        let mut store = Store::open(&path).expect("open");
        upsert(
            &mut store,
            &[(
                notice("ted:1").deadline("2036-05-12T10:00:00Z").build(),
                relevance(5, true),
            )],
        );
        upsert(
            &mut store,
            &[(
                notice("ted:1").deadline("2036-05-19T10:00:00Z").build(),
                relevance(5, true),
            )],
        );
        // Moved again: the unseen change keeps the first old value and the latest new one.
        upsert(
            &mut store,
            &[(
                notice("ted:1").deadline("2036-05-26T10:00:00Z").build(),
                relevance(5, true),
            )],
        );
    }
    let mut store = Store::open(&path).expect("reopen");
    let record = store.load_records().expect("load").remove(0);
    assert_eq!(record.changes().len(), 1);
    let change = &record.changes()[0];
    assert_eq!(
        (change.field.as_str(), change.old.as_str(), change.new.as_str()),
        ("deadline", "2036-05-12T10:00:00Z", "2036-05-26T10:00:00Z")
    );
    let logged: i64 = raw(&path)
        .query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(logged, 2, "every change is in the log");
    store
        .mark_seen(&anbud::model::NoticeId("ted:1".to_owned()))
        .expect("seen");
    assert!(store.load_records().expect("load")[0].changes().is_empty());
}

fn saved_state(mark: &str, etag: &str) -> FeedState {
    FeedState {
        high_water: Some(ts(mark)),
        last_success: Some(ts(mark) + jiff::SignedDuration::from_secs(3)),
        validators: vec![UrlValidators {
            url: "https://api.example.org/rss?q=helse".to_owned(),
            etag: Some(etag.to_owned()),
            last_modified: Some("Sun, 22 Nov 2026 10:00:00 GMT".to_owned()),
        }],
        resume: None,
    }
}

#[test]
fn a_feeds_state_is_saved_with_its_notices_and_survives_a_reopen() {
    let (_dir, path) = db();
    let mut store = Store::open(&path).expect("open");
    assert!(store.load_feed_states().expect("load").is_empty());
    let first = saved_state("2026-11-22T10:00:00Z", "\"v1\"");
    let summary = store
        .save_fetch("Doffin", &[item("doffin:1", 5, true)], &first, at())
        .expect("save")
        .summary;
    assert_eq!(summary.new, 1);
    // Cut short at max_pages: where the next poll continues is saved too.
    let second = FeedState {
        resume: Some(anbud::model::Resume {
            since: ts("2026-11-08T10:00:00Z"),
            cursor: "2@2026-11-08..2026-11-15,2026-11-16..".to_owned(),
            low: Some(ts("2026-11-12T07:30:00Z")),
            started: ts("2026-11-22T11:00:00Z"),
        }),
        ..saved_state("2026-11-22T11:00:00Z", "\"v2\"")
    };
    store.save_fetch("Doffin", &[], &second, at()).expect("save again");
    store
        .save_fetch("TED", &[], &FeedState::default(), at())
        .expect("save an empty state");
    drop(store);
    let store = Store::open(&path).expect("reopen");
    let states = store.load_feed_states().expect("load");
    assert_eq!(states.len(), 2);
    assert_eq!(
        states.get("Doffin"),
        Some(&second),
        "the later poll replaces the earlier"
    );
    assert_eq!(states.get("TED"), Some(&FeedState::default()));
    assert_eq!(store.feed_state("Doffin").expect("one"), Some(second));
    assert_eq!(store.feed_state("RSS").expect("none"), None);
    assert_eq!(count(&path, "notices"), 1);
}

#[test]
fn the_store_thread_hands_the_saved_state_back() {
    let (_dir, path) = db();
    let store = Store::open(&path).expect("open");
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let handle = StoreHandle::spawn(store, tx);
    let state = saved_state("2026-11-22T10:00:00Z", "\"v1\"");
    handle
        .send(StoreCommand::SaveFetch {
            feed: "RSS".to_owned(),
            items: vec![item("rss:1", 5, true)],
            at: at(),
            state: state.clone(),
        })
        .expect("send");
    match rx.blocking_recv() {
        Some(StoreEvent::FetchSaved { feed, state: saved, .. }) => {
            assert_eq!((feed.as_str(), &saved), ("RSS", &state));
        }
        other => panic!("expected FetchSaved, got {other:?}"),
    }
    handle.shutdown();
    let reopened = Store::open(&path).expect("reopen");
    assert_eq!(reopened.feed_state("RSS").expect("load"), Some(state));
}

#[test]
fn the_dashboard_loads_records_without_descriptions_and_reads_them_when_asked() {
    let mut store = Store::open_in_memory().expect("open");
    let mut described = notice("ted:1").title("Trygghetsalarmer").build();
    described.description = "Alarmer med digitalt tilsyn.".to_owned();
    let plain = notice("ted:2").title("Senger").build();
    store
        .upsert_notices(&[(described, relevance(20, true)), (plain, relevance(5, false))], at())
        .expect("upsert");

    let full = store.load_records().expect("load");
    assert!(full.iter().all(|r| !r.description_in_store));
    let mut light = store.load_records_without_descriptions().expect("load");
    light.sort_by(|a, b| a.notice.id.cmp(&b.notice.id));
    assert_eq!(
        light
            .iter()
            .map(|r| (
                r.notice.id.as_str(),
                r.notice.description.as_str(),
                r.description_in_store
            ))
            .collect::<Vec<_>>(),
        [("ted:1", "", true), ("ted:2", "", false)]
    );
    let best = store.load_best(1).expect("best");
    assert_eq!((best.len(), best[0].description_in_store), (1, true));

    let texts = store
        .load_descriptions(&[NoticeId::new("ted", "1"), NoticeId::new("ted", "9")])
        .expect("descriptions");
    assert_eq!(
        texts,
        [
            (NoticeId::new("ted", "1"), "Alarmer med digitalt tilsyn.".to_owned()),
            (NoticeId::new("ted", "9"), String::new()),
        ]
    );
}

#[test]
fn rule_names_read_back_are_shared_between_records() {
    let mut store = Store::open_in_memory().expect("open");
    let items: Vec<(Notice, Relevance)> = ["ted:1", "ted:2"].iter().map(|id| item(id, 5, true)).collect();
    store.upsert_notices(&items, at()).expect("upsert");
    let records = store.load_records().expect("load");
    let rules: Vec<&str> = records
        .iter()
        .flat_map(|r| r.relevance.hits.iter().map(|h| h.rule.as_str()))
        .collect();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert_eq!(rules[0], rules[1]);
    assert!(std::ptr::eq(rules[0], rules[1]), "one allocation for the same rule");
}

#[test]
fn the_store_thread_answers_a_description_read_asked_before_a_save_with_the_old_text() {
    let (_dir, path) = db();
    let mut store = Store::open(&path).expect("open");
    let mut old = notice("ted:1").build();
    old.description = "Gammel tekst.".to_owned();
    store
        .upsert_notices(&[(old.clone(), relevance(5, true))], at())
        .expect("upsert");
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let handle = StoreHandle::spawn(store, tx);
    // As the core sends them after a fetch: the read first, then the save that replaces the text.
    handle
        .send(StoreCommand::LoadDescriptions(vec![old.id.clone()]))
        .expect("send");
    let new = anbud::model::Notice {
        description: "Ny tekst.".to_owned(),
        ..old.clone()
    };
    handle
        .send(StoreCommand::SaveFetch {
            feed: "TED".to_owned(),
            items: vec![(new, relevance(5, true))],
            at: at(),
            state: saved_state("2026-11-22T10:00:00Z", "\"v1\""),
        })
        .expect("send");
    handle
        .send(StoreCommand::LoadDescriptions(vec![old.id.clone()]))
        .expect("send");
    let mut texts = Vec::new();
    for _ in 0..3 {
        match rx.blocking_recv() {
            Some(StoreEvent::DescriptionsLoaded(Ok(mut loaded))) => texts.push(loaded.remove(0).1),
            Some(StoreEvent::FetchSaved { .. }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(texts, ["Gammel tekst.", "Ny tekst."]);
    handle.shutdown();
}

#[test]
fn a_feed_state_saved_before_resume_points_existed_loads_without_one() {
    let (_dir, path) = db();
    let mut store = Store::open(&path).expect("open");
    let saved = saved_state("2026-11-22T10:00:00Z", "\"v1\"");
    store.save_fetch("Doffin", &[], &saved, at()).expect("save");
    drop(store);
    // The database as the version before resume points left it: no resume column, and none of
    // the award tables (nor their later columns) that came after.
    let raw = raw(&path);
    raw.execute_batch(
        "ALTER TABLE feed_state DROP COLUMN resume;
         DROP TABLE awards; DROP TABLE award_links; DROP TABLE competition_keys;",
    )
    .expect("drop column");
    // The version before the step that added the resume column.
    let resume_step = anbud::store::schema::MIGRATIONS
        .iter()
        .position(|step| step.contains("ADD COLUMN resume"))
        .expect("the resume step");
    raw.pragma_update(None, "user_version", i64::try_from(resume_step).expect("small"))
        .expect("version");
    drop(raw);
    let store = Store::open(&path).expect("migrate");
    assert_eq!(store.feed_state("Doffin").expect("load"), Some(saved));
}

/// A test's name as the harness filters it: its module path inside the test binary, then the name.
fn harness_name(test: &str) -> String {
    match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::{test}"),
        None => test.to_owned(),
    }
}
