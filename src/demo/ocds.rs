//! Demo answers for OCDS release packages: Find a Tender's `GET /api/1.0/ocdsReleasePackages` and
//! Contracts Finder's `GET /Published/Notices/OCDS/Search`, each the recorded real package.
//!
//! The recordings' `links.next` is set to `null`, so each demo feed is one page: 20 FTS tender
//! releases, and 100 Contracts Finder releases (mostly 2022 awards, with a few open tenders among
//! them, one of them matched). Contracts Finder is a feed of its own rather than a second FTS page,
//! so its notices carry their own source label and links.

use super::DemoDay;
use super::server::{CannedResponse, Route};

/// Recorded FTS release package: 20 tender releases, several NHS buyers (captured 2026-05-30).
const FTS_PACKAGE: &[u8] = include_bytes!("fixtures/ocds/fts-release-package-2026.json");

/// Recorded Contracts Finder search answer: 100 releases (2022).
const CF_PACKAGE: &[u8] = include_bytes!("fixtures/ocds/contracts-finder-search-response-2022.json");

/// Where the demo answers Contracts Finder's OCDS search: its real path.
pub const CF_DEMO_PATH: &str = "/Published/Notices/OCDS/Search";

/// Routes answering OCDS release-package requests at `path` with the recorded FTS package,
/// whatever the query, as the last (only) page.
pub fn ocds_demo_routes(path: &str) -> Vec<Route> {
    routes(path, None)
}

/// [`ocds_demo_routes`] with the dates moved towards `day` (as recorded with `None`).
pub(super) fn routes(path: &str, day: Option<DemoDay>) -> Vec<Route> {
    package_routes(path, FTS_PACKAGE, day)
}

/// The Contracts Finder package at `path`, dates moved towards `day`, as the last (only) page.
pub(super) fn cf_routes(path: &str, day: Option<DemoDay>) -> Vec<Route> {
    package_routes(path, CF_PACKAGE, day)
}

fn package_routes(path: &str, package: &[u8], day: Option<DemoDay>) -> Vec<Route> {
    let response = match without_next_link(package) {
        Some(body) => {
            let body = match (day, String::from_utf8(body)) {
                (Some(day), Ok(text)) => day.move_ocds_text(&text).into_bytes(),
                (_, Ok(text)) => text.into_bytes(),
                (_, Err(e)) => e.into_bytes(),
            };
            CannedResponse::json(200, body)
        }
        // The payload is embedded and the edit works (a unit test checks it); failing loudly here
        // beats serving the recorded link, which would send the offline demo to the real API.
        None => CannedResponse::json(
            500,
            r#"{"status":500,"error":"Internal Server Error","message":"demo payload has no links.next to remove"}"#,
        ),
    };
    vec![Route::new("GET", path, move |_| response.clone())]
}

/// The package with `links.next` set to `null`, edited in the text rather than re-serialised: the
/// recording holds bare `Infinity` values, which are not JSON, and the demo serves them as the real
/// API does so that the adapter's repair runs.
fn without_next_link(package: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(package).ok()?;
    let links = text.rfind("\"links\"")?;
    let key = links + text[links..].find("\"next\"")? + "\"next\"".len();
    let colon = key + text[key..].find(':')? + 1;
    let start = colon + (text[colon..].len() - text[colon..].trim_start().len());
    let end = start + 1 + text[start + 1..].find('"')? + 1;
    text[start..]
        .starts_with('"')
        .then(|| format!("{}null{}", &text[..start], &text[end..]).into_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::feeds::FeedAdapter;
    use crate::feeds::ocds::{OcdsAdapter, OcdsSettings};

    #[test]
    fn package_has_twenty_releases_and_no_next_link() {
        let body = without_next_link(FTS_PACKAGE).unwrap();
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(text.contains("\"next\": null") && !text.contains("cursor="));
        let page = OcdsAdapter::new(OcdsSettings::default()).parse(&body).unwrap();
        assert_eq!((page.notices.len(), page.next), (20, None));
        let resp = (ocds_demo_routes("/p")[0].respond)(&crate::demo::server::RecordedRequest {
            method: "GET".into(),
            path: "/p".into(),
            query: String::new(),
            headers: Vec::new(),
            body: Vec::new(),
        });
        assert_eq!((resp.status, resp.body), (200, body));
    }

    #[test]
    fn a_package_without_next_link_is_refused() {
        assert_eq!(without_next_link(br#"{"releases": [], "links": {}}"#), None);
        assert_eq!(
            without_next_link(br#"{"links": {"next" : "u"}}"#).unwrap(),
            br#"{"links": {"next" : null}}"#
        );
    }
}
