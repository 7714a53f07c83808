//! Cross-source de-duplication through the store and end to end: a Doffin notice and its TED twin
//! become one record with both links and the reason recorded in SQLite; look-alikes stay apart.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::model::{Notice, Relevance, Triage, TriageChange};
use anbud::store::{StatusFilter, Store};
use jiff::Timestamp;
use rusqlite::Connection;

use crate::common;

use common::cli::{anbud, run, text};

fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn matched() -> Relevance {
    Relevance {
        score: 12,
        matched: true,
        ..Relevance::default()
    }
}

/// A Doffin notice as the adapter builds it (title under `und`, co-buyers joined with "; ").
fn doffin(id: &str, title: &str, buyer: &str, org: Option<&str>, deadline: &str) -> Notice {
    Notice {
        titles: [("und".to_owned(), title.to_owned())].into(),
        buyer: buyer.to_owned(),
        buyer_id: org.map(Into::into),
        deadline: Some(at(deadline)),
        country: Some("NO".into()),
        url: format!("https://doffin.no/notices/{id}"),
        ..Notice::blank("doffin", id, title)
    }
}

/// A TED notice: the real title, and TED's generated titles per language in `titles`.
fn ted(id: &str, title: &str, buyer: &str, org: Option<&str>, deadline: &str) -> Notice {
    Notice {
        titles: [
            ("eng".to_owned(), format!("Norway – Medical software package – {title}")),
            ("nor".to_owned(), format!("Norge – Medisinsk programvare – {title}")),
        ]
        .into(),
        buyer: buyer.to_owned(),
        buyer_id: org.map(Into::into),
        deadline: Some(at(deadline)),
        country: Some("NOR".into()),
        url: format!("https://ted.europa.eu/en/notice/-/detail/{id}"),
        ..Notice::blank("ted", id, title)
    }
}

const EPJ: &str = "Elektronisk pasientjournal (EPJ) til legekontor";
const DEADLINE: &str = "2027-01-15T10:00:00Z";

fn doffin_batch() -> Vec<(Notice, Relevance)> {
    vec![
        (
            doffin(
                "2026-112542",
                EPJ,
                "Herøy kommune; Sande kommune; Volda kommune",
                Some("964978840"),
                DEADLINE,
            ),
            matched(),
        ),
        // Same buyer, a generic framework title, another deadline: its own procedure.
        (
            doffin(
                "2026-112600",
                "Rammeavtale for IKT-konsulenttjenester",
                "Herøy kommune",
                Some("964978840"),
                "2027-02-01T10:00:00Z",
            ),
            matched(),
        ),
    ]
}

fn ted_batch() -> Vec<(Notice, Relevance)> {
    vec![
        // The twin: TED gives the organisation number in its own spelling.
        (
            ted(
                "712345-2026",
                EPJ,
                "Herøy kommune",
                Some("NO 964 978 840 MVA"),
                DEADLINE,
            ),
            matched(),
        ),
        // Same title and deadline, another municipality: not the same procedure.
        (
            ted("712346-2026", EPJ, "Ørsta kommune", Some("964978085"), DEADLINE),
            matched(),
        ),
        // Same buyer, a similar generic title, another deadline than the Doffin framework.
        (
            ted(
                "712347-2026",
                "Rammeavtale for IKT-konsulenttjenester",
                "Herøy kommune",
                Some("964978840"),
                "2027-03-01T10:00:00Z",
            ),
            matched(),
        ),
    ]
}

fn keys(store: &Store, filter: StatusFilter) -> Vec<String> {
    let mut ids: Vec<String> = store
        .records(filter)
        .expect("records")
        .into_iter()
        .map(|r| r.notice.id.0)
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_doffin_notice_then_its_ted_twin_is_one_record_with_both_links_and_the_reason_in_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("anbud.db");
    let mut store = Store::open(&path).expect("open");
    store
        .upsert_notices(&doffin_batch(), at("2026-11-20T08:00:00Z"))
        .expect("doffin saved");
    let summary = store
        .upsert_notices(&ted_batch(), at("2026-11-20T09:00:00Z"))
        .expect("ted saved");
    assert_eq!(summary.new, 3, "the twin is stored too, as a secondary");

    let visible = keys(&store, StatusFilter::All);
    assert_eq!(
        visible,
        [
            "doffin:2026-112542",
            "doffin:2026-112600",
            "ted:712346-2026",
            "ted:712347-2026"
        ],
        "the TED twin is not listed; the look-alikes are"
    );
    let records = store.load_records().expect("load");
    let primary = records
        .iter()
        .find(|r| r.notice.id.as_str() == "doffin:2026-112542")
        .expect("primary");
    assert_eq!(primary.also_on().len(), 1);
    let link = &primary.also_on()[0];
    assert_eq!((link.id.as_str(), link.source.as_str()), ("ted:712345-2026", "ted"));
    assert_eq!(link.url, "https://ted.europa.eu/en/notice/-/detail/712345-2026");
    assert_eq!(
        link.reason,
        "same buyer org 964 978 840, titles 100 % alike, same deadline 15 Jan 2027 10:00 UTC"
    );
    assert!(
        records
            .iter()
            .filter(|r| r.notice.id != primary.notice.id)
            .all(|r| r.also_on().is_empty()),
        "nothing else was merged"
    );

    // The reason is in SQLite, with the primary (the notice seen first) and when.
    let conn = Connection::open(&path).expect("raw open");
    let rows: Vec<(String, String, String, String)> = conn
        .prepare("SELECT notice_id, primary_id, reason, at FROM duplicates")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        [(
            "ted:712345-2026".to_owned(),
            "doffin:2026-112542".to_owned(),
            link.reason.clone(),
            "2026-11-20T09:00:00Z".to_owned()
        )]
    );
}

#[test]
fn a_refetch_keeps_one_record_and_triage_on_the_primary_is_what_counts() {
    let mut store = Store::open_in_memory().expect("open");
    store
        .upsert_notices(&doffin_batch(), at("2026-11-20T08:00:00Z"))
        .expect("doffin");
    store
        .upsert_notices(&ted_batch(), at("2026-11-20T09:00:00Z"))
        .expect("ted");
    // Both feeds poll again; the TED twin's deadline text is unchanged, so nothing moves.
    store
        .upsert_notices(&ted_batch(), at("2026-11-20T10:00:00Z"))
        .expect("ted again");
    store
        .upsert_notices(&doffin_batch(), at("2026-11-20T10:00:00Z"))
        .expect("doffin again");
    assert_eq!(keys(&store, StatusFilter::All).len(), 4);
    let inbox = store.records(StatusFilter::Inbox).expect("inbox");
    assert_eq!(inbox.len(), 4, "counts leave the twin out");
    let primary = inbox
        .iter()
        .find(|r| r.notice.id.as_str() == "doffin:2026-112542")
        .expect("primary in the inbox");
    assert_eq!(primary.also_on().len(), 1, "one link however often it is fetched");

    store
        .save_triage(
            &TriageChange {
                id: primary.notice.id.clone(),
                from: Triage::New,
                to: Triage::Shortlisted,
            },
            at("2026-11-20T11:00:00Z"),
        )
        .expect("shortlist");
    let shortlisted = store.records(StatusFilter::Shortlisted).expect("shortlist");
    assert_eq!(shortlisted.len(), 1);
    assert_eq!(
        shortlisted[0].also_on()[0].source,
        "ted",
        "the shortlist carries both links"
    );
}

#[test]
fn the_ted_notice_seen_first_stays_primary_when_doffin_arrives_later() {
    let mut store = Store::open_in_memory().expect("open");
    store
        .upsert_notices(&ted_batch(), at("2026-11-20T08:00:00Z"))
        .expect("ted");
    store
        .upsert_notices(&doffin_batch(), at("2026-11-20T09:00:00Z"))
        .expect("doffin");
    let records = store.load_records().expect("load");
    assert_eq!(records.len(), 4);
    let primary = records
        .iter()
        .find(|r| r.notice.id.as_str() == "ted:712345-2026")
        .expect("ted primary");
    assert_eq!(primary.also_on()[0].id.as_str(), "doffin:2026-112542");
    assert!(!records.iter().any(|r| r.notice.id.as_str() == "doffin:2026-112542"));
}

/// A TED search answer with one Norwegian notice, shaped like the recorded responses.
fn ted_page() -> String {
    serde_json::json!({
        "notices": [{
            "publication-number": "712345-2026",
            "notice-title": {
                "eng": format!("Norway – Medical software package – {EPJ}"),
                "nor": format!("Norge – Medisinsk programvarepakke – {EPJ}"),
            },
            "buyer-name": {"nor": ["Herøy kommune"]},
            "buyer-country": ["NOR"],
            "classification-cpv": ["48814000", "48814000"],
            "publication-date": "2026-11-20+01:00",
            "deadline-receipt-tender-date-lot": ["2027-01-15+01:00"],
            "deadline-receipt-tender-time-lot": ["11:00:00+01:00"],
            "notice-type": "cn-standard",
            "links": {"html": {"ENG": "https://ted.europa.eu/en/notice/-/detail/712345-2026"}},
        }],
        "totalNoticeCount": 1,
        "iterationNextToken": null,
        "timedOut": false,
    })
    .to_string()
}

/// A Doffin search answer with the same procedure, shaped like the recorded hits.
fn doffin_page() -> String {
    serde_json::json!({
        "numHitsTotal": 1,
        "numHitsAccessible": 1,
        "hits": [{
            "id": "2026-112542",
            "buyer": [
                {"id": "1b37f6d04a77ae305c670f1bc3ac7df8", "organizationId": "964978840", "name": "Herøy kommune"},
                {"id": "a5ba5f6ce723cf72ab5867f59e7630f5", "organizationId": "822534422", "name": "Sande kommune"},
            ],
            "heading": EPJ,
            "description": "Formålet med anskaffinga er å dekke behovet for elektronisk pasientjournal.",
            "type": "ANNOUNCEMENT_OF_COMPETITION",
            "allTypes": ["ANNOUNCEMENT_OF_COMPETITION", "COMPETITION"],
            "status": "ACTIVE",
            "issueDate": "2026-11-19T13:48:30Z",
            "deadline": DEADLINE,
            "publicationDate": "2026-11-20",
            "cpvCodes": ["48814000"],
            "lots": [],
        }],
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_against_two_loopback_feeds_lists_the_procedure_once_with_both_links() {
    let ted_body = ted_page();
    let doffin_body = doffin_page();
    let ted_server = LoopbackServer::start(vec![Route::new("POST", "/v3/notices/search", move |_| {
        CannedResponse::json(200, ted_body.clone())
    })])
    .await
    .expect("ted server");
    let doffin_server = LoopbackServer::start(vec![Route::new("GET", "/public/v2/search", move |_| {
        CannedResponse::json(200, doffin_body.clone())
    })])
    .await
    .expect("doffin server");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[feeds]]\nname = \"Doffin\"\nkind = \"doffin\"\nbase_url = \"{}/public/v2\"\napi_key_env = \"ANBUD_TEST_DEDUP_KEY\"\n\n\
             [[feeds]]\nname = \"TED\"\nkind = \"ted\"\nbase_url = \"{}\"\ncountries = [\"NOR\"]\n",
            doffin_server.base_url(),
            ted_server.base_url()
        ),
    )
    .expect("config");
    let db = dir.path().join("anbud.db");
    let mut poll = anbud();
    poll.env("ANBUD_TEST_DEDUP_KEY", "test-key")
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["poll", "--once"]);
    let out = tokio::task::spawn_blocking(move || run(&mut poll)).await.expect("join");
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!doffin_server.requests().is_empty() && !ted_server.requests().is_empty());

    let list = run(anbud()
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["list", "--view", "all", "--json"]));
    assert!(list.status.success(), "{}", text(&list.stderr));
    let lines: Vec<serde_json::Value> = text(&list.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 1, "one procedure, listed once: {lines:?}");
    let line = &lines[0];
    let also_on = line["also_on"].as_array().expect("also_on array");
    assert_eq!(also_on.len(), 1, "{line}");
    // Whichever feed the poll saved first is the primary; the other is the link.
    let sources = [line["source"].as_str().unwrap(), also_on[0]["source"].as_str().unwrap()];
    assert!(sources.contains(&"ted") && sources.contains(&"doffin"), "{sources:?}");
    assert!(
        also_on[0]["reason"]
            .as_str()
            .unwrap()
            .contains("titles 100 % alike, same deadline 15 Jan 2027 10:00 UTC"),
        "{line}"
    );
    assert!(also_on[0]["url"].as_str().unwrap().starts_with("https://"), "{line}");
}

#[test]
fn the_dashboard_folds_a_fetched_twin_into_the_shown_record_and_the_detail_pane_names_it() {
    use anbud::app::{Action, AppState, Effect, Msg, View};

    let now = at("2026-11-22T12:00:00Z");
    let mut store = Store::open_in_memory().expect("open");
    store
        .upsert_notices(&doffin_batch(), at("2026-11-20T08:00:00Z"))
        .expect("doffin");
    let mut state = AppState::new(
        store.load_records().expect("load"),
        &["Doffin".to_owned(), "TED".to_owned()],
        now,
    );
    assert_eq!(state.count(View::All), 2);
    assert_eq!(now, common::now());
    let effects = state.update(Msg::Feed(common::saver::fetched("TED", ted_batch())));
    assert_eq!(
        state.count(View::All),
        2,
        "nothing is listed before the store has saved it"
    );
    // The store gets the whole fetch and decides: it records the merge in the same transaction,
    // and the dashboard shows what it decided.
    let Some(Effect::SaveFetch { items, .. }) = effects.iter().find(|e| matches!(e, Effect::SaveFetch { .. })) else {
        panic!("no SaveFetch in {effects:?}");
    };
    assert_eq!(items.len(), 3);
    let mut saver = common::saver::Saver { store };
    saver.answer(&mut state, effects);
    assert_eq!(state.count(View::All), 4, "the twin is not a row of its own");
    assert_eq!(state.count(View::Inbox), 4);
    let reloaded = AppState::new(saver.store.load_records().expect("reload"), &[], now);
    assert_eq!(reloaded.count(View::All), 4, "a restart shows the same list");
    // The twin fetched again stays a link, once.
    saver.poll(&mut state, common::saver::fetched("TED", ted_batch()));
    assert_eq!(state.count(View::All), 4);

    let primary = state.selected_record().expect("selected");
    assert_eq!(primary.notice.id.as_str(), "doffin:2026-112542");
    assert_eq!(primary.also_on().len(), 1);
    assert_eq!(
        reloaded
            .selected_record()
            .map(|r| r.also_on().iter().map(|a| a.reason.clone()).collect::<Vec<_>>()),
        Some(primary.also_on().iter().map(|a| a.reason.clone()).collect()),
        "the list after a restart gives the same reason"
    );

    state.update(Msg::Action(Action::ToggleDetail));
    let look = common::screen::Look {
        tz: jiff::tz::TimeZone::UTC,
        ..Default::default()
    };
    let terminal = common::screen::draw_with(&state, 300, 30, &look, &mut anbud::ui::ViewState::default());
    let rows = common::screen::rows(&terminal);
    let line = rows.iter().find(|r| r.contains("Also on")).expect("an Also on line");
    assert!(
        line.contains(
            "TED: https://ted.europa.eu/en/notice/-/detail/712345-2026 — merged: same buyer org 964 978 840, titles 100 % alike"
        ),
        "{line}"
    );
}

/// Realistic volume: 200 buyers × 10 procedures each on Doffin, their 2,000 TED twins among 2,000
/// other TED notices of the same buyers (other purchases, some on the same deadline days). Every
/// twin merges with its own procedure and nothing else merges. Prints the time per save (no limit:
/// the figure is for the report, the assertion is about correctness at scale).
#[test]
fn thousands_of_pairs_merge_exactly_with_their_twins() {
    const BUYERS: usize = 200;
    const PURCHASES: [&str; 20] = [
        "rørleggertjenester",
        "elektrikertjenester",
        "renhold av skolebygg",
        "trygghetsalarmer",
        "pasientvarsling",
        "medisinsk forbruksmateriell",
        "legemidler",
        "røntgenutstyr",
        "laboratorieanalyser",
        "velferdsteknologi",
        "elektronisk pasientjournal",
        "kontorrekvisita",
        "snørydding",
        "skoleskyss",
        "IKT-konsulenter",
        "hjemmesykepleie",
        "dialysemaskiner",
        "sykesenger",
        "telefoni",
        "matlevering",
    ];
    let base = at("2027-01-04T11:00:00Z");
    let notice_pair = |i: usize, purchase: usize, day: i64| {
        let buyer = format!("Kommune {} kommune", i % BUYERS);
        let org = format!("9{:08}", i % BUYERS);
        let title = format!("Rammeavtale {}", PURCHASES[purchase]);
        let deadline = (base + jiff::SignedDuration::from_hours(24 * day)).to_string();
        (
            doffin(&format!("2026-{i:06}"), &title, &buyer, Some(&org), &deadline),
            ted(&format!("{i:06}-2026"), &title, &buyer, Some(&org), &deadline),
        )
    };
    let (mut doffins, mut teds) = (Vec::new(), Vec::new());
    for i in 0..BUYERS * 10 {
        // Each buyer's ten procedures: ten different purchases, deadlines on only three days.
        let (d, t) = notice_pair(i, (i / BUYERS) % 10, ((i / BUYERS) % 3) as i64);
        doffins.push((d, matched()));
        teds.push((t, matched()));
    }
    for i in 0..BUYERS * 10 {
        // Other TED-only purchases of the same buyers on the same days.
        let (_, mut t) = notice_pair(i, 10 + (i / BUYERS) % 10, ((i / BUYERS) % 3) as i64);
        t.id = anbud::model::NoticeId::new("ted", &format!("9{i:05}-2026"));
        teds.push((t, matched()));
    }
    let mut store = Store::open_in_memory().expect("open");
    let started = std::time::Instant::now();
    store
        .upsert_notices(&doffins, at("2026-11-20T08:00:00Z"))
        .expect("doffin");
    let doffin_time = started.elapsed();
    let started = std::time::Instant::now();
    store.upsert_notices(&teds, at("2026-11-20T09:00:00Z")).expect("ted");
    let ted_time = started.elapsed();
    let records = store.load_records().expect("load");
    assert_eq!(
        records.len(),
        4_000,
        "2,000 Doffin + 2,000 TED-only; the twins are links"
    );
    let merged: usize = records.iter().map(|r| r.also_on().len()).sum();
    assert_eq!(merged, 2_000);
    for record in records.iter().filter(|r| !r.also_on().is_empty()) {
        let twin = &record.also_on()[0];
        let own = record.notice.native_id.trim_start_matches("2026-").to_owned();
        assert_eq!(twin.id.as_str(), format!("ted:{own}-2026"), "merged with its own twin");
    }
    // The same TED save into a store without the Doffin notices: no candidates, nothing merged.
    let mut alone = Store::open_in_memory().expect("open");
    let started = std::time::Instant::now();
    alone
        .upsert_notices(&teds, at("2026-11-20T09:00:00Z"))
        .expect("ted alone");
    let alone_time = started.elapsed();
    assert!(
        alone
            .load_records()
            .expect("load")
            .iter()
            .all(|r| r.also_on().is_empty())
    );
    eprintln!(
        "saved 2,000 Doffin notices in {doffin_time:?}, then 4,000 TED notices (2,000 twins) in {ted_time:?}; \
         the same 4,000 TED notices into an empty store: {alone_time:?}"
    );
}
