//! The TED adapter and the real `HttpFetcher` (reqwest) against the loopback server: request
//! bodies, the recorded payloads, pagination, and every way a fetch can fail.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::time::Duration;

use anbud::demo::server::{CannedResponse, LoopbackServer, RecordedRequest, Route};
use anbud::demo::ted_demo_routes;
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::poller::{FeedSpec, fetch_feed};
use anbud::feeds::ted::{FIELDS, TedAdapter, TedSettings};
use anbud::feeds::{FeedAdapter, FeedError, Page, ParseError};
use jiff::Timestamp;
use serde_json::Value;
use std::sync::Arc;

const PATH: &str = "/v3/notices/search";
const EU: &[u8] = include_bytes!("../../src/demo/fixtures/ted/search-response-eu-digital-2026.json");
const SWEDEN: &[u8] = include_bytes!("../../src/demo/fixtures/ted/search-response-sweden-it-2026.json");
const OPTED: &[u8] = include_bytes!("../../src/demo/fixtures/ted/search-response-opted-2024.json");

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn since() -> Timestamp {
    ts("2026-05-01T08:00:00Z")
}

fn adapter(server: &LoopbackServer, path: &str) -> TedAdapter {
    TedAdapter::new(TedSettings {
        base_url: server.base_url(),
        path: path.to_owned(),
        countries: vec!["NOR".into(), "SWE".into()],
        cpv_families: vec!["33000000".into(), "48000000".into()],
        ..TedSettings::default()
    })
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpSettings::default()).unwrap()
}

/// A server answering `POST PATH` with `response` every time.
async fn serve(response: CannedResponse) -> LoopbackServer {
    LoopbackServer::start(vec![Route::new("POST", PATH, move |_| response.clone())])
        .await
        .unwrap()
}

/// Sends the adapter's first-page request and parses the answer.
async fn fetch_page(server: &LoopbackServer, http: &HttpFetcher) -> Result<Page, FeedError> {
    let ted = adapter(server, PATH);
    let body = http.execute(&ted.request(since(), None)).await?;
    Ok(ted.parse(&body)?)
}

async fn page_of(fixture: &[u8]) -> Page {
    let server = serve(CannedResponse::json(200, fixture)).await;
    fetch_page(&server, &fetcher()).await.unwrap()
}

fn body_of(req: &RecordedRequest) -> Value {
    req.body_json().unwrap()
}

fn spec(server: &LoopbackServer, max_pages: usize) -> FeedSpec {
    FeedSpec {
        name: "ted".into(),
        adapter: Arc::new(adapter(server, PATH)),
        interval: Duration::from_secs(900),
        lookback: Duration::from_secs(7 * 86_400),
        max_pages,
        state: Default::default(),
    }
}

#[tokio::test]
async fn request_body_has_query_fields_limit_and_tokens() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    fetch_feed(&fetcher(), &spec(&server, 5), since()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let first = body_of(&requests[0]);
    assert_eq!(
        first["query"],
        "buyer-country IN (NOR SWE) AND classification-cpv IN (33000000 48000000) \
         AND publication-date>=20260501 SORT BY publication-date DESC"
    );
    let fields: Vec<&str> = first["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(fields, FIELDS);
    for name in [
        "publication-number",
        "notice-title",
        "title-proc",
        "buyer-name",
        "classification-cpv",
        "links",
    ] {
        assert!(fields.contains(&name), "{name}");
    }
    assert_eq!(first["limit"], 100);
    assert_eq!(first["paginationMode"], "ITERATION");
    assert!(first.get("iterationNextToken").is_none());
    assert_eq!(body_of(&requests[1])["iterationNextToken"], "demo-page-2");
    assert_eq!(body_of(&requests[2])["iterationNextToken"], "demo-page-3");
    let req = &requests[0];
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", PATH));
    assert_eq!(req.header("accept"), Some("application/json"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert!(req.header("user-agent").unwrap().starts_with("anbud/"));
}

#[tokio::test]
async fn eu_digital_fixture_parses() {
    let page = page_of(EU).await;
    assert_eq!(
        (page.notices.len(), page.total, page.next.as_deref(), page.partial),
        (10, Some(13_484), None, false)
    );
    let n = &page.notices[0];
    assert_eq!(n.id.as_str(), "ted:367831-2026");
    assert_eq!((n.source.as_str(), n.native_id.as_str()), ("ted", "367831-2026"));
    assert_eq!(
        n.title,
        "Maintenance et acquisition de licences BO SAP et prestations de montée de version"
    );
    // The full "Country – CPV – title" text stays available per language.
    assert!(
        n.titles
            .values()
            .any(|t| t.starts_with("France – Software development services – Maintenance"))
    );
    assert_eq!(n.titles.len(), 24);
    assert!(n.titles.contains_key("fra") && n.titles.contains_key("eng"));
    assert_eq!(n.buyer, "Région Hauts-de-France");
    assert_eq!(n.country.as_deref(), Some("FRA"));
    assert_eq!(n.cpv, ["72262000"]);
    assert_eq!(n.published, Some(ts("2026-05-28T22:00:00Z")));
    // No time field in this capture: the deadline counts from the start of the day (+02:00).
    assert_eq!(n.deadline, Some(ts("2026-06-11T22:00:00Z")));
    assert_eq!((n.value, n.currency.as_deref()), (Some(600_000.0), Some("EUR")));
    assert_eq!(n.notice_type.as_deref(), Some("cn-standard"));
    assert_eq!(n.url, "https://ted.europa.eu/en/notice/-/detail/367831-2026");
    assert!(n.description.starts_with("L'accord-cadre sera exécuté"));

    let ukm = page.notices.iter().find(|n| n.native_id == "368708-2026").unwrap();
    assert_eq!(ukm.buyer, "Universitätsklinikum Münster");
    assert_eq!(ukm.cpv, ["72263000", "72260000", "72268000"]);
    assert_eq!((ukm.deadline, ukm.value), (None, None));
    let umc = page.notices.iter().find(|n| n.native_id == "368879-2026").unwrap();
    assert_eq!(
        (umc.value, umc.currency.as_deref()),
        (None, None),
        "a zero estimate is no estimate"
    );
    let brussels = page.notices.iter().find(|n| n.native_id == "369526-2026").unwrap();
    assert_eq!(brussels.buyer, "Région Bruxelles-Capitales : SPRB");
    let bmi = page.notices.iter().find(|n| n.native_id == "368822-2026").unwrap();
    assert_eq!(bmi.value, Some(1_200_000.0));
}

#[tokio::test]
async fn sweden_fixture_parses() {
    let page = page_of(SWEDEN).await;
    assert_eq!((page.notices.len(), page.total), (5, Some(115)));
    let falun = &page.notices[0];
    assert_eq!(falun.id.as_str(), "ted:449657-2026");
    assert_eq!(falun.title, "Stöd för visselblåsarärenden");
    assert!(
        falun
            .buyer
            .starts_with("Upphandlingscenter Falun Borlänge-regionen; Falu kommun; Avesta Vatten")
    );
    assert!(
        falun.buyer.contains("dotterbolagFalu Energi &; Kopparstaden AB"),
        "{}",
        falun.buyer
    );
    assert_eq!(falun.buyer.matches("; ").count(), 9);
    assert_eq!(falun.cpv, ["48510000", "48900000", "72000000", "79400000"]);
    assert_eq!(falun.country, None);
    assert_eq!(falun.url, "https://ted.europa.eu/en/notice/-/detail/449657-2026");
    let stockholm = &page.notices[1];
    assert_eq!(stockholm.native_id, "450106-2026");
    assert_eq!(stockholm.cpv, ["72222300", "48517000", "72000000"]);
    assert_eq!(stockholm.deadline, Some(ts("2026-08-26T22:00:00Z")));
    assert_eq!(
        (stockholm.value, stockholm.currency.as_deref()),
        (Some(18_000_000.0), Some("SEK"))
    );
    assert_eq!(stockholm.published, Some(ts("2026-06-30T22:00:00Z")));
}

#[tokio::test]
async fn opted_fixture_with_aliases_and_a_repeat_parses() {
    let page = page_of(OPTED).await;
    assert_eq!(page.notices.len(), 1, "the repeated notice is dropped");
    let n = &page.notices[0];
    assert_eq!(n.id.as_str(), "ted:67623-2022");
    assert_eq!(n.published, Some(ts("2022-02-06T23:00:00Z")));
    assert_eq!(n.url, "https://ted.europa.eu/en/notice/-/detail/67623-2022");
    assert_eq!(
        (n.title.as_str(), n.buyer.as_str(), n.cpv.len()),
        ("TED notice 67623-2022", "", 0)
    );
}

#[tokio::test]
async fn fetch_feed_follows_three_pages_and_deduplicates() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let notices = fetch_feed(&fetcher(), &spec(&server, 10), since()).await.unwrap();
    assert_eq!(notices.len(), 10 + 5 + 1);
    assert_eq!(notices[0].native_id, "367831-2026");
    assert_eq!(notices[10].native_id, "449657-2026");
    assert_eq!(notices[15].native_id, "67623-2022");

    // max_pages stops early.
    let two = fetch_feed(&fetcher(), &spec(&server, 2), since()).await.unwrap();
    assert_eq!(two.len(), 15);

    // The same notices on two pages are kept once.
    let again = LoopbackServer::start(vec![Route::new("POST", PATH, |req| {
        let mut page: Value = serde_json::from_slice(SWEDEN).unwrap();
        let first = req.body_json().unwrap().get("iterationNextToken").is_none();
        page["iterationNextToken"] = if first { "again".into() } else { Value::Null };
        CannedResponse::json(200, page.to_string())
    })])
    .await
    .unwrap();
    let notices = fetch_feed(&fetcher(), &spec(&again, 10), since()).await.unwrap();
    assert_eq!((notices.len(), again.requests().len()), (5, 2));
}

#[tokio::test]
async fn stale_iteration_token_is_a_400_with_the_servers_message() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let ted = adapter(&server, PATH);
    let err = fetcher().execute(&ted.request(since(), Some("old"))).await.unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 400, ref detail } if detail.contains("expired")),
        "{err}"
    );
}

#[tokio::test]
async fn rate_limited_with_retry_after_seconds() {
    let server = serve(
        CannedResponse::new(429, "<html><body>429 Too Many Requests</body></html>").with_header("retry-after", "120"),
    )
    .await;
    let err = fetch_page(&server, &fetcher()).await.unwrap_err();
    assert!(
        matches!(err, FeedError::RateLimited { status: 429, retry_after: Some(d) } if d == Duration::from_secs(120)),
        "{err}"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn rate_limited_with_retry_after_http_date() {
    let at = Timestamp::now().checked_add(Duration::from_secs(3600)).unwrap();
    let date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&at)
        .unwrap();
    let server = serve(CannedResponse::json(503, "{}").with_header("Retry-After", &date)).await;
    let err = fetch_page(&server, &fetcher()).await.unwrap_err();
    let FeedError::RateLimited {
        status: 503,
        retry_after: Some(wait),
    } = err
    else {
        panic!("{err:?}")
    };
    assert!((3500..=3600).contains(&wait.as_secs()), "{wait:?}");
}

#[tokio::test]
async fn unavailable_without_retry_after_is_a_plain_status() {
    let server = serve(CannedResponse::new(503, "")).await;
    let err = fetch_page(&server, &fetcher()).await.unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 503, ref detail } if detail == "Service Unavailable"),
        "{err}"
    );
}

#[tokio::test]
async fn server_error_shows_the_json_message() {
    let body = r#"{"message":"Search backend unavailable","error":"Internal Server Error"}"#;
    let server = serve(CannedResponse::json(500, body)).await;
    let err = fetch_page(&server, &fetcher()).await.unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 500, ref detail } if detail == "Search backend unavailable"),
        "{err}"
    );
    assert_eq!(err.to_string(), "HTTP 500: Search backend unavailable");
}

#[tokio::test]
async fn huge_error_body_is_cut_not_refused() {
    let http = HttpFetcher::new(HttpSettings {
        max_body_bytes: 1024,
        ..HttpSettings::default()
    })
    .unwrap();
    let server = serve(CannedResponse::new(500, "overloaded ".repeat(50_000))).await;
    let err = fetch_page(&server, &http).await.unwrap_err();
    let FeedError::Status { status: 500, detail } = err else {
        panic!("{err:?}")
    };
    assert_eq!(detail.chars().count(), 120);
    assert!(detail.starts_with("overloaded overloaded"));
}

#[tokio::test]
async fn html_error_page_is_a_parse_error() {
    let html = "\n  <!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>";
    let server = serve(CannedResponse::new(200, html).with_header("content-type", "text/html")).await;
    let err = fetch_page(&server, &fetcher()).await.unwrap_err();
    assert!(
        matches!(err, FeedError::Parse(ParseError::Html { ref snippet }) if snippet.starts_with("<!DOCTYPE html>")),
        "{err}"
    );
    let server = serve(CannedResponse::new(502, html)).await;
    let err = fetch_page(&server, &fetcher()).await.unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 502, ref detail } if detail == "Maintenance"),
        "{err}"
    );
}

#[tokio::test]
async fn truncated_json_is_a_parse_error_with_its_line() {
    let cut = &SWEDEN[..SWEDEN.len() / 2];
    let lines = cut.iter().filter(|b| **b == b'\n').count() + 1;
    let server = serve(CannedResponse::json(200, cut)).await;
    let err = fetch_page(&server, &fetcher()).await.unwrap_err();
    let FeedError::Parse(ParseError::Json { line, .. }) = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, lines);
}

#[tokio::test]
async fn slow_answer_times_out() {
    let server = serve(CannedResponse::json(200, SWEDEN).with_delay(Duration::from_secs(5))).await;
    let http = HttpFetcher::new(HttpSettings {
        request_timeout: Duration::from_millis(300),
        ..HttpSettings::default()
    })
    .unwrap();
    let err = fetch_page(&server, &http).await.unwrap_err();
    assert!(
        matches!(err, FeedError::Timeout(d) if d == Duration::from_millis(300)),
        "{err}"
    );
}

#[tokio::test]
async fn oversize_body_is_refused_declared_or_streamed() {
    let http = HttpFetcher::new(HttpSettings {
        max_body_bytes: 16 * 1024,
        ..HttpSettings::default()
    })
    .unwrap();
    let server = serve(CannedResponse::json(200, EU)).await;
    let err = fetch_page(&server, &http).await.unwrap_err();
    assert!(matches!(err, FeedError::TooLarge { limit: 16_384 }), "{err}");
    // Without Content-Length the cap is enforced while streaming.
    let server = serve(CannedResponse::json(200, EU).with_header("transfer-encoding", "chunked")).await;
    let err = fetch_page(&server, &http).await.unwrap_err();
    assert!(matches!(err, FeedError::TooLarge { limit: 16_384 }), "{err}");
    // A streamed body under the cap still arrives whole.
    let server = serve(CannedResponse::json(200, SWEDEN).with_header("transfer-encoding", "chunked")).await;
    let http = HttpFetcher::new(HttpSettings {
        max_body_bytes: SWEDEN.len() as u64,
        ..HttpSettings::default()
    })
    .unwrap();
    assert_eq!(fetch_page(&server, &http).await.unwrap().notices.len(), 5);
}

#[tokio::test]
async fn refused_connection_names_the_host() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let ted = TedAdapter::new(TedSettings {
        base_url: format!("http://127.0.0.1:{port}"),
        ..TedSettings::default()
    });
    let err = fetcher().execute(&ted.request(since(), None)).await.unwrap_err();
    let FeedError::Connect { ref host, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(host, &format!("127.0.0.1:{port}"));
    assert!(
        err.to_string()
            .starts_with(&format!("cannot connect to 127.0.0.1:{port}: ")),
        "{err}"
    );
}

#[tokio::test]
async fn errors_never_show_keys_from_url_or_headers() {
    let server = LoopbackServer::start(vec![Route::new("GET", "/search", |_| {
        CannedResponse::json(
            401,
            r#"{"statusCode":401,"message":"Access denied due to invalid subscription key."}"#,
        )
    })])
    .await
    .unwrap();
    let req = anbud::feeds::HttpRequest {
        method: anbud::feeds::Method::Get,
        url: format!("{}/search?apikey=SECRET-1", server.base_url()),
        headers: vec![("Ocp-Apim-Subscription-Key".into(), "SECRET-2".into())],
        body: None,
    };
    let err = fetcher().execute(&req).await.unwrap_err();
    assert!(matches!(err, FeedError::Status { status: 401, .. }), "{err}");
    let refused = anbud::feeds::HttpRequest {
        url: "http://127.0.0.1:1/search?apikey=SECRET-1".into(),
        ..req
    };
    let err2 = fetcher().execute(&refused).await.unwrap_err();
    for text in [
        err.to_string(),
        format!("{err:?}"),
        err2.to_string(),
        format!("{err2:?}"),
    ] {
        assert!(!text.contains("SECRET"), "{text}");
    }
    assert_eq!(
        server.requests()[0].header("ocp-apim-subscription-key"),
        Some("SECRET-2")
    );
}

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let server = LoopbackServer::start(Vec::new()).await.unwrap();
    let err = fetch_page(&server, &fetcher()).await.unwrap_err();
    assert!(
        matches!(err, FeedError::Status { status: 404, ref detail } if detail == "not found"),
        "{err}"
    );
}
