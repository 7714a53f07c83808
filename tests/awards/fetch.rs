//! The award requests sent by the real `HttpFetcher` (reqwest) to a loopback server serving the
//! recorded payloads, and the answers parsed.

use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::feeds::FeedAdapter;
use anbud::feeds::awards::{eforms, ted_search};
use anbud::feeds::doffin::{DoffinAdapter, DoffinSettings, KEY_HEADER};
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::ted::{TedAdapter, TedSettings};
use anbud::model::AwardStatus;

use super::parse::{DOFFIN_AWARD_HIT, DOFFIN_INTENT_HIT, DOFFIN_XML, TED_CAN};

/// Doffin's search answer around the two recorded result hits, as the API wraps them.
fn doffin_search_body() -> Vec<u8> {
    let hit = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
    let body = serde_json::json!({
        "numHitsTotal": 2,
        "numHitsAccessible": 2,
        "hits": [hit(DOFFIN_AWARD_HIT), hit(DOFFIN_INTENT_HIT)],
    });
    serde_json::to_vec(&body).unwrap()
}

#[tokio::test]
async fn ted_award_search_goes_out_with_scope_all_and_comes_back_as_three_rows() {
    let server = LoopbackServer::start(vec![Route::new("POST", "/v3/notices/search", |_| {
        CannedResponse::json(200, TED_CAN)
    })])
    .await
    .unwrap();
    let adapter = TedAdapter::new(TedSettings {
        base_url: server.base_url(),
        countries: vec!["DEU".into()],
        ..TedSettings::default()
    });
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let since = "2026-04-01T00:00:00Z".parse().unwrap();
    let body = fetcher.execute(&adapter.award_request(since, None)).await.unwrap();
    let rows = ted_search::parse(&body).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(ted_search::next_token(&body), None, "the recorded page is the last");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let sent = requests[0].body_json().unwrap();
    assert_eq!(sent["scope"], "ALL");
    assert!(
        sent["query"]
            .as_str()
            .unwrap()
            .starts_with("form-type=result AND buyer-country IN (DEU)")
    );
}

#[tokio::test]
async fn doffin_result_search_then_the_xml_of_one_notice() {
    let search = doffin_search_body();
    let server = LoopbackServer::start(vec![
        Route::new("GET", "/public/v2/search", move |_| {
            CannedResponse::json(200, search.clone())
        }),
        Route::new("GET", "/public/v2/download/2022-319091", |_| {
            CannedResponse::new(200, DOFFIN_XML).with_header("content-type", "application/xml")
        }),
    ])
    .await
    .unwrap();
    let adapter = DoffinAdapter::new(DoffinSettings {
        base_url: format!("{}/public/v2", server.base_url()),
        api_key: Some("test-key".into()),
        awards: true,
        ..DoffinSettings::default()
    });
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let since = "2026-07-11T00:00:00Z".parse().unwrap();
    let request = adapter.award_request(since, None).unwrap();
    let body = fetcher.execute(&request).await.unwrap();
    let page = adapter.parse_awards(since, None, &body).unwrap();
    assert_eq!(page.next, None, "two hits: one page");
    let hits = page.found.awards;
    let statuses: Vec<AwardStatus> = hits.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [AwardStatus::Awarded, AwardStatus::Intent]);
    let xml = fetcher
        .execute(&adapter.notice_xml_request("2022-319091"))
        .await
        .unwrap();
    let rows = eforms::parse(&xml).unwrap();
    assert_eq!(rows[0].value, Some(17_000_000.0));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].query.contains("type=RESULT"), "{}", requests[0].query);
    assert!(requests.iter().all(|r| r.header(KEY_HEADER) == Some("test-key")));
}
