//! The offline demo: recorded real feed payloads served from an in-process loopback server.
//!
//! The demo runs the same adapters, HTTP client and poller as a live session, only pointed at
//! 127.0.0.1, so it exercises everything except the network. Depends on `demo::server` and
//! `serde_json`; the payloads are embedded, so the demo needs no files at run time. TED's routes
//! live here, Doffin's, Find a Tender's and the RSS feed's in the `doffin`, `ocds` and `rss` submodules.

pub mod awards;
mod dates;
mod doffin;
mod ocds;
mod rss;
pub mod server;

use jiff::Timestamp;
use serde_json::Value;

pub use self::dates::{DEADLINE_DAYS, DemoDay};
pub use self::doffin::doffin_demo_routes;
pub use self::ocds::{CF_DEMO_PATH, ocds_demo_routes};
pub use self::rss::{RSS_DEMO_FEED, rss_demo_routes};
use self::server::{CannedResponse, RecordedRequest, Route};

/// Where [`all_demo_routes`] answers TED searches: the real API's path.
pub const TED_DEMO_PATH: &str = "/v3/notices/search";
/// Where [`all_demo_routes`] answers Doffin searches: the real API's path, so a Doffin feed's
/// base URL is the server's base URL followed by [`DOFFIN_DEMO_BASE_PATH`].
pub const DOFFIN_DEMO_PATH: &str = "/public/v2/search";
/// The API root Doffin's search path hangs off (`{base}/search`).
pub const DOFFIN_DEMO_BASE_PATH: &str = "/public/v2";
/// Where [`all_demo_routes`] answers OCDS release-package requests: Find a Tender's path.
pub const OCDS_DEMO_PATH: &str = "/api/1.0/ocdsReleasePackages";
/// Where [`all_demo_routes`] answers the RSS feed: an `rss` feed's URL is the server's base URL
/// followed by this path.
pub const RSS_DEMO_PATH: &str = "/rss/anskaffelser";

/// TED, Doffin, OCDS (Find a Tender and Contracts Finder) and RSS routes on their real paths, so
/// one [`server::LoopbackServer`] serves the whole demo: point every feed's base URL at the server
/// (Doffin's at the server plus [`DOFFIN_DEMO_BASE_PATH`], with any key; an RSS feed's URL at the
/// server plus [`RSS_DEMO_PATH`]). The recorded dates are moved to today (see [`DemoDay`]), so
/// the notices are open and close within days, as a live feed's would.
pub fn all_demo_routes() -> Vec<Route> {
    demo_routes_on(Some(DemoDay::of(Timestamp::now())))
}

/// [`all_demo_routes`] with the dates moved towards `day`, or as recorded with `None`.
pub fn demo_routes_on(day: Option<DemoDay>) -> Vec<Route> {
    let mut routes = vec![Route::new("POST", TED_DEMO_PATH, move |req| respond_ted(req, day))];
    routes.extend(self::doffin::routes(DOFFIN_DEMO_PATH, day));
    routes.extend(self::ocds::routes(OCDS_DEMO_PATH, day));
    routes.extend(self::ocds::cf_routes(CF_DEMO_PATH, day));
    routes.extend(rss_demo_routes(RSS_DEMO_PATH));
    routes
}

/// TED search answer, 10 IT notices from FR/DE/BE/NL (captured 2026-05-30); demo page 1.
const TED_PAGE_1: &[u8] = include_bytes!("demo/fixtures/ted/search-response-eu-digital-2026.json");
/// TED search answer, 5 Swedish IT notices (July 2026); demo page 2.
const TED_PAGE_2: &[u8] = include_bytes!("demo/fixtures/ted/search-response-sweden-it-2026.json");
/// TED search answer with legacy alias fields and a repeated notice (2024); demo page 3.
const TED_PAGE_3: &[u8] = include_bytes!("demo/fixtures/ted/search-response-opted-2024.json");

/// The iteration token that leads to demo page 2.
pub const TED_DEMO_TOKEN_PAGE_2: &str = "demo-page-2";
/// The iteration token that leads to demo page 3 (the last).
pub const TED_DEMO_TOKEN_PAGE_3: &str = "demo-page-3";

/// Routes answering TED searches at `path` with the bundled payloads, paginated like TED's
/// ITERATION mode: no token → page 1, then `demo-page-2`, `demo-page-3`, and a null token on the
/// last page; any other token gets the 400 `EXPIRED_ITERATION_TOKEN` TED sends for stale tokens.
pub fn ted_demo_routes(path: &str) -> Vec<Route> {
    vec![Route::new("POST", path, |req| respond_ted(req, None))]
}

fn respond_ted(req: &RecordedRequest, day: Option<DemoDay>) -> CannedResponse {
    let Some(body) = req.body_json() else {
        return ted_error("QUERY_SYNTAX_ERROR", "the request body is not JSON");
    };
    // The recordings hold no result notices, so the award search (`scope: ALL`, see
    // `feeds::ted::awards`) gets TED's answer to a query without hits.
    let query = body.get("query").and_then(Value::as_str).unwrap_or_default();
    if query.starts_with("form-type=result") {
        return CannedResponse::json(200, TED_NO_HITS);
    }
    let token = body.get("iterationNextToken").and_then(Value::as_str);
    let (payload, next) = match token {
        None => (TED_PAGE_1, Some(TED_DEMO_TOKEN_PAGE_2)),
        Some(TED_DEMO_TOKEN_PAGE_2) => (TED_PAGE_2, Some(TED_DEMO_TOKEN_PAGE_3)),
        Some(TED_DEMO_TOKEN_PAGE_3) => (TED_PAGE_3, None),
        Some(_) => {
            return ted_error(
                "EXPIRED_ITERATION_TOKEN",
                "the iteration token is invalid or has expired",
            );
        }
    };
    with_next_token(payload, next, day)
}

/// TED's answer to a search that matches nothing.
const TED_NO_HITS: &[u8] = br#"{"notices":[],"totalNoticeCount":0,"iterationNextToken":null,"timedOut":false}"#;

/// The payload with its `iterationNextToken` replaced, as TED would send it mid-iteration, and
/// its dates moved towards `day`.
fn with_next_token(payload: &[u8], next: Option<&str>, day: Option<DemoDay>) -> CannedResponse {
    match serde_json::from_slice::<Value>(payload) {
        Ok(mut value @ Value::Object(_)) => {
            if let Some(day) = day {
                day.move_array(&mut value, "notices");
            }
            let Value::Object(mut root) = value else {
                return CannedResponse::json(500, "{}");
            };
            root.insert(
                "iterationNextToken".to_owned(),
                next.map_or(Value::Null, |t| Value::String(t.to_owned())),
            );
            CannedResponse::json(200, Value::Object(root).to_string())
        }
        // The payloads are embedded and parse (a unit test checks it); this arm only keeps the
        // server answering if one were ever replaced by something broken.
        _ => CannedResponse::json(
            500,
            r#"{"message":"demo payload is not a JSON object","error":"Internal"}"#,
        ),
    }
}

fn ted_error(kind: &str, message: &str) -> CannedResponse {
    CannedResponse::json(400, serde_json::json!({ "type": kind, "message": message }).to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn request(body: &str) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/v3/notices/search".into(),
            query: String::new(),
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn token_of(resp: &CannedResponse) -> Value {
        serde_json::from_slice::<Value>(&resp.body).unwrap()["iterationNextToken"].clone()
    }

    #[test]
    fn pages_chain_through_the_tokens() {
        let first = respond_ted(&request(r#"{"query":"x","iterationNextToken":null}"#), None);
        assert_eq!((first.status, token_of(&first)), (200, Value::from("demo-page-2")));
        let second = respond_ted(&request(r#"{"iterationNextToken":"demo-page-2"}"#), None);
        assert_eq!(token_of(&second), Value::from("demo-page-3"));
        let third = respond_ted(&request(r#"{"iterationNextToken":"demo-page-3"}"#), None);
        assert_eq!(token_of(&third), Value::Null);
    }

    #[test]
    fn all_routes_sit_on_the_real_apis_paths() {
        use crate::feeds::{doffin::DoffinSettings, ocds::OcdsSettings, ted::TedSettings};
        let routes: Vec<(&str, String)> = all_demo_routes().iter().map(|r| (r.method, r.path.clone())).collect();
        assert_eq!(
            routes,
            [
                ("POST", TedSettings::default().path),
                ("GET", format!("{DOFFIN_DEMO_BASE_PATH}/search")),
                ("GET", OcdsSettings::default().path),
                ("GET", CF_DEMO_PATH.to_owned()),
                ("GET", RSS_DEMO_PATH.to_owned()),
            ]
        );
        assert!(DoffinSettings::default().base_url.ends_with(DOFFIN_DEMO_BASE_PATH));
        assert_eq!(DOFFIN_DEMO_PATH, format!("{DOFFIN_DEMO_BASE_PATH}/search"));
    }

    #[test]
    fn unknown_token_and_bad_body_are_400() {
        let resp = respond_ted(&request(r#"{"iterationNextToken":"stale"}"#), None);
        assert_eq!(resp.status, 400);
        assert!(String::from_utf8_lossy(&resp.body).contains("EXPIRED_ITERATION_TOKEN"));
        assert_eq!(respond_ted(&request("not json"), None).status, 400);
    }
}
