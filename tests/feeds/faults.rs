//! The fault matrix: every way a feed server misbehaves, through the real `HttpFetcher`, the
//! adapters and `fetch_feed` against the loopback server (or a raw socket for what HTTP cannot
//! express), asserting the message people see (`FeedError::user_message`) and the retry hint.
//! Faults already covered in `feeds_http.rs` (Retry-After forms, declared and streamed oversize
//! bodies, slow headers) are not repeated here; this file covers the rest and the messages.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::Arc;
use std::time::Duration;

use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::demo::{DOFFIN_DEMO_BASE_PATH, DOFFIN_DEMO_PATH, OCDS_DEMO_PATH, TED_DEMO_PATH};
use anbud::feeds::doffin::{DoffinAdapter, DoffinSettings};
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::ocds::{OcdsAdapter, OcdsSettings};
use anbud::feeds::poller::{FeedSpec, PollPlan, fetch_feed, fetch_poll};
use anbud::feeds::syndication::{RssAdapter, RssSettings};
use anbud::feeds::ted::{TedAdapter, TedSettings};
use anbud::feeds::{FeedAdapter, FeedError};
use anbud::model::Notice;
use jiff::Timestamp;

const KEY: &str = "f00dfeedcafe4b1d9e2a7c3b5d6e8f01";
const RSS_PATH: &str = "/rss/kunngjoringer";
const DOFFIN_HIT: &str = include_str!("../../src/demo/fixtures/doffin/search-response-1.json");
const TED_PAGE: &str = include_str!("../../src/demo/fixtures/ted/search-response-eu-digital-2026.json");

const RSS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Kommune</title>
<item><title>Digitalt tilsyn</title><guid>K-1</guid><link>https://kommune.example/k-1</link>
<pubDate>Tue, 01 Sep 2026 10:00:00 +0200</pubDate></item>
</channel></rss>"#;

fn since() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpSettings::default()).unwrap()
}

fn fast_fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpSettings {
        request_timeout: Duration::from_millis(500),
        ..HttpSettings::default()
    })
    .unwrap()
}

/// Method and path each kind's first request goes to.
fn route_of(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "ted" => ("POST", TED_DEMO_PATH),
        "doffin" => ("GET", DOFFIN_DEMO_PATH),
        "fts" => ("GET", OCDS_DEMO_PATH),
        _ => ("GET", RSS_PATH),
    }
}

fn adapter(kind: &str, base: &str) -> Arc<dyn FeedAdapter> {
    match kind {
        "ted" => Arc::new(TedAdapter::new(TedSettings {
            base_url: base.to_owned(),
            ..TedSettings::default()
        })),
        "doffin" => Arc::new(DoffinAdapter::new(DoffinSettings {
            base_url: format!("{base}{DOFFIN_DEMO_BASE_PATH}"),
            api_key: Some(KEY.to_owned()),
            ..DoffinSettings::default()
        })),
        "fts" => Arc::new(OcdsAdapter::new(OcdsSettings {
            base_url: base.to_owned(),
            ..OcdsSettings::default()
        })),
        _ => Arc::new(RssAdapter::new(RssSettings {
            url: format!("{base}{RSS_PATH}?token={KEY}"),
            ..RssSettings::default()
        })),
    }
}

fn spec(kind: &str, base: &str) -> FeedSpec {
    FeedSpec {
        name: kind.to_owned(),
        adapter: adapter(kind, base),
        interval: Duration::from_secs(900),
        lookback: Duration::from_secs(86_400),
        max_pages: 3,
        state: Default::default(),
    }
}

async fn serve(kind: &str, response: CannedResponse) -> LoopbackServer {
    let (method, path) = route_of(kind);
    LoopbackServer::start(vec![Route::new(method, path, move |_| response.clone())])
        .await
        .unwrap()
}

/// One poll of a `kind` feed against a server answering `response`; the error it ends with.
async fn fail(kind: &str, response: CannedResponse, http: &HttpFetcher) -> FeedError {
    let server = serve(kind, response).await;
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        fetch_feed(http, &spec(kind, &server.base_url()), since()),
    )
    .await
    .expect("hang guard");
    let err = result.expect_err("the fault must fail the poll");
    let shown = [err.to_string(), err.user_message(kind), format!("{err:?}")];
    for text in &shown {
        assert!(!text.contains(KEY), "key leaked: {text}");
        assert!(!text.contains("token="), "query leaked: {text}");
    }
    err
}

async fn message(kind: &str, response: CannedResponse) -> String {
    fail(kind, response, &fetcher()).await.user_message(kind)
}

async fn fetch_ok(kind: &str, response: CannedResponse) -> Vec<Notice> {
    let server = serve(kind, response).await;
    fetch_feed(&fetcher(), &spec(kind, &server.base_url()), since())
        .await
        .unwrap()
}

#[tokio::test]
async fn doffin_401_says_the_key_was_refused_and_how_to_fix_it() {
    let gateway = r#"{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }"#;
    let err = fail("doffin", CannedResponse::json(401, gateway), &fetcher()).await;
    assert_eq!(err.retry_after(), None);
    assert_eq!(
        err.user_message("doffin"),
        "HTTP 401 — the API key was refused: check DOFFIN_API_KEY (a free key comes from Doffin's API portal) \
         [Access denied due to invalid subscription key. Make sure to provide a valid key for an active \
         subscription.]"
    );
}

#[tokio::test]
async fn a_server_echoing_the_key_never_shows_it() {
    let echo = format!(r#"{{"message":"subscription key {KEY} is not active"}}"#);
    let shown = message("doffin", CannedResponse::json(403, echo)).await;
    assert!(shown.starts_with("HTTP 403 — the API key was refused"), "{shown}");
    assert!(shown.ends_with("[subscription key [hidden] is not active]"), "{shown}");
    let echo = format!("<html><title>Bad token {KEY}</title></html>");
    let shown = message("rss", CannedResponse::new(401, echo)).await;
    assert!(
        shown.starts_with("HTTP 401 — the RSS feed refused access") && shown.ends_with("[Bad token [hidden]]"),
        "{shown}"
    );
}

#[tokio::test]
async fn status_faults_name_the_fix_and_the_wait() {
    let fts_404 = r#"{"timestamp":"2026-09-01T10:00:00Z","status":404,"error":"Not Found","path":"/api/1.0/ocdsReleasePackages"}"#;
    let cases = [
        (
            "fts",
            CannedResponse::json(404, fts_404),
            None,
            "HTTP 404 — Find a Tender has nothing at that address: check the feed's base_url and path in the config [Not Found]",
        ),
        (
            "rss",
            CannedResponse::new(404, "<html><head><title>404 Ikke funnet</title></head></html>"),
            None,
            "HTTP 404 — the RSS feed has nothing at that address: check the feed's base_url and path in the config [404 Ikke funnet]",
        ),
        (
            "ted",
            CannedResponse::json(429, r#"{"message":"Too many requests"}"#).with_header("Retry-After", "120"),
            Some(120),
            "rate limited (HTTP 429), server asks to wait 120s — TED asked anbud to slow down; it waits as asked before the next try",
        ),
        (
            "doffin",
            CannedResponse::json(500, r#"{ "statusCode": 500, "message": "Internal server error" }"#),
            None,
            "HTTP 500 — a server error at Doffin, usually temporary; anbud retries with backoff [Internal server error]",
        ),
        (
            "fts",
            CannedResponse::new(503, "").with_header("Retry-After", "30"),
            Some(30),
            "rate limited (HTTP 503), server asks to wait 30s — Find a Tender asked anbud to slow down; it waits as asked before the next try",
        ),
        (
            "rss",
            CannedResponse::new(503, "<html><title>Service Unavailable</title></html>"),
            None,
            "HTTP 503 — the RSS feed is unavailable (maintenance or overload); anbud retries with backoff [Service Unavailable]",
        ),
    ];
    for (kind, response, wait, want) in cases {
        let err = fail(kind, response, &fetcher()).await;
        assert_eq!(err.retry_after(), wait.map(Duration::from_secs), "{kind}: {err}");
        assert_eq!(err.user_message(kind), want);
    }
}

#[tokio::test]
async fn broken_bodies_say_where_and_what_to_do() {
    let maintenance = "<!DOCTYPE html><html><head><title>Find a Tender - maintenance</title></head></html>";
    let truncated = &DOFFIN_HIT[..DOFFIN_HIT.len() / 2];
    let cases = [
        (
            "fts",
            CannedResponse::new(200, maintenance).with_header("content-type", "text/html"),
            "got an HTML page instead of JSON — a web page came back instead of Find a Tender's data: a proxy, login or \
             maintenance page, or a wrong base_url [starts with \"<!DOCTYPE html><html><head><title>Find a Tender - maintenanc\"]",
        ),
        (
            "doffin",
            CannedResponse::json(200, truncated),
            "invalid JSON at line 67, column 4 — Doffin sent a broken answer, usually a cut-off transfer; anbud \
             retries with backoff [EOF while parsing a value]",
        ),
        (
            "rss",
            CannedResponse::new(200, "<rss><channel><item><title>x</title></channel></rss>"),
            "invalid XML at line 1, column 37 — the RSS feed sent a broken answer, usually a cut-off transfer; anbud \
             retries with backoff [ill-formed document: expected `</item>`, but `</channel>` was found]",
        ),
    ];
    for (kind, response, want) in cases {
        assert_eq!(message(kind, response).await, want);
    }
}

#[tokio::test]
async fn invalid_utf8_and_overflowing_numbers_cost_only_the_bad_value() {
    let mut invalid_utf8 = TED_PAGE.as_bytes().to_vec();
    let at = TED_PAGE.find("L'accord").unwrap();
    invalid_utf8.splice(at..at, [0xff, 0xfe]);
    let notices = fetch_ok("ted", CannedResponse::json(200, invalid_utf8)).await;
    assert_eq!(notices.len(), 10);
    assert!(
        notices
            .iter()
            .any(|n| n.description.starts_with("\u{fffd}\u{fffd}L'accord"))
    );

    let huge = TED_PAGE.replacen("\"total-value\": 600000", "\"total-value\": 1e9999", 1);
    assert_ne!(huge, TED_PAGE);
    assert_eq!(fetch_ok("ted", CannedResponse::json(200, huge)).await.len(), 10);
    let huge = DOFFIN_HIT.replacen("\"amount\": 4000000", "\"amount\": 1e9999", 1);
    assert_ne!(huge, DOFFIN_HIT);
    let notices = fetch_ok("doffin", CannedResponse::json(200, huge)).await;
    assert!(!notices.is_empty() && notices.iter().all(|n| n.value.is_none_or(f64::is_finite)));
}

#[tokio::test]
async fn latin1_rss_decodes() {
    let body: Vec<u8> = RSS
        .replace("Digitalt tilsyn", "Pasientvarsling på sykehjem – Øst")
        .chars()
        .map(|c| match c {
            '–' => 0x96,
            c => u8::try_from(u32::from(c)).unwrap(),
        })
        .collect();
    let response =
        CannedResponse::new(200, body).with_header("content-type", "application/rss+xml; charset=ISO-8859-1");
    let notices = fetch_ok("rss", response).await;
    assert_eq!(notices[0].title, "Pasientvarsling på sykehjem – Øst");
}

#[tokio::test]
async fn body_past_the_cap_names_the_limit() {
    let server = serve(
        "rss",
        CannedResponse::new(200, RSS.repeat(50)).with_header("transfer-encoding", "chunked"),
    )
    .await;
    let small = HttpFetcher::new(HttpSettings {
        max_body_bytes: 4096,
        ..HttpSettings::default()
    })
    .unwrap();
    let err = fetch_feed(&small, &spec("rss", &server.base_url()), since())
        .await
        .unwrap_err();
    assert_eq!(
        err.user_message("rss"),
        "response larger than 4096 bytes, gave up — narrow the query (fewer CPV codes, a shorter lookback) or raise the body limit"
    );
}

#[tokio::test]
async fn a_server_stalling_mid_body_hits_the_request_timeout() {
    let err = fail("rss", CannedResponse::new(200, RSS).stalling_after(40), &fast_fetcher()).await;
    assert!(
        matches!(err, FeedError::Timeout(d) if d == Duration::from_millis(500)),
        "{err:?}"
    );
    assert_eq!(
        err.user_message("rss"),
        "timed out after 500ms — the RSS feed did not answer in time (slow or stalled); anbud retries with backoff"
    );
}

#[tokio::test]
async fn a_connection_reset_says_it_broke_off() {
    // Raw socket: accept, then close without answering (RST when the request is unread).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                break;
            };
            drop(stream);
        }
    });
    let base = format!("http://{addr}");
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        fetch_feed(&fetcher(), &spec("ted", &base), since()),
    )
    .await
    .expect("hang guard")
    .unwrap_err();
    server.abort();
    assert!(
        matches!(err, FeedError::Dropped { ref host, .. } if *host == addr.to_string()),
        "{err:?}"
    );
    let shown = err.user_message("ted");
    assert!(
        shown.starts_with(&format!("the connection to {addr} broke off — TED closed the connection before answering in full; anbud retries with backoff [")),
        "{shown}"
    );
    assert!(shown.ends_with(']'), "{shown}");
}

#[tokio::test]
async fn conditional_get_turns_an_unchanged_feed_into_an_empty_poll() {
    let server = LoopbackServer::start(vec![Route::new("GET", RSS_PATH, |req| {
        if req.header("if-none-match") == Some("\"v1\"") {
            CannedResponse::new(304, "")
        } else {
            CannedResponse::new(200, RSS)
                .with_header("etag", "\"v1\"")
                .with_header("last-modified", "Tue, 01 Sep 2026 08:00:00 GMT")
        }
    })])
    .await
    .unwrap();
    let http = fetcher();
    let feed = spec("rss", &server.base_url());
    let first = fetch_poll(&http, &feed, &PollPlan::from(since())).await.unwrap();
    assert_eq!(first.notices.len(), 1);
    // The validators the first poll brought back, as the poller keeps them once it is saved.
    let plan = PollPlan {
        validators: first.validators,
        ..PollPlan::from(since())
    };
    assert_eq!(
        fetch_poll(&http, &feed, &plan).await.unwrap().notices,
        Vec::<Notice>::new()
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("if-none-match"), None);
    assert_eq!(requests[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        requests[1].header("if-modified-since"),
        Some("Tue, 01 Sep 2026 08:00:00 GMT")
    );
}

#[tokio::test]
async fn validators_of_a_failed_poll_are_not_remembered() {
    // The answer carries an ETag but cannot be parsed: had the validator been kept, the next
    // poll would get a 304 and the notices would never arrive.
    let server = LoopbackServer::start(vec![Route::new("GET", RSS_PATH, |_| {
        CannedResponse::new(200, "<rss><channel><item>").with_header("etag", "\"broken\"")
    })])
    .await
    .unwrap();
    let http = fetcher();
    let feed = spec("rss", &server.base_url());
    let err = fetch_feed(&http, &feed, since()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid XML at line 1, column 21: the document ends inside <item> (cut off?)"
    );
    assert!(fetch_feed(&http, &feed, since()).await.is_err());
    assert!(server.requests().iter().all(|r| r.header("if-none-match").is_none()));
}
