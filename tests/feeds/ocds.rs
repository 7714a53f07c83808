//! The OCDS adapter and the real `HttpFetcher` (reqwest) against the loopback server: the request,
//! following `links.next`, both recorded UK packages (one served as ISO-8859-1), and failures.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::sync::Arc;
use std::time::Duration;

use anbud::demo::server::{CannedResponse, LoopbackServer, RecordedRequest, Route};
use anbud::demo::{OCDS_DEMO_PATH, ocds_demo_routes};
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::ocds::{OcdsAdapter, OcdsSettings};
use anbud::feeds::poller::{FeedSpec, fetch_feed};
use anbud::feeds::{FeedAdapter, FeedError, ParseError};
use anbud::model::Notice;
use jiff::Timestamp;

const PATH: &str = OCDS_DEMO_PATH;
const FTS: &str = include_str!("../../src/demo/fixtures/ocds/fts-release-package-2026.json");
const CF: &str = include_str!("../../src/demo/fixtures/ocds/contracts-finder-search-response-2022.json");
const CF_PATH: &str = "/Published/Notices/OCDS/Search";
const FTS_NEXT_PREFIX: &str = "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?";
const CF_NEXT: &str = "https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?publishedTo=2022-10-20T09:43:52+01:00&limit=100&cursor=cHVibGlzaGVkVG89MjAyMi0xMC0yMFQwOTo0Mzo1MiswMTowMHxsaW1pdD0xMDB8bmV4dEN1cnNvcj00ODA3NjE=";

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn since() -> Timestamp {
    ts("2026-05-23T20:19:46Z")
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpSettings::default()).unwrap()
}

fn fts_adapter(server: &LoopbackServer) -> OcdsAdapter {
    OcdsAdapter::new(OcdsSettings {
        base_url: server.base_url(),
        page_size: 20,
        ..OcdsSettings::default()
    })
}

/// Contracts Finder's labels: no URL template, so notice pages come from the releases' documents.
fn cf_adapter(server: &LoopbackServer) -> OcdsAdapter {
    OcdsAdapter::new(OcdsSettings {
        base_url: server.base_url(),
        path: CF_PATH.into(),
        page_size: 100,
        source: "cf".into(),
        notice_url_template: None,
        awards: false,
    })
}

fn spec(adapter: OcdsAdapter) -> FeedSpec {
    FeedSpec {
        name: "Find a Tender".into(),
        adapter: Arc::new(adapter),
        interval: Duration::from_secs(900),
        lookback: Duration::from_secs(7 * 86_400),
        max_pages: 10,
        state: Default::default(),
    }
}

/// Contracts Finder's recording as ISO-8859-1 (Windows-1252 for `€` and `•`), the way it is served.
fn cf_latin1() -> Vec<u8> {
    let body = CF.replace(&format!("\"{CF_NEXT}\""), "null");
    body.chars()
        .map(|c| match c {
            '€' => 0x80,
            '•' => 0x95,
            c => u8::try_from(u32::from(c)).expect("only Latin-1 and the two above occur"),
        })
        .collect()
}

/// The FTS recording with `links.next` pointing back at this server (found from the `Host` header),
/// as page 1; the cursor request gets Contracts Finder's recording as ISO-8859-1, as page 2.
fn two_publishers(req: &RecordedRequest) -> CannedResponse {
    if req.query.contains("cursor=") {
        return CannedResponse::new(200, cf_latin1())
            .with_header("content-type", "application/json; charset=ISO-8859-1");
    }
    let here = format!("http://{}{PATH}?", req.header("host").unwrap());
    CannedResponse::json(200, FTS.replace(FTS_NEXT_PREFIX, &here))
}

async fn serve(response: CannedResponse) -> LoopbackServer {
    serve_at(PATH, response).await
}

async fn serve_at(path: &str, response: CannedResponse) -> LoopbackServer {
    LoopbackServer::start(vec![Route::new("GET", path, move |_| response.clone())])
        .await
        .unwrap()
}

fn find<'a>(notices: &'a [Notice], id: &str) -> &'a Notice {
    notices.iter().find(|n| n.native_id == id).expect(id)
}

#[tokio::test]
async fn first_request_then_links_next_as_is() {
    let server = LoopbackServer::start(vec![Route::new("GET", PATH, two_publishers)])
        .await
        .unwrap();
    let notices = fetch_feed(&fetcher(), &spec(fts_adapter(&server)), since())
        .await
        .unwrap();
    assert_eq!(notices.len(), 20 + 100, "both pages, every release id distinct");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!((requests[0].method.as_str(), requests[0].path.as_str()), ("GET", PATH));
    assert_eq!(
        requests[0].query,
        "limit=20&updatedFrom=2026-05-23T20%3A19%3A46Z&stages=tender"
    );
    assert_eq!(requests[1].path, PATH);
    assert_eq!(
        requests[1].query,
        "updatedFrom=2026-05-23T20:19:46Z&updatedTo=2026-05-30T20:19:46Z&stages=tender&limit=20\
         &cursor=dXBkYXRlZEZyb209MjAyNi0wNS0yM1QyMDoxOTo0Nlp8dXBkYXRlZFRvPTIwMjYtMDUtMzBUMjA6MTk6NDZafG5leHRDdXJzb3I9NTU1Njk0",
        "the next link is followed exactly as the server wrote it"
    );
    assert_eq!(notices[0].id.as_str(), "fts:051000-2026");
    assert_eq!(
        notices[20].id.as_str(),
        "fts:7d005747-1320-456e-b1fb-79919a74e44f-582356"
    );
}

#[tokio::test]
async fn find_a_tender_package_becomes_notices() {
    let server = LoopbackServer::start(ocds_demo_routes(PATH)).await.unwrap();
    let notices = fetch_feed(&fetcher(), &spec(fts_adapter(&server)), since())
        .await
        .unwrap();
    assert_eq!((notices.len(), server.requests().len()), (20, 1));

    let bradford = find(&notices, "050998-2026");
    assert_eq!(bradford.id.as_str(), "fts:050998-2026");
    assert_eq!(bradford.source, "fts");
    assert_eq!(bradford.title, "Out-Patient Pharmaceutical Dispensing Services");
    assert_eq!(
        bradford.titles.get("en").map(String::as_str),
        Some(bradford.title.as_str())
    );
    assert_eq!(bradford.buyer, "Bradford Teaching Hospitals NHS Foundation Trust");
    assert_eq!(bradford.country.as_deref(), Some("GB"));
    assert_eq!(&bradford.cpv[0], "85149000");
    assert_eq!(bradford.deadline, Some(ts("2026-07-13T11:00:00Z")));
    assert_eq!(bradford.published, Some(ts("2026-05-29T15:10:39Z")));
    assert_eq!(
        (bradford.value, bradford.currency.as_deref()),
        (Some(70_000_000.0), Some("GBP"))
    );
    assert_eq!(bradford.notice_type.as_deref(), Some("tender"));
    assert_eq!(
        bradford.url,
        "https://www.find-tender.service.gov.uk/Notice/050998-2026"
    );

    let haringey = find(&notices, "051000-2026");
    assert_eq!(
        haringey.deadline,
        Some(ts("2026-06-19T00:00:00Z")),
        "a bare end date is that day's start"
    );
    assert_eq!(haringey.cpv.len(), 34, "tender and item classifications, de-duplicated");
    assert_eq!(
        haringey.cpv.iter().take(3).collect::<Vec<_>>(),
        ["45000000", "45200000", "45210000"]
    );

    let nursing = find(&notices, "049783-2026");
    assert_eq!(
        nursing.title,
        "School Nursing for Children and Young People Aged 5–19 (up to 25 for SEND)"
    );
    assert_eq!(&nursing.cpv[0], "85323000");
    let cooling = find(&notices, "050396-2026");
    assert_eq!((cooling.value, cooling.currency.as_deref()), (None, None));
    assert!(notices.iter().all(|n| !n.title.is_empty() && !n.buyer.is_empty()));
}

#[tokio::test]
async fn bare_infinity_in_the_recording_does_not_lose_the_page() {
    assert!(
        FTS.contains("\"maximumLotsBidPerSupplier\": Infinity"),
        "the recording is served as captured"
    );
    let server = serve(CannedResponse::json(200, FTS)).await;
    let page = {
        let fts = fts_adapter(&server);
        fts.parse(&fetcher().execute(&fts.request(since(), None)).await.unwrap())
            .unwrap()
    };
    assert_eq!(page.notices.len(), 20);
    assert!(page.next.unwrap().starts_with(FTS_NEXT_PREFIX));
}

#[tokio::test]
async fn contracts_finder_latin1_and_utf8_decode_alike() {
    let latin1 = serve_at(CF_PATH, CannedResponse::new(200, cf_latin1())).await;
    let utf8 = serve_at(CF_PATH, CannedResponse::json(200, CF)).await;
    let mut pages = Vec::new();
    for server in [&latin1, &utf8] {
        let cf = cf_adapter(server);
        let body = fetcher().execute(&cf.request(since(), None)).await.unwrap();
        pages.push(cf.parse(&body).unwrap());
    }
    assert!(
        std::str::from_utf8(&cf_latin1()).is_err(),
        "the Latin-1 body really is not UTF-8"
    );
    assert_eq!(pages[0].notices, pages[1].notices);
    assert_eq!(pages[1].next.as_deref(), Some(CF_NEXT));
    let notices = &pages[0].notices;
    assert_eq!(notices.len(), 100);

    let recovery = find(notices, "3192eb94-59fd-4866-b34d-6a479a6ca21d-582353");
    assert_eq!(recovery.id.as_str(), "cf:3192eb94-59fd-4866-b34d-6a479a6ca21d-582353");
    assert_eq!(recovery.title, "Recovery Houses L&SC");
    assert_eq!(recovery.buyer, "Lancashire and South Cumbria NHS Foundation Trust");
    assert_eq!(recovery.cpv, ["85000000"]);
    assert_eq!(recovery.deadline, Some(ts("2022-11-18T23:59:59Z")));
    assert_eq!(
        (recovery.value, recovery.currency.as_deref()),
        (Some(2_800_000.0), Some("GBP"))
    );
    assert_eq!(recovery.country.as_deref(), Some("GB"));
    assert_eq!(
        recovery.url,
        "https://www.contractsfinder.service.gov.uk/Notice/3192eb94-59fd-4866-b34d-6a479a6ca21d"
    );

    let chester = find(notices, "8b8ce674-fb0e-4c4c-b82c-4f1455fd3206-581922");
    assert_eq!(
        (chester.buyer.as_str(), &chester.cpv[0]),
        ("Countess Of Chester Hospital", "48814200")
    );
    assert_eq!(chester.value, Some(150_000_000.0));

    let durham = find(notices, "97e3ebe6-fac5-49c8-90cb-461e530a3505-582357");
    assert!(
        durham
            .description
            .contains("worth £217.7 billion. Alongside over €750 million"),
        "{}",
        durham.description
    );
    assert_eq!(durham.notice_type.as_deref(), Some("award"));
}

#[tokio::test]
async fn errors_from_find_a_tender() {
    let body = r#"{"timestamp":"2026-05-30T20:19:46Z","status":400,"error":"Bad Request","message":"Invalid updatedFrom","path":"/api/1.0/ocdsReleasePackages"}"#;
    let server = serve(CannedResponse::json(400, body)).await;
    let err = fetch_feed(&fetcher(), &spec(fts_adapter(&server)), since())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 400, ref detail } if detail == "Invalid updatedFrom"),
        "{err}"
    );

    let server =
        serve(CannedResponse::new(429, "12 request limit in 2 minute exceeded").with_header("Retry-After", "60")).await;
    let err = fetch_feed(&fetcher(), &spec(fts_adapter(&server)), since())
        .await
        .unwrap_err();
    assert!(matches!(err, FeedError::RateLimited { status: 429, .. }), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));

    let html = "\r\n<html><head><title>Find a Tender - Service unavailable</title></head></html>";
    let server =
        serve(CannedResponse::new(200, html).with_header("content-type", "text/html; charset=ISO-8859-1")).await;
    let err = fetch_feed(&fetcher(), &spec(fts_adapter(&server)), since())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Parse(ParseError::Html { ref snippet }) if snippet.starts_with("<html><head><title>Find a Tender")),
        "{err}"
    );
}

/// The value of `name` in `req`'s query, if sent.
fn query_value(req: &RecordedRequest, name: &str) -> Option<String> {
    req.query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .map(|v| v.replace("%3A", ":"))
}

#[tokio::test]
async fn contracts_finder_is_asked_by_publication_date_and_find_a_tender_by_update() {
    let cf = serve_at(
        CF_PATH,
        CannedResponse::json(200, CF.replace(&format!("\"{CF_NEXT}\""), "null")),
    )
    .await;
    let notices = fetch_feed(&fetcher(), &spec(cf_adapter(&cf)), since()).await.unwrap();
    assert_eq!(notices.len(), 100);
    let sent = &cf.requests()[0];
    assert_eq!(sent.path, CF_PATH);
    assert_eq!(
        query_value(sent, "publishedFrom").as_deref(),
        Some("2026-05-23T20:19:46Z")
    );
    assert_eq!(query_value(sent, "updatedFrom"), None);
    assert_eq!(query_value(sent, "limit").as_deref(), Some("100"));

    let fts = LoopbackServer::start(ocds_demo_routes(PATH)).await.unwrap();
    fetch_feed(&fetcher(), &spec(fts_adapter(&fts)), since()).await.unwrap();
    let sent = &fts.requests()[0];
    assert_eq!(
        query_value(sent, "updatedFrom").as_deref(),
        Some("2026-05-23T20:19:46Z")
    );
    assert_eq!(query_value(sent, "publishedFrom"), None);
}

#[test]
fn the_path_picks_the_date_parameter() {
    use anbud::feeds::ocds::{CONTRACTS_FINDER_PATH, since_parameter};
    assert_eq!(since_parameter(CONTRACTS_FINDER_PATH), "publishedFrom");
    assert_eq!(since_parameter("/published/notices/ocds/search/"), "publishedFrom");
    assert_eq!(since_parameter("/api/1.0/ocdsReleasePackages"), "updatedFrom");
    assert_eq!(
        since_parameter("/releases"),
        "updatedFrom",
        "other OCDS publishers: the OCDS default"
    );
}
