//! The demo's RSS feed: a Norwegian municipality's procurement RSS (recorded shape, see
//! `fixtures/rss`), with its dates moved to the last few days so the demo's lookback window keeps
//! them, and an `ETag` so a second poll gets a 304 like a real feed server would give.

use jiff::{Timestamp, ToSpan};

use super::server::{CannedResponse, RecordedRequest, Route};

/// The municipal RSS feed, as the tests read it.
pub const RSS_DEMO_FEED: &str = include_str!("fixtures/rss/bergen-kommune-anskaffelser.rss.xml");

/// The validator the demo feed answers with; a request carrying it gets a 304.
const DEMO_ETAG: &str = "\"bergen-rss-demo-1\"";

/// Routes answering `GET path` with the municipal RSS feed (the URL of an `rss` feed is the
/// server's base URL followed by `path`).
pub fn rss_demo_routes(path: &str) -> Vec<Route> {
    vec![Route::new("GET", path, respond)]
}

fn respond(req: &RecordedRequest) -> CannedResponse {
    if req.header("if-none-match") == Some(DEMO_ETAG) {
        return CannedResponse::new(304, "");
    }
    CannedResponse::new(200, recent(RSS_DEMO_FEED, Timestamp::now()))
        .with_header("content-type", "application/rss+xml; charset=utf-8")
        .with_header("etag", DEMO_ETAG)
}

/// `feed` with its n-th `<pubDate>` set to n + 1 days before `now`; the recorded dates would
/// otherwise fall outside the lookback window of a demo run at any later date.
fn recent(feed: &str, now: Timestamp) -> String {
    let mut out = String::with_capacity(feed.len());
    let mut rest = feed;
    let mut days: i64 = 1;
    while let Some(start) = rest.find("<pubDate>") {
        let open_end = start + "<pubDate>".len();
        let Some(len) = rest[open_end..].find("</pubDate>") else {
            break;
        };
        out.push_str(&rest[..open_end]);
        let when = now.checked_sub((days * 24).hours()).unwrap_or(now);
        out.push_str(&when.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string());
        rest = &rest[open_end + len..];
        days += 1;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn dates_move_to_the_last_days() {
        let now: Timestamp = "2027-01-10T12:00:00Z".parse().unwrap();
        let moved = recent(RSS_DEMO_FEED, now);
        assert!(
            moved.contains("<pubDate>Sat, 09 Jan 2027 12:00:00 +0000</pubDate>"),
            "{moved}"
        );
        assert!(moved.contains("<pubDate>Thu, 07 Jan 2027 12:00:00 +0000</pubDate>"));
        assert!(
            !moved.contains(" 2026 ") && !moved.contains(" 2025 "),
            "no recorded date left"
        );
        assert_eq!(moved.matches("<item>").count(), RSS_DEMO_FEED.matches("<item>").count());
    }
}
