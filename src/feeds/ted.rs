//! Sans-IO adapter for the EU's TED Search API v3: builds the search request and parses its answer.
//!
//! Depends on `model` and `serde_json` only; no HTTP client, no clock. The verified facts about the API
//! (field shapes, pagination, error bodies) are in `shared/FEEDS.md`; the lenient decoding of its
//! irregular field values lives in the `decode` submodule, on top of the shared `feeds::json` and
//! `feeds::dates` readers.

pub mod awards;
mod decode;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

use super::awards::{AwardPage, FoundAwards};
use super::{FeedAdapter, HttpRequest, Method, Page, ParseError};

/// The fields requested from TED. An unknown name makes TED answer 400, so every name here is one
/// seen in recorded responses or in several independent live clients.
pub const FIELDS: [&str; 21] = [
    "publication-number",
    "notice-title",
    "title-proc",
    "buyer-name",
    "buyer-country",
    "description-proc",
    "description-lot",
    "classification-cpv",
    "publication-date",
    "deadline-receipt-tender-date-lot",
    "deadline-receipt-tender-time-lot",
    "estimated-value-proc",
    "estimated-value-cur-proc",
    "estimated-value-lot",
    "estimated-value-cur-lot",
    "notice-type",
    "form-type",
    "links",
    // NUTS codes mixed with ISO-3 country codes (FEEDS.md); only the NUTS ones are kept.
    "place-of-performance",
    // Read by `feeds::awards::ted_keys` (when the feed fetches awards), not into the notice: the
    // eForms procedure id that the result notice repeats, and the planned lot durations that date
    // its contract's end (shared/reference/awards.md §2, §6).
    "procedure-identifier",
    "contract-duration-period-lot",
];

/// TED rejects a `limit` above 250.
const MAX_PAGE_SIZE: u32 = 250;

/// TED also rejects requests where fields × limit exceeds 10,000.
const MAX_FIELD_CELLS: u32 = 10_000;

/// Where and what to search on TED.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TedSettings {
    /// Scheme and host, without a trailing slash; tests and the demo point it at 127.0.0.1.
    pub base_url: String,
    /// Search path; configurable because TED announced a v4 path with the same body.
    pub path: String,
    /// Buyer countries as ISO 3166 alpha-3 codes (`NOR`, `SWE`); empty means all countries.
    pub countries: Vec<String>,
    /// CPV codes, 8 digits; a parent code such as `33000000` also matches its children.
    pub cpv_families: Vec<String>,
    /// Notices per page (at most 250).
    pub page_size: u32,
    /// Whether each poll also searches result notices (see `awards`). Off for an adapter built in
    /// code; the config turns it on (a feed's `awards`, default true).
    pub awards: bool,
}

impl Default for TedSettings {
    fn default() -> Self {
        Self {
            base_url: "https://api.ted.europa.eu".to_owned(),
            path: "/v3/notices/search".to_owned(),
            countries: Vec::new(),
            cpv_families: Vec::new(),
            page_size: 100,
            awards: false,
        }
    }
}

/// The TED Search API v3 adapter (anonymous, `POST` with a JSON body, ITERATION pagination).
#[derive(Debug, Clone)]
pub struct TedAdapter {
    settings: TedSettings,
}

impl TedAdapter {
    /// An adapter searching with `settings`.
    pub fn new(settings: TedSettings) -> Self {
        Self { settings }
    }

    /// The settings this adapter searches with.
    pub fn settings(&self) -> &TedSettings {
        &self.settings
    }

    /// The expert-search query for notices published on or after `since`'s date.
    ///
    /// The date is taken in UTC: TED dates are Brussels-local, which is never behind UTC, so the
    /// UTC date is the same day or the day before, never later, and no notice is missed.
    pub fn query(&self, since: Timestamp) -> String {
        let mut parts = Vec::new();
        let countries = query_codes(&self.settings.countries, |c| c.is_ascii_alphabetic());
        if !countries.is_empty() {
            parts.push(format!("buyer-country IN ({})", countries.join(" ")));
        }
        let cpvs = query_codes(&self.settings.cpv_families, |c| c.is_ascii_digit());
        if !cpvs.is_empty() {
            parts.push(format!("classification-cpv IN ({})", cpvs.join(" ")));
        }
        let date = since.to_zoned(TimeZone::UTC).date();
        parts.push(format!("publication-date>={}", date.strftime("%Y%m%d")));
        format!("{} SORT BY publication-date DESC", parts.join(" AND "))
    }

    /// The `limit` sent: the configured page size within TED's two limits, and at least 1.
    fn limit(&self) -> u32 {
        let by_cells = MAX_FIELD_CELLS / FIELDS.len() as u32;
        self.settings.page_size.clamp(1, MAX_PAGE_SIZE.min(by_cells))
    }
}

/// Keeps only the characters `keep` allows (upper-cased) so configured codes cannot break out of
/// the query string; entries left empty are dropped.
fn query_codes(codes: &[String], keep: impl Fn(char) -> bool) -> Vec<String> {
    codes
        .iter()
        .map(|code| {
            code.chars()
                .filter(|c| keep(*c))
                .collect::<String>()
                .to_ascii_uppercase()
        })
        .filter(|code| !code.is_empty())
        .collect()
}

impl FeedAdapter for TedAdapter {
    fn kind(&self) -> &str {
        "ted"
    }

    /// A cursor is TED's `iterationNextToken`, or (after a refused token, see
    /// [`FeedAdapter::restart_cursor`]) `until=YYYYMMDD;` followed by the token, if any, of the query
    /// bounded by that date.
    fn request(&self, since: Timestamp, cursor: Option<&str>) -> HttpRequest {
        let (until, cursor) = split_bound(cursor);
        let mut query = self.query(since);
        if let Some(until) = until {
            // The token of a bounded query belongs to that query, so the bound is sent again.
            query = query.replacen(" SORT BY", &format!(" AND publication-date<={until} SORT BY"), 1);
        }
        let mut body = Map::new();
        body.insert("query".into(), Value::String(query));
        body.insert("fields".into(), json!(FIELDS));
        body.insert("limit".into(), json!(self.limit()));
        body.insert("scope".into(), json!("ACTIVE"));
        body.insert("paginationMode".into(), json!("ITERATION"));
        if let Some(token) = cursor {
            body.insert("iterationNextToken".into(), json!(token));
        }
        let base = self.settings.base_url.trim_end_matches('/');
        let path = self.settings.path.trim_start_matches('/');
        HttpRequest {
            method: Method::Post,
            url: format!("{base}/{path}"),
            headers: Vec::new(),
            // Serialising a map of strings and numbers cannot fail; an empty body would make TED
            // answer 400, which the user would see.
            body: Some(serde_json::to_vec(&Value::Object(body)).unwrap_or_default()),
        }
    }

    fn parse(&self, body: &[u8]) -> Result<Page, ParseError> {
        decode::parse_page(self.kind(), body)
    }

    /// The next token of a bounded query keeps its bound (see [`TedAdapter::request`]).
    fn parse_response(&self, cursor: Option<&str>, body: &[u8]) -> Result<Page, ParseError> {
        let mut page = self.parse(body)?;
        if let (Some(until), _) = split_bound(cursor) {
            page.next = page.next.map(|token| format!("{BOUND}{until};{token}"));
        }
        Ok(page)
    }

    /// Newest first, so what is left of a window lies on or before the oldest date read.
    fn restart_cursor(&self, until: Timestamp) -> Option<String> {
        let day = until.to_zoned(TimeZone::UTC).date().strftime("%Y%m%d");
        Some(format!("{BOUND}{day};"))
    }

    /// The result-notice search (`scope: ALL`), when the settings ask for awards.
    fn award_request(&self, since: Timestamp, cursor: Option<&str>) -> Option<HttpRequest> {
        // The inherent builder of the same name (in `awards`), which tests call directly.
        self.settings
            .awards
            .then(|| TedAdapter::award_request(self, since, cursor))
    }

    fn parse_awards(&self, _since: Timestamp, _cursor: Option<&str>, body: &[u8]) -> Result<AwardPage, ParseError> {
        crate::feeds::awards::ted_search::parse_page(body)
    }

    /// The procedure ids and planned durations of the page's competition notices, which the
    /// result notices link to exactly and estimate their end from.
    fn awards_in_page(&self, body: &[u8]) -> Result<FoundAwards, ParseError> {
        if !self.settings.awards {
            return Ok(FoundAwards::default());
        }
        Ok(FoundAwards {
            awards: Vec::new(),
            keys: crate::feeds::awards::ted_keys::competition_keys(body)?,
        })
    }
}

/// How a cursor names an upper publication-date bound (see [`TedAdapter::request`]).
const BOUND: &str = "until=";

/// A cursor's date bound (eight digits, else ignored) and its token, if any.
fn split_bound(cursor: Option<&str>) -> (Option<&str>, Option<&str>) {
    let Some(cursor) = cursor else { return (None, None) };
    let Some((until, token)) = cursor.strip_prefix(BOUND).and_then(|rest| rest.split_once(';')) else {
        return (None, Some(cursor));
    };
    let until = (until.len() == 8 && until.bytes().all(|b| b.is_ascii_digit())).then_some(until);
    (until, Some(token).filter(|t| !t.is_empty()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn adapter(countries: &[&str], cpv: &[&str]) -> TedAdapter {
        TedAdapter::new(TedSettings {
            base_url: "http://127.0.0.1:9/".into(),
            countries: countries.iter().map(|s| (*s).to_owned()).collect(),
            cpv_families: cpv.iter().map(|s| (*s).to_owned()).collect(),
            ..TedSettings::default()
        })
    }

    fn since() -> Timestamp {
        "2026-05-20T23:30:00Z".parse().unwrap()
    }

    #[test]
    fn query_has_countries_cpv_and_date() {
        let q = adapter(&["NOR", "swe"], &["33000000", "48000000"]).query(since());
        assert_eq!(
            q,
            "buyer-country IN (NOR SWE) AND classification-cpv IN (33000000 48000000) \
             AND publication-date>=20260520 SORT BY publication-date DESC"
        );
    }

    #[test]
    fn query_omits_empty_lists_and_strips_injection() {
        assert_eq!(
            adapter(&[], &[]).query(since()),
            "publication-date>=20260520 SORT BY publication-date DESC"
        );
        let q = adapter(&["NOR) OR (x", ""], &[]).query(since());
        assert_eq!(
            q,
            "buyer-country IN (NORORX) AND publication-date>=20260520 SORT BY publication-date DESC"
        );
    }

    #[test]
    fn request_body_has_fields_limit_and_token() {
        let a = adapter(&["NOR"], &[]);
        let req = a.request(since(), None);
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "http://127.0.0.1:9/v3/notices/search");
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["limit"], 100);
        assert_eq!(body["paginationMode"], "ITERATION");
        assert_eq!(body["fields"].as_array().unwrap().len(), FIELDS.len());
        assert!(body.get("iterationNextToken").is_none());
        let req = a.request(since(), Some("tok"));
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["iterationNextToken"], "tok");
    }

    #[test]
    fn limit_is_clamped() {
        let mut s = TedSettings {
            page_size: 10_000,
            ..TedSettings::default()
        };
        assert_eq!(TedAdapter::new(s.clone()).limit(), 250);
        s.page_size = 0;
        assert_eq!(TedAdapter::new(s).limit(), 1);
    }
}
