//! Doffin award values: a Doffin search hit names the winner, not the amount, so the notice's
//! eForms XML is read — only for award notices that conclude a matched or followed competition,
//! spaced for Doffin's rate limit. Over a loopback server serving the recorded payloads: the hits
//! of `hit-contract-award-notice.json` (Digitaliseringsdirektoratet) and `hit-intention-notice.json`
//! (Sykehusinnkjøp), and the one recorded Doffin award XML (`2022-319091`, Ålesund kommune: the
//! only one there is, so it stands in for the followed notice's XML, whose rows are filed under
//! the id asked for, as an eForms-native notice's UUID `cbc:ID` would be).

use anbud::app::{AppState, Effect};
use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::feeds::doffin::{DoffinAdapter, DoffinSettings};
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::poller::fetch_award_values;
use anbud::feeds::{FeedAdapter, FeedEvent};
use anbud::model::{Notice, NoticeId, NoticeRecord, Relevance, Triage};
use anbud::store::{AwardQuery, Store};

use super::parse::{DOFFIN_AWARD_HIT, DOFFIN_INTENT_HIT, DOFFIN_XML};
use crate::common::cli::{anbud, run, text};
use crate::common::notice;
use crate::common::saver::Saver;

const KEY_ENV: &str = "ANBUD_TEST_DOFFIN_AWARD_KEY";

/// Doffin on loopback: the `RESULT` search answers the two recorded result hits, the competition
/// search nothing, and `/download/…` the recorded award XML.
async fn doffin_server() -> LoopbackServer {
    let hit = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
    let results = serde_json::to_vec(&serde_json::json!({
        "numHitsTotal": 2,
        "numHitsAccessible": 2,
        "hits": [hit(DOFFIN_AWARD_HIT), hit(DOFFIN_INTENT_HIT)],
    }))
    .unwrap();
    LoopbackServer::start(vec![
        Route::new("GET", "/public/v2/search", move |req| {
            if req.query.contains("type=RESULT") {
                CannedResponse::json(200, results.clone())
            } else {
                CannedResponse::json(200, r#"{"numHitsTotal": 0, "numHitsAccessible": 0, "hits": []}"#)
            }
        }),
        Route::new("GET", "/public/v2/download/2026-112546", |_| {
            CannedResponse::new(200, DOFFIN_XML).with_header("content-type", "application/octet-stream")
        }),
    ])
    .await
    .unwrap()
}

/// The competition notices the two hits conclude, as anbud stores them from a Doffin poll: the
/// contact-centre one `followed` (matched), the patient-monitoring one undecided and unmatched.
fn competitions(followed: bool) -> Vec<NoticeRecord> {
    let competition = |id: &str, title: &str, buyer: &str, orgnr: &str, cpv: &str, matched: bool| {
        let (mut n, mut r): (Notice, Relevance) = notice(id)
            .title(title)
            .buyer(buyer)
            .deadline("2026-06-01T10:00:00Z")
            .score(if matched { 5 } else { 0 })
            .scored();
        n.buyer_id = Some(format!("NO-BRC-{orgnr}").into());
        n.cpv = [cpv].into_iter().collect();
        r.matched = matched;
        NoticeRecord {
            triage: Triage::New,
            ..NoticeRecord::new(n, r)
        }
    };
    vec![
        competition(
            "doffin:2026-100001",
            "Kontaktsenterløsning til Digitaliseringsdirektoratet",
            "Digitaliseringsdirektoratet",
            "991825827",
            "48000000",
            followed,
        ),
        competition(
            "doffin:2026-100002",
            "Elektronisk system for pasientovervåking og klinisk dokumentasjon",
            "SYKEHUSINNKJØP HF",
            "916879067",
            "33100000",
            false,
        ),
    ]
}

fn adapter(server: &LoopbackServer) -> DoffinAdapter {
    DoffinAdapter::new(DoffinSettings {
        base_url: format!("{}/public/v2", server.base_url()),
        api_key: Some("test-key".into()),
        awards: true,
        ..DoffinSettings::default()
    })
}

/// The notice downloads the server saw, in order.
fn downloads(server: &LoopbackServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path.contains("/download/"))
        .map(|r| r.path.clone())
        .collect()
}

/// The award search of one poll of `adapter`, as the poller reports it.
async fn award_search(adapter: &DoffinAdapter) -> FeedEvent {
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let since = "2026-07-20T00:00:00Z".parse().unwrap();
    let body = fetcher
        .execute(&adapter.award_request(since, None).unwrap())
        .await
        .unwrap();
    FeedEvent::AwardsFetched {
        feed: "Doffin".into(),
        found: adapter.parse_awards(since, None, &body).unwrap().found,
        at: crate::common::now(),
    }
}

#[tokio::test]
async fn the_dashboard_reads_the_xml_of_followed_awards_only() {
    let server = doffin_server().await;
    let adapter = adapter(&server);
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let records = competitions(true);
    let mut saver = Saver::holding(&records);
    let mut state = AppState::new(records, &["Doffin".to_owned()], crate::common::now());

    let found = award_search(&adapter).await;
    let rest = saver.poll(&mut state, found);
    // Both hits link (by buyer and title); only the followed competition's award is read.
    let stored = saver.store.awards(&AwardQuery::default()).unwrap();
    assert_eq!(stored.iter().filter(|a| a.link.is_some()).count(), 2, "{stored:#?}");
    let wanted = vec![NoticeId::new("doffin", "2026-112546")];
    assert_eq!(rest, [Effect::FetchAwardValues(wanted.clone())]);
    assert!(
        stored.iter().all(|a| a.award.value.is_none()),
        "hits carry no award value"
    );

    // What the poller does with it: the XML, then its rows as a poll's awards.
    let (values, failures) = fetch_award_values(&fetcher, &adapter, &wanted).await;
    assert_eq!(failures, Vec::<String>::new());
    assert_eq!(downloads(&server), ["/public/v2/download/2026-112546"]);
    saver.poll(
        &mut state,
        FeedEvent::AwardsFetched {
            feed: "Doffin".into(),
            found: values,
            at: crate::common::now(),
        },
    );
    // The XML's rows replaced the hit's, under the hit's id, and keep its link.
    type Row = (Option<String>, Option<f64>, Option<String>, String, bool);
    let rows: Vec<Row> = saver
        .store
        .awards(&AwardQuery::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.award.notice_id == wanted[0])
        .map(|a| {
            (
                a.award.winner_name,
                a.award.value,
                a.award.currency,
                a.award.url,
                a.link.is_some(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(
            Some("AVONOVA HELSE AS".to_owned()),
            Some(17_000_000.0),
            Some("NOK".to_owned()),
            "https://doffin.no/notices/2026-112546".to_owned(),
            true
        )]
    );

    // The next poll reads the same hits again: they do not replace the XML's rows, so nothing is
    // new, and the XML is not read again.
    let log_before = state.message_log().len();
    let rest = saver.poll(&mut state, award_search(&adapter).await);
    assert_eq!(rest, Vec::<Effect>::new());
    assert_eq!(state.message_log().len(), log_before, "no new awards");
    let valued = saver
        .store
        .awards(&AwardQuery::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.award.notice_id == wanted[0])
        .map(|a| a.award.value)
        .collect::<Vec<_>>();
    assert_eq!(valued, [Some(17_000_000.0)]);
}

#[tokio::test]
async fn an_award_of_a_competition_nobody_follows_is_not_read() {
    let server = doffin_server().await;
    let adapter = adapter(&server);
    let records = competitions(false);
    let mut saver = Saver::holding(&records);
    let mut state = AppState::new(records, &["Doffin".to_owned()], crate::common::now());
    let search = award_search(&adapter).await;
    let FeedEvent::AwardsFetched { found, .. } = &search else {
        unreachable!()
    };
    let rows = found.awards.clone();
    let rest = saver.poll(&mut state, search);
    assert_eq!(rest, Vec::<Effect>::new());
    // A shortlisted competition is followed, matched or not.
    let mut store = Store::open_in_memory().unwrap();
    let mut records = competitions(false);
    records[0].triage = Triage::Shortlisted;
    let items: Vec<_> = records
        .iter()
        .map(|r| (r.notice.clone(), r.relevance.clone()))
        .collect();
    store.upsert_notices(&items, crate::common::now()).unwrap();
    let change = anbud::model::TriageChange {
        id: records[0].notice.id.clone(),
        from: Triage::New,
        to: Triage::Shortlisted,
    };
    store
        .save_decision(&change, anbud::model::DecisionKind::Do, None, crate::common::now())
        .unwrap();
    let polled = store.save_polled_awards(&rows, &[], crate::common::now()).unwrap();
    assert_eq!(
        store.award_values_wanted(&polled.fresh).unwrap(),
        [NoticeId::new("doffin", "2026-112546")]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_reads_the_value_of_a_followed_award_and_no_other() {
    let server = doffin_server().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("anbud.db");
    {
        let mut store = Store::open(&db).unwrap();
        let items: Vec<_> = competitions(true)
            .into_iter()
            .map(|r| (r.notice, r.relevance))
            .collect();
        store.upsert_notices(&items, crate::common::now()).unwrap();
    }
    let config = dir.path().join("anbud.toml");
    std::fs::write(
        &config,
        format!(
            "[[feeds]]\nname = \"Doffin\"\nkind = \"doffin\"\nbase_url = \"{}/public/v2\"\napi_key_env = \"{KEY_ENV}\"\n",
            server.base_url()
        ),
    )
    .unwrap();
    let mut cmd = anbud();
    cmd.env(KEY_ENV, "test-key")
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .args(["poll", "--once"]);
    let out = tokio::task::spawn_blocking(move || run(&mut cmd)).await.unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("Doffin: awards: 2 new or changed, 2 rows of 2 award notices, 2 linked to a competition"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Doffin: award values: 1 read from the XML of 1 notices of followed competitions"),
        "{stdout}"
    );
    assert_eq!(downloads(&server).len(), 1);
    let store = Store::open(&db).unwrap();
    let valued = store
        .awards(&AwardQuery::default())
        .unwrap()
        .into_iter()
        .filter(|a| a.award.value == Some(17_000_000.0))
        .count();
    assert_eq!(valued, 1);
}

#[tokio::test]
async fn the_poller_reads_award_values_when_asked() {
    use anbud::feeds::poller::{FeedSpec, PollCommand, run_poller};
    use anbud::model::FeedState;
    use tokio::sync::mpsc;
    use tokio_util::sync::CancellationToken;

    let server = doffin_server().await;
    let spec = FeedSpec {
        name: "Doffin".into(),
        adapter: std::sync::Arc::new(adapter(&server)),
        interval: std::time::Duration::from_secs(900),
        lookback: std::time::Duration::from_secs(14 * 86_400),
        max_pages: 5,
        state: FeedState::default(),
    };
    let (commands, command_rx) = mpsc::channel(1);
    let (events_tx, mut events) = mpsc::channel(16);
    let cancel = CancellationToken::new();
    let task = tokio::spawn(run_poller(
        vec![spec],
        HttpFetcher::new(HttpSettings::default()).unwrap(),
        std::sync::Arc::new(|_: &Notice| Relevance::default()),
        command_rx,
        events_tx,
        cancel.clone(),
    ));
    commands
        .send(PollCommand::FetchAwardValues(vec![
            NoticeId::new("doffin", "2026-112546"),
            // A source no feed reads is dropped.
            NoticeId::new("ted", "1-2026"),
        ]))
        .await
        .unwrap();
    let valued = loop {
        match events.recv().await.expect("the poller runs") {
            FeedEvent::AwardsFetched { feed, found, .. } if found.awards.iter().any(|a| a.value.is_some()) => {
                break (feed, found.awards.len());
            }
            _ => {}
        }
    };
    assert_eq!(valued, ("Doffin".to_owned(), 1));
    cancel.cancel();
    task.await.unwrap();
    assert_eq!(downloads(&server), ["/public/v2/download/2026-112546"]);
}
