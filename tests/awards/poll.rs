//! Awards in the live poll, over a loopback server serving the recorded payloads: the dashboard's
//! poller → core → store path (the core's effects answered by a real store, as the store thread
//! answers them) and `anbud poll --once`, for a working and a broken award search.

use std::sync::Arc;
use std::time::Duration;

use anbud::app::AppState;
use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::feeds::FeedEvent;
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::ocds::{CONTRACTS_FINDER_PATH, OcdsAdapter, OcdsSettings};
use anbud::feeds::poller::{FeedSpec, PollCommand, Scorer, run_poller};
use anbud::feeds::ted::{TedAdapter, TedSettings};
use anbud::model::{FeedState, Relevance};
use anbud::store::{AwardQuery, StatusFilter, Store};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::parse::{CF_2022, TED_CAN};
use crate::common::cli::{anbud, run, text};
use crate::common::is_award_search;
use crate::common::saver::Saver;

const TED_PATH: &str = "/v3/notices/search";
/// A recorded TED competition page (no next token).
const TED_COMPETITIONS: &[u8] = include_bytes!("../../src/demo/fixtures/ted/search-response-opted-2024.json");

/// How many notices the competition page holds, as the TED adapter reads it.
fn competitions() -> usize {
    use anbud::feeds::FeedAdapter;
    TedAdapter::new(TedSettings::default())
        .parse(TED_COMPETITIONS)
        .unwrap()
        .notices
        .len()
}

/// TED on loopback: the competition search gets the recorded competition page, the award search
/// `awards` (status and body).
async fn ted_server(awards: (u16, &'static [u8])) -> LoopbackServer {
    LoopbackServer::start(vec![Route::new("POST", TED_PATH, move |req| {
        if is_award_search(req) {
            CannedResponse::json(awards.0, awards.1)
        } else {
            CannedResponse::json(200, TED_COMPETITIONS)
        }
    })])
    .await
    .unwrap()
}

fn scorer() -> Scorer {
    Arc::new(|_| Relevance::default())
}

fn spec(name: &str, adapter: Arc<dyn anbud::feeds::FeedAdapter>) -> FeedSpec {
    FeedSpec {
        name: name.to_owned(),
        adapter,
        interval: Duration::from_secs(900),
        lookback: Duration::from_secs(14 * 86_400),
        max_pages: 5,
        state: FeedState::default(),
    }
}

fn ted_spec(server: &LoopbackServer) -> FeedSpec {
    spec(
        "TED",
        Arc::new(TedAdapter::new(TedSettings {
            base_url: server.base_url(),
            countries: vec!["DEU".into()],
            awards: true,
            ..TedSettings::default()
        })),
    )
}

/// The poller's events for one poll of `spec`, up to its `Fetched` or `Failed`, or up to the
/// `AwardsFetched` the poller sends right after `Fetched` when `awards` are expected (the next poll
/// is a quarter of an hour away, so nothing else comes between).
async fn one_poll(spec: FeedSpec, awards: bool) -> Vec<FeedEvent> {
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let (_commands, command_rx) = mpsc::channel::<PollCommand>(1);
    let (events_tx, mut events) = mpsc::channel(16);
    let cancel = CancellationToken::new();
    let task = tokio::spawn(run_poller(
        vec![spec],
        fetcher,
        scorer(),
        command_rx,
        events_tx,
        cancel.clone(),
    ));
    let mut seen = Vec::new();
    while let Some(event) = events.recv().await {
        let last = match &event {
            FeedEvent::Failed { .. } | FeedEvent::AwardsFetched { .. } => true,
            FeedEvent::Fetched { .. } => !awards,
            _ => false,
        };
        seen.push(event);
        if last {
            break;
        }
    }
    cancel.cancel();
    task.await.unwrap();
    seen
}

fn warnings(events: &[FeedEvent]) -> Vec<String> {
    events
        .iter()
        .find_map(|e| match e {
            FeedEvent::Fetched { warnings, .. } => Some(warnings.clone()),
            _ => None,
        })
        .expect("a Fetched event")
}

#[tokio::test]
async fn a_ted_poll_saves_the_award_search_after_its_notices_and_says_so() {
    let server = ted_server((200, TED_CAN)).await;
    let events = one_poll(ted_spec(&server), true).await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            FeedEvent::Started { .. } => "started",
            FeedEvent::Fetched { .. } => "fetched",
            FeedEvent::AwardsFetched { .. } => "awards",
            FeedEvent::Failed { .. } => "failed",
            FeedEvent::Inactive { .. } => "inactive",
        })
        .collect();
    assert_eq!(kinds, ["started", "fetched", "awards"]);
    assert_eq!(warnings(&events), Vec::<String>::new());
    // The award search went out with scope ALL after the competition page.
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(!is_award_search(&requests[0]) && is_award_search(&requests[1]));
    assert_eq!(requests[1].body_json().unwrap()["scope"], "ALL");

    // The core hands both to the store, in order; the store's answer reaches the message log.
    let mut state = AppState::new(Vec::new(), &["TED".to_owned()], crate::common::now());
    let mut saver = Saver::empty();
    for event in events {
        let rest = saver.poll(&mut state, event);
        assert!(
            rest.iter().all(|e| matches!(e, anbud::app::Effect::Notify { .. })),
            "{rest:?}"
        );
    }
    assert_eq!(saver.store.records(StatusFilter::All).unwrap().len(), competitions());
    let stored = saver.store.awards(&AwardQuery::default()).unwrap();
    let rows: Vec<(String, &str, Option<f64>)> = stored
        .iter()
        .map(|s| {
            (
                s.award.lot_id.clone(),
                s.award.winner_name.as_deref().unwrap_or("-"),
                s.award.value,
            )
        })
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["LOT-0001", "LOT-0002", "LOT-0003"]
    );
    assert_eq!(
        rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        [Some(320_649.86), Some(210_787.86), Some(5_850.0)]
    );
    let log: Vec<String> = state.message_log().entries().map(|(_, m)| m.text.clone()).collect();
    assert!(log.iter().any(|m| m == "3 new awards"), "{log:?}");

    // The same answer again (the next poll's overlap) is nothing new.
    let again = one_poll(ted_spec(&server), true).await;
    for event in again {
        saver.poll(&mut state, event);
    }
    let log: Vec<String> = state.message_log().entries().map(|(_, m)| m.text.clone()).collect();
    assert_eq!(log.iter().filter(|m| m.ends_with("new awards")).count(), 1, "{log:?}");
    assert_eq!(saver.store.awards(&AwardQuery::default()).unwrap().len(), 3);
}

#[tokio::test]
async fn a_broken_award_answer_leaves_the_competitions_saved_and_says_why_on_the_feed() {
    let server = ted_server((200, br#"{"notices": 7}"#)).await;
    let events = one_poll(ted_spec(&server), false).await;
    assert!(matches!(events.last(), Some(FeedEvent::Fetched { .. })), "{events:?}");
    let warnings = warnings(&events);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("award search failed (the notices were saved): "),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("\"notices\" list"), "{warnings:?}");

    let mut state = AppState::new(Vec::new(), &["TED".to_owned()], crate::common::now());
    let mut saver = Saver::empty();
    for event in events {
        saver.poll(&mut state, event);
    }
    assert_eq!(saver.store.records(StatusFilter::All).unwrap().len(), competitions());
    assert!(saver.store.awards(&AwardQuery::default()).unwrap().is_empty());
    let health = state.source_health();
    let ted = health.iter().find(|h| h.name == "TED").expect("TED's health");
    assert_eq!(ted.warnings, warnings, "shown in the sources panel");
}

#[tokio::test]
async fn an_ocds_poll_keeps_the_awards_of_the_releases_it_read() {
    let body = CF_2022.to_vec();
    let server = LoopbackServer::start(vec![Route::new("GET", CONTRACTS_FINDER_PATH, move |_| {
        CannedResponse::json(200, body.clone())
    })])
    .await
    .unwrap();
    let adapter = OcdsAdapter::new(OcdsSettings {
        base_url: server.base_url(),
        path: CONTRACTS_FINDER_PATH.into(),
        source: "cf".into(),
        notice_url_template: None,
        awards: true,
        ..OcdsSettings::default()
    });
    let mut spec = spec("Contracts Finder", Arc::new(adapter));
    // The recorded package links a next page; one is enough here.
    spec.max_pages = 1;
    let events = one_poll(spec, true).await;
    let Some(FeedEvent::AwardsFetched { found, .. }) = events.last() else {
        panic!("{events:?}");
    };
    let ocids: std::collections::HashSet<&str> = found.awards.iter().filter_map(|a| a.keys.ocid.as_deref()).collect();
    assert_eq!(ocids.len(), 8, "9 releases, one ocid twice");
    assert_eq!(server.requests().len(), 1, "no second request for awards");
}

/// Runs `anbud poll --once` with a TED feed at `server`, on the blocking pool.
async fn poll_once(server: &LoopbackServer, dir: &std::path::Path) -> std::process::Output {
    let config = dir.join("anbud.toml");
    std::fs::write(
        &config,
        format!(
            "[[feeds]]\nname = \"TED\"\nkind = \"ted\"\nbase_url = \"{}\"\ncountries = [\"DEU\"]\n",
            server.base_url()
        ),
    )
    .unwrap();
    let mut cmd = anbud();
    cmd.arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(dir.join("anbud.db"))
        .args(["poll", "--once"]);
    tokio::task::spawn_blocking(move || run(&mut cmd)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_stores_the_awards_and_reports_them() {
    let server = ted_server((200, TED_CAN)).await;
    let dir = tempfile::tempdir().unwrap();
    let out = poll_once(&server, dir.path()).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("TED: awards: 3 new or changed, 3 rows of 1 award notices, 0 linked to a competition"),
        "{stdout}"
    );
    let store = Store::open(&dir.path().join("anbud.db")).unwrap();
    assert_eq!(store.awards(&AwardQuery::default()).unwrap().len(), 3);
    assert_eq!(store.records(StatusFilter::All).unwrap().len(), competitions());
    drop(store);
    let again = text(&poll_once(&server, dir.path()).await.stdout);
    assert!(again.contains("TED: awards: 0 new or changed, 3 rows"), "{again}");
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_with_a_broken_award_search_saves_the_notices_and_exits_1() {
    let server = ted_server((500, b"<html><body>Internal Server Error</body></html>")).await;
    let dir = tempfile::tempdir().unwrap();
    let out = poll_once(&server, dir.path()).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!("TED: {} new, 0 updated", competitions())),
        "{stdout}"
    );
    assert!(
        stdout.contains("TED: error: award search failed (the notices were saved): HTTP 500"),
        "{stdout}"
    );
    let store = Store::open(&dir.path().join("anbud.db")).unwrap();
    assert_eq!(store.records(StatusFilter::All).unwrap().len(), competitions());
    assert!(store.awards(&AwardQuery::default()).unwrap().is_empty());
}

/// `body` (a TED search page) with `fields` added to its first notice.
fn with_fields(body: &[u8], fields: serde_json::Value) -> Vec<u8> {
    let mut page: serde_json::Value = serde_json::from_slice(body).unwrap();
    let notice = page["notices"][0].as_object_mut().unwrap();
    for (key, value) in fields.as_object().unwrap() {
        notice.insert(key.clone(), value.clone());
    }
    serde_json::to_vec(&page).unwrap()
}

#[tokio::test]
async fn a_ted_award_links_exactly_to_the_competition_of_its_procedure() {
    // Neither recorded page has the procedure id (the competition page predates it, the result
    // notice was trimmed): both get the one of eForms notice 434619-2026, as TED sends it.
    let procedure = serde_json::json!({"procedure-identifier": "079d095c-14ba-4372-8dc0-0b90a730f4f8"});
    let competitions = with_fields(TED_COMPETITIONS, procedure.clone());
    let results = with_fields(TED_CAN, procedure);
    let server = LoopbackServer::start(vec![Route::new("POST", TED_PATH, move |req| {
        if is_award_search(req) {
            CannedResponse::json(200, results.clone())
        } else {
            CannedResponse::json(200, competitions.clone())
        }
    })])
    .await
    .unwrap();
    let events = one_poll(ted_spec(&server), true).await;
    let mut state = AppState::new(Vec::new(), &["TED".to_owned()], crate::common::now());
    let mut saver = Saver::empty();
    for event in events {
        saver.poll(&mut state, event);
    }
    let stored = saver.store.awards(&AwardQuery::default()).unwrap();
    let competition = saver.store.records(StatusFilter::All).unwrap()[0].notice.id.clone();
    let links: Vec<_> = stored
        .iter()
        .map(|a| a.link.as_ref().map(|l| (l.competition.clone(), l.method)))
        .collect();
    assert_eq!(
        links,
        vec![Some((competition.clone(), anbud::model::LinkMethod::ProcedureId)); 3]
    );
    // The dashboard shows them on that notice.
    assert_eq!(state.awards_for(&competition).len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_award_polled_before_its_competition_is_linked_by_the_poll_that_brings_the_competition() {
    // First poll: the award search finds the result notice, but its competition is not read yet
    // (the rest of a window a later poll reads). Second poll: the competition arrives and the
    // award search finds nothing new: the stored award is linked then, not left for
    // `awards --import`.
    let procedure = serde_json::json!({"procedure-identifier": "079d095c-14ba-4372-8dc0-0b90a730f4f8"});
    let competitions = with_fields(TED_COMPETITIONS, procedure.clone());
    let results = with_fields(TED_CAN, procedure);
    let empty: &[u8] = br#"{"notices":[],"totalNoticeCount":0,"iterationNextToken":null,"timedOut":false}"#;
    let second = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let later = Arc::clone(&second);
    let server = LoopbackServer::start(vec![Route::new("POST", TED_PATH, move |req| {
        let later = later.load(std::sync::atomic::Ordering::SeqCst);
        match (is_award_search(req), later) {
            (true, false) => CannedResponse::json(200, results.clone()),
            (false, true) => CannedResponse::json(200, competitions.clone()),
            _ => CannedResponse::json(200, empty),
        }
    })])
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = text(&poll_once(&server, dir.path()).await.stdout);
    assert!(first.contains("3 rows of 1 award notices, 0 linked"), "{first}");
    assert!(!first.contains("stored earlier"), "{first}");

    second.store(true, std::sync::atomic::Ordering::SeqCst);
    let out = poll_once(&server, dir.path()).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("TED: awards: 1 stored earlier now linked to a competition"),
        "{stdout}"
    );
    let store = Store::open(&dir.path().join("anbud.db")).unwrap();
    let competition = store.records(StatusFilter::All).unwrap()[0].notice.id.clone();
    let links: Vec<_> = store
        .awards(&AwardQuery::default())
        .unwrap()
        .iter()
        .map(|a| a.link.as_ref().map(|l| (l.competition.clone(), l.method)))
        .collect();
    assert_eq!(
        links,
        vec![Some((competition, anbud::model::LinkMethod::ProcedureId)); 3]
    );
    drop(store);

    // Linked once: the next poll has nothing waiting.
    let third = text(&poll_once(&server, dir.path()).await.stdout);
    assert!(!third.contains("stored earlier"), "{third}");
}
