//! Demo answers for Doffin's `GET /public/v2/search`, assembled from the recorded real hits.
//!
//! The recorded search page (3 hits) and the four recorded single hits overlap in one notice, so
//! the demo database holds 6 notices. Paging (`page`, `numHitsPerPage`) and the gateway's key
//! check behave like Doffin's, including their error bodies (`shared/fixtures/doffin/`).

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::server::{CannedResponse, RecordedRequest, Route};

/// Recorded `GET /public/v2/search?numHitsPerPage=3&page=2` answer (captured 2026-08-03).
const SEARCH_PAGE: &[u8] = include_bytes!("fixtures/doffin/search-response-1.json");
/// Recorded single hits: a competition, an award, an intent and a prior-information notice.
const SINGLE_HITS: [&[u8]; 4] = [
    include_bytes!("fixtures/doffin/hit-contract-notice.json"),
    include_bytes!("fixtures/doffin/hit-contract-award-notice.json"),
    include_bytes!("fixtures/doffin/hit-intention-notice.json"),
    include_bytes!("fixtures/doffin/hit-prior-information-notice.json"),
];

/// Doffin serves at most the first 1,000 hits of a query.
const MAX_ACCESSIBLE: u64 = 1000;

/// Doffin's page size when `numHitsPerPage` is not given is not documented; 100 is what the
/// adapter asks for by default.
const DEFAULT_PAGE_SIZE: u64 = 100;

/// Routes answering Doffin searches at `path` with the bundled hits, `numHitsTotal` and
/// `numHitsAccessible` set to their count and pages of `numHitsPerPage` honoured. Like Doffin's
/// gateway, a request without an `Ocp-Apim-Subscription-Key` header gets 401 (any value passes).
pub fn doffin_demo_routes(path: &str) -> Vec<Route> {
    routes(path, None)
}

/// [`doffin_demo_routes`] with the hits' dates moved towards `day` (as recorded with `None`).
pub(super) fn routes(path: &str, day: Option<super::DemoDay>) -> Vec<Route> {
    let mut hits = demo_hits();
    if let Some(day) = day {
        day.move_families(&mut hits);
    }
    let hits = Arc::new(hits);
    vec![Route::new("GET", path, move |req| respond(&hits, req))]
}

/// Every recorded hit once, in recorded order (search page first).
fn demo_hits() -> Vec<Value> {
    let mut all: Vec<Value> = match serde_json::from_slice::<Value>(SEARCH_PAGE) {
        Ok(Value::Object(mut page)) => match page.remove("hits") {
            Some(Value::Array(hits)) => hits,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    all.extend(
        SINGLE_HITS
            .iter()
            .filter_map(|hit| serde_json::from_slice::<Value>(hit).ok()),
    );
    let mut seen = HashSet::new();
    all.retain(|hit| seen.insert(hit.get("id").map(Value::to_string)));
    all
}

fn respond(hits: &[Value], req: &RecordedRequest) -> CannedResponse {
    if req
        .header("ocp-apim-subscription-key")
        .is_none_or(|k| k.trim().is_empty())
    {
        return CannedResponse::json(
            401,
            json!({
                "statusCode": 401,
                "message": "Access denied due to missing subscription key. Make sure to include \
                            subscription key when making requests to an API."
            })
            .to_string(),
        );
    }
    let page = match query_param(&req.query, "page").map(str::parse::<u64>) {
        None => 1,
        Some(Ok(page)) if page >= 1 => page,
        Some(_) => return reason("Parameter page must be >= 1"),
    };
    let size = query_param(&req.query, "numHitsPerPage")
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s >= 1)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    if page.saturating_mul(size) > MAX_ACCESSIBLE {
        return reason(
            "Unable to access more than the top 1000 hits, please lower either the page or numHitsPerPage parameters.",
        );
    }
    let skip = usize::try_from((page - 1) * size).unwrap_or(usize::MAX);
    let take = usize::try_from(size).unwrap_or(usize::MAX);
    let count = hits.len();
    let body = json!({
        "numHitsTotal": count,
        "numHitsAccessible": count,
        "hits": hits.iter().skip(skip).take(take).collect::<Vec<_>>(),
    });
    CannedResponse::new(200, body.to_string()).with_header("content-type", "application/json; charset=UTF-8")
}

/// Doffin's application-level 400 body.
fn reason(reason: &str) -> CannedResponse {
    CannedResponse::json(400, json!({ "reason": reason }).to_string())
}

/// The first value of `name` in a raw query string (values here are plain numbers, no decoding).
fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn get(query: &str, key: Option<&str>) -> CannedResponse {
        let req = RecordedRequest {
            method: "GET".into(),
            path: "/public/v2/search".into(),
            query: query.into(),
            headers: key
                .map(|k| vec![("ocp-apim-subscription-key".to_owned(), k.to_owned())])
                .unwrap_or_default(),
            body: Vec::new(),
        };
        respond(&demo_hits(), &req)
    }

    fn ids(resp: &CannedResponse) -> Vec<String> {
        let body: Value = serde_json::from_slice(&resp.body).unwrap();
        body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn six_distinct_hits_in_pages() {
        let all = ids(&get("", Some("k")));
        assert_eq!(
            all,
            [
                "2026-112542",
                "2026-112546",
                "2026-112543",
                "2026-112541",
                "2026-112480",
                "2026-112539"
            ]
        );
        let body: Value = serde_json::from_slice(&get("page=1", Some("k")).body).unwrap();
        assert_eq!(
            (body["numHitsTotal"].as_u64(), body["numHitsAccessible"].as_u64()),
            (Some(6), Some(6))
        );
        assert_eq!(ids(&get("numHitsPerPage=4&page=2", Some("k"))), all[4..]);
        assert!(ids(&get("numHitsPerPage=4&page=3", Some("k"))).is_empty());
    }

    #[test]
    fn key_and_paging_errors_look_like_doffins() {
        assert_eq!(get("", None).status, 401);
        assert_eq!(get("", Some(" ")).status, 401);
        let zero = get("page=0", Some("k"));
        assert_eq!(zero.status, 400);
        assert!(String::from_utf8_lossy(&zero.body).contains("must be >= 1"));
        assert_eq!(get("numHitsPerPage=500&page=3", Some("k")).status, 400);
    }
}
