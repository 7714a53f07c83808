//! The Doffin adapter and the real `HttpFetcher` (reqwest) against the loopback server: the request
//! Doffin sees, the recorded hits, paging, the key (present, missing, never shown) and failures.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::demo::{DOFFIN_DEMO_BASE_PATH, DOFFIN_DEMO_PATH, doffin_demo_routes};
use anbud::feeds::doffin::{DoffinAdapter, DoffinSettings, KEY_HEADER};
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::poller::{FeedSpec, PollCommand, Scorer, fetch_feed, fetch_feed_pending, run_poller};
use anbud::feeds::{FeedAdapter, FeedError, FeedEvent, ParseError};
use anbud::model::{Notice, Relevance};
use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

const KEY: &str = "test-key-9f8e7d";
const HIT_PAGE: &[u8] = include_bytes!("../../src/demo/fixtures/doffin/search-response-1.json");

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn since() -> Timestamp {
    ts("2026-08-01T08:00:00Z")
}

fn settings(server: &LoopbackServer, key: Option<&str>, page_size: u32) -> DoffinSettings {
    DoffinSettings {
        base_url: format!("{}{DOFFIN_DEMO_BASE_PATH}", server.base_url()),
        api_key: key.map(str::to_owned),
        api_key_env: "ANBUD_TEST_DOFFIN_KEY".into(),
        search_strings: vec!["pasientjournal".into()],
        cpv_codes: vec!["48814000".into(), "33".into(), "85100000".into()],
        page_size,
        awards: false,
    }
}

fn spec(server: &LoopbackServer, key: Option<&str>, page_size: u32) -> FeedSpec {
    FeedSpec {
        name: "Doffin".into(),
        adapter: Arc::new(DoffinAdapter::new(settings(server, key, page_size))),
        interval: Duration::from_secs(900),
        lookback: Duration::from_secs(7 * 86_400),
        max_pages: 10,
        state: Default::default(),
    }
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpSettings::default()).unwrap()
}

async fn demo_server() -> LoopbackServer {
    LoopbackServer::start(doffin_demo_routes(DOFFIN_DEMO_PATH))
        .await
        .unwrap()
}

async fn serve(response: CannedResponse) -> LoopbackServer {
    LoopbackServer::start(vec![Route::new("GET", DOFFIN_DEMO_PATH, move |_| response.clone())])
        .await
        .unwrap()
}

/// The query string as (name, value) pairs, percent-decoded.
fn params(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

async fn recv(events: &mut mpsc::Receiver<FeedEvent>) -> FeedEvent {
    timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("no event within 10 s")
        .expect("poller hung up")
}

fn find<'a>(notices: &'a [Notice], id: &str) -> &'a Notice {
    notices.iter().find(|n| n.native_id == id).expect(id)
}

#[tokio::test]
async fn requests_carry_params_pages_and_the_key_header() {
    let server = demo_server().await;
    let notices = fetch_feed(&fetcher(), &spec(&server, Some(KEY), 4), since())
        .await
        .unwrap();
    assert_eq!(notices.len(), 6);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "6 hits in pages of 4");
    for (n, req) in requests.iter().enumerate() {
        assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/public/v2/search"));
        assert_eq!(req.header(KEY_HEADER), Some(KEY));
        assert_eq!(req.header("accept"), Some("application/json"));
        let page = (n + 1).to_string();
        let expected: Vec<(String, String)> = [
            ("numHitsPerPage", "4"),
            ("page", page.as_str()),
            // Ten days before `since`: publication lags the issue date by up to a week.
            ("issueDateFrom", "2026-07-22"),
            ("sortBy", "PUBLICATION_DATE_DESC"),
            ("cpvCode", "48814000"),
            ("cpvCode", "85100000"),
            ("searchString", "pasientjournal"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(params(&req.query), expected);
        assert!(!req.query.contains(KEY), "the key never goes into the URL");
    }
}

#[tokio::test]
async fn recorded_hits_become_notices() {
    let server = demo_server().await;
    let notices = fetch_feed(&fetcher(), &spec(&server, Some(KEY), 100), since())
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 1, "one short page is the last");
    let ids: Vec<&str> = notices.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "doffin:2026-112542",
            "doffin:2026-112546",
            "doffin:2026-112543",
            "doffin:2026-112541",
            "doffin:2026-112480",
            "doffin:2026-112539"
        ]
    );
    let epj = find(&notices, "2026-112542");
    assert_eq!(epj.source, "doffin");
    assert_eq!(epj.title, "Elektronisk pasientjournal (EPJ) til legekontor");
    assert_eq!(epj.buyer, "Herøy kommune; Sande kommune; Volda kommune");
    assert!(
        epj.description
            .starts_with("Formålet med anskaffinga er å dekke oppdragsgjevar sitt behov")
    );
    assert!(!epj.description.contains("   "), "whitespace runs are folded");
    assert_eq!(
        epj.cpv,
        [
            "72000000", "72300000", "48800000", "48814400", "48000000", "48814500", "48814000", "48810000"
        ]
    );
    assert_eq!(epj.deadline, Some(ts("2026-09-01T10:00:00Z")));
    assert_eq!(epj.published, Some(ts("2026-07-30T13:48:30Z")));
    assert_eq!((epj.value, epj.currency.as_deref()), (None, None));
    assert_eq!(epj.notice_type.as_deref(), Some("ANNOUNCEMENT_OF_COMPETITION"));
    assert_eq!(epj.country.as_deref(), Some("NO"));
    assert_eq!(epj.url, "https://doffin.no/notices/2026-112542");

    let award = find(&notices, "2026-112546");
    assert_eq!(
        (award.value, award.currency.as_deref()),
        (Some(4_000_000.0), Some("NOK"))
    );
    assert_eq!((award.deadline, award.cpv.len()), (None, 29));
    assert_eq!(
        award.title,
        "Kontraktstildeling - Kontaktsenterløsning til Digitaliseringsdirektoratet"
    );

    let intent = find(&notices, "2026-112480");
    assert_eq!(intent.buyer, "SYKEHUSINNKJØP HF");
    assert_eq!(
        intent.title,
        "Intensjonskunngjøring: Elektronisk system for pasientovervåking og klinisk dokumentasjon"
    );
    assert_eq!(intent.notice_type.as_deref(), Some("ANNOUNCEMENT_OF_INTENT"));
    assert_eq!(
        intent.cpv.iter().take(3).collect::<Vec<_>>(),
        ["33195000", "48100000", "48180000"]
    );

    let planning = find(&notices, "2026-112539");
    assert!(
        planning
            .title
            .starts_with("Markedsdialog – Byggentreprise for Renseanlegg for Tønsberg")
    );
    assert_eq!((planning.value, planning.deadline), (Some(851_000_000.0), None));
    assert_eq!(find(&notices, "2026-112541").value, Some(40_000_000.0));
}

#[tokio::test]
async fn recorded_search_page_reports_the_window_and_the_next_page() {
    let server = serve(CannedResponse::json(200, HIT_PAGE)).await;
    let doffin = DoffinAdapter::new(settings(&server, Some(KEY), 3));
    let body = fetcher().execute(&doffin.request(since(), Some("2"))).await.unwrap();
    let page = doffin.parse_response(Some("2"), &body).unwrap();
    assert_eq!(page.notices.len(), 3);
    assert_eq!(
        (page.total, page.partial),
        (Some(157_143), true),
        "only 1,000 of 157,143 are accessible"
    );
    assert_eq!(page.next.as_deref(), Some("3"), "the recording is page 2 of 3 per page");
    assert_eq!(page.notices[2].buyer, "SYKEHUSINNKJØP HF");
}

#[tokio::test]
async fn raw_control_characters_in_strings_are_repaired() {
    let body = "{\"numHitsTotal\": 1, \"numHitsAccessible\": 1, \"hits\": [{\"id\": \"2026-9\",\r\n\
                \"heading\": \"Velferds\tteknologi\", \"description\": \"Linje én\nLinje to\", \"buyer\": [{\"name\": \"Bærum\u{1}kommune\"}]}]}";
    let server = serve(CannedResponse::json(200, body)).await;
    let notices = fetch_feed(&fetcher(), &spec(&server, Some(KEY), 100), since())
        .await
        .unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].title, "Velferds teknologi");
    assert_eq!(notices[0].description, "Linje én Linje to");
    assert_eq!(notices[0].buyer, "Bærumkommune", "other control characters are dropped");
}

#[tokio::test]
async fn missing_key_fails_fetch_without_sending_anything() {
    let server = demo_server().await;
    let err = fetch_feed(&fetcher(), &spec(&server, None, 100), since())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Other(ref m) if m == "no API key — set ANBUD_TEST_DOFFIN_KEY; free key from Doffin's API portal"),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn missing_key_makes_the_feed_inactive_and_never_polled() {
    let server = demo_server().await;
    let (commands, command_rx) = mpsc::channel(4);
    let (event_tx, mut events) = mpsc::channel(16);
    let cancel = CancellationToken::new();
    let scorer: Scorer = Arc::new(|_: &Notice| Relevance::default());
    let feeds = vec![spec(&server, None, 100), {
        let mut with_key = spec(&server, Some(KEY), 100);
        with_key.name = "Doffin (keyed)".into();
        with_key
    }];
    let task = tokio::spawn(run_poller(
        feeds,
        fetcher(),
        scorer,
        command_rx,
        event_tx,
        cancel.clone(),
    ));
    let FeedEvent::Inactive { feed, message } = recv(&mut events).await else {
        panic!("the inactive feed is reported first")
    };
    assert_eq!(feed, "Doffin");
    assert!(message.contains("ANBUD_TEST_DOFFIN_KEY"), "{message}");
    let mut seen = Vec::new();
    while !seen.iter().any(|e| matches!(e, FeedEvent::Fetched { .. })) {
        seen.push(recv(&mut events).await);
    }
    commands.send(PollCommand::RefreshAll).await.unwrap();
    while seen.iter().filter(|e| matches!(e, FeedEvent::Fetched { .. })).count() < 2 {
        seen.push(recv(&mut events).await);
    }
    for event in &seen {
        let name = match event {
            FeedEvent::Started { feed, .. }
            | FeedEvent::Fetched { feed, .. }
            | FeedEvent::Failed { feed, .. }
            | FeedEvent::AwardsFetched { feed, .. } => feed,
            FeedEvent::Inactive { feed, .. } => panic!("{feed} reported inactive twice"),
        };
        assert_eq!(name, "Doffin (keyed)");
    }
    assert!(server.requests().iter().all(|r| r.header(KEY_HEADER) == Some(KEY)));
    cancel.cancel();
    timeout(Duration::from_secs(10), task).await.unwrap().unwrap();
}

#[tokio::test]
async fn the_key_never_appears_in_errors() {
    let body = r#"{"statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}"#;
    let server = serve(CannedResponse::json(401, body)).await;
    let err = fetch_feed(&fetcher(), &spec(&server, Some(KEY), 100), since())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 401, ref detail } if detail.starts_with("Access denied due to invalid subscription key")),
        "{err}"
    );
    let closed = {
        let gone = serve(CannedResponse::new(200, "")).await;
        let s = spec(&gone, Some(KEY), 100);
        drop(gone);
        s
    };
    let unreachable = fetch_feed(&fetcher(), &closed, since()).await.unwrap_err();
    for shown in [
        err.to_string(),
        format!("{err:?}"),
        unreachable.to_string(),
        format!("{unreachable:?}"),
    ] {
        assert!(!shown.contains(KEY), "{shown}");
    }
}

#[tokio::test]
async fn gateway_rate_limit_and_html_pages() {
    let limited = serve(
        CannedResponse::json(
            429,
            r#"{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 4 seconds."}"#,
        )
        .with_header("Retry-After", "4"),
    )
    .await;
    let err = fetch_feed(&fetcher(), &spec(&limited, Some(KEY), 100), since())
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(4)), "{err}");

    let html = "<!DOCTYPE html><html><head><title>Service Unavailable</title></head></html>";
    let server = serve(CannedResponse::new(200, html).with_header("content-type", "text/html")).await;
    let err = fetch_feed(&fetcher(), &spec(&server, Some(KEY), 100), since())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Parse(ParseError::Html { ref snippet }) if snippet.starts_with("<!DOCTYPE html>")),
        "{err}"
    );
}

/// A Doffin search that honours `issueDateFrom`/`issueDateTo`, `page` and `numHitsPerPage` over
/// `days` (date, notices issued that day), newest first, with Doffin's 1,000-hit window: a page
/// past it is a 400, as on the real API.
fn windowed_doffin(days: &[(&str, usize)]) -> Route {
    let mut all: Vec<(String, String)> = Vec::new();
    for (day, count) in days {
        for n in 0..*count {
            all.push((format!("2026-{day}-{n:04}"), (*day).to_owned()));
        }
    }
    // Newest first, as `sortBy=PUBLICATION_DATE_DESC` answers.
    all.sort_by(|a, b| b.1.cmp(&a.1));
    Route::new("GET", DOFFIN_DEMO_PATH, move |req| {
        let q = params(&req.query);
        let get = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let from = get("issueDateFrom").unwrap_or_default();
        let to = get("issueDateTo").unwrap_or_else(|| "9999-12-31".to_owned());
        let page: usize = get("page").unwrap().parse().unwrap();
        let size: usize = get("numHitsPerPage").unwrap().parse().unwrap();
        let matching: Vec<&(String, String)> = all.iter().filter(|(_, d)| *d >= from && *d <= to).collect();
        if page * size > 1000 {
            return CannedResponse::json(400, r#"{"reason": "page outside the accessible hits"}"#);
        }
        let hits: Vec<serde_json::Value> = matching
            .iter()
            .skip((page - 1) * size)
            .take(size)
            .map(|(id, day)| {
                serde_json::json!({
                    "id": id, "heading": format!("Kunngjøring {id}"), "buyer": [{"name": "Helse Vest RHF"}],
                    "issueDate": format!("{day}T10:00:00Z"), "publicationDate": day, "cpvCodes": ["48814000"],
                })
            })
            .collect();
        let body = serde_json::json!({
            "numHitsTotal": matching.len(),
            "numHitsAccessible": matching.len().min(1000),
            "hits": hits,
        });
        CannedResponse::json(200, body.to_string())
    })
}

/// Hits the search for `req`'s window holds in `days` (what the server above computes).
fn window_total(req: &anbud::demo::server::RecordedRequest, days: &[(&str, usize)]) -> usize {
    let q = params(&req.query);
    let get = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let from = get("issueDateFrom").unwrap();
    let to = get("issueDateTo").unwrap_or_else(|| "9999-12-31".to_owned());
    days.iter()
        .filter(|(d, _)| **d >= *from.as_str() && **d <= *to.as_str())
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test]
async fn windows_split_by_issue_date_until_every_notice_of_2500_arrives() {
    // 2,500 notices over the 11 days the poll covers (a day without any, too).
    let days = [
        ("2026-07-22", 300),
        ("2026-07-23", 0),
        ("2026-07-24", 250),
        ("2026-07-25", 400),
        ("2026-07-26", 200),
        ("2026-07-27", 350),
        ("2026-07-28", 150),
        ("2026-07-29", 300),
        ("2026-07-30", 250),
        ("2026-07-31", 200),
        ("2026-08-01", 100),
    ];
    let server = LoopbackServer::start(vec![windowed_doffin(&days)]).await.unwrap();
    let mut feed = spec(&server, Some(KEY), 100);
    feed.max_pages = 100;
    let fetched = fetch_feed_pending(&fetcher(), &feed, since()).await.unwrap();
    let total: usize = days.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 2500);
    let ids: HashSet<&str> = fetched.notices.iter().map(|n| n.native_id.as_str()).collect();
    assert_eq!((fetched.notices.len(), ids.len()), (total, total), "every notice, once");
    assert!(fetched.warnings.is_empty(), "{:?}", fetched.warnings);
    let requests = server.requests();
    for req in &requests {
        let q = params(&req.query);
        let page: usize = q.iter().find(|(k, _)| k == "page").unwrap().1.parse().unwrap();
        // Only the first page of a window may find it over the cap (that is how it learns to split);
        // every page read beyond it belongs to a window of at most 1,000 hits.
        if page > 1 {
            assert!(window_total(req, &days) <= 1000, "{}", req.query);
        }
    }
    assert!(
        requests.iter().any(|r| r.query.contains("issueDateTo")),
        "the poll split its window"
    );
    assert!(
        requests.len() <= 2 * (total / 100) + 10,
        "{} requests for {total} notices in pages of 100",
        requests.len()
    );
}

#[tokio::test]
async fn a_single_day_over_the_cap_is_read_to_1000_and_reported() {
    let days = [("2026-07-30", 30), ("2026-07-31", 1200), ("2026-08-01", 20)];
    let server = LoopbackServer::start(vec![windowed_doffin(&days)]).await.unwrap();
    let mut feed = spec(&server, Some(KEY), 100);
    feed.max_pages = 100;
    let fetched = fetch_feed_pending(&fetcher(), &feed, since()).await.unwrap();
    assert_eq!(fetched.notices.len(), 30 + 1000 + 20);
    assert_eq!(fetched.warnings.len(), 1, "{:?}", fetched.warnings);
    assert!(
        fetched.warnings[0].contains("1200 notices issued on 2026-07-31"),
        "{}",
        fetched.warnings[0]
    );
    assert!(
        server.requests().iter().all(|r| !r.query.contains("page=11")),
        "never past the window"
    );
}

#[tokio::test]
async fn an_implausible_total_is_reported_and_not_split() {
    // The recording: Doffin answered 157,143 hits, i.e. the whole database, for a filtered query.
    let server = serve(CannedResponse::json(200, HIT_PAGE)).await;
    let fetched = fetch_feed_pending(&fetcher(), &spec(&server, Some(KEY), 100), since())
        .await
        .unwrap();
    assert_eq!(fetched.notices.len(), 3);
    assert_eq!(
        server.requests().len(),
        1,
        "bisecting cannot help when the filter is ignored"
    );
    assert_eq!(fetched.warnings.len(), 1, "{:?}", fetched.warnings);
    assert!(fetched.warnings[0].contains("157143 hits"), "{}", fetched.warnings[0]);
    assert!(
        fetched.warnings[0].contains("ignored a filter"),
        "{}",
        fetched.warnings[0]
    );
}
