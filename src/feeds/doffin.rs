//! Sans-IO adapter for Norway's Doffin public API v2: builds the search request and parses its answer.
//!
//! Depends on `model` and `serde_json` only; no HTTP client, no clock. The verified facts about the API
//! (parameters, the 1,000-hit window, error bodies) are in `shared/FEEDS.md`. Doffin needs a free API
//! key, sent in a header: it never goes into the URL, this type's `Debug` output or any message.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value};

use self::window::{Plan, Verdict, judge, newest_date, utc_date};
use super::awards::AwardPage;
use super::dates::parse_instant;
use super::distinct::distinct;
use super::json::{count, cpv_codes, number, parse_repaired, raw_strings, text, text_ref, type_name};
use super::nuts::nuts_codes;
use super::query::{encode, url_with_query};
use super::{FeedAdapter, HttpRequest, Method, Page, ParseError};
use crate::model::{Notice, NoticeId};

/// The header Doffin's API gateway reads the key from.
pub const KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";

/// Doffin serves at most the first 1,000 hits of a query; a page beyond that is a 400.
const MAX_ACCESSIBLE: u64 = 1000;

/// Doffin can filter on the date a notice was issued but not on when it was published, which
/// lags by up to 7 days (FEEDS.md): the window is widened by this much so late-published notices
/// are still read. About 30 notices a day, so the wider window stays far below the 1,000-hit cap.
const PUBLICATION_LAG: Duration = Duration::from_secs(10 * 24 * 60 * 60);

/// Where and what to search on Doffin.
#[derive(Clone, PartialEq, Eq)]
pub struct DoffinSettings {
    /// API root up to the version, without a trailing slash; tests and the demo point it at 127.0.0.1.
    pub base_url: String,
    /// The subscription key, already read from the environment; `None` leaves the feed inactive.
    pub api_key: Option<String>,
    /// The environment variable the key is read from, named in the message when it is missing.
    pub api_key_env: String,
    /// Free-text search; several entries are sent as one `searchString`, separated by spaces.
    pub search_strings: Vec<String>,
    /// CPV codes, 8 digits (a division code matches its children); anything else is skipped.
    pub cpv_codes: Vec<String>,
    /// Hits per page (at most 1,000).
    pub page_size: u32,
    /// Whether each poll also searches result notices (see `awards`). Off for an adapter built in
    /// code; the config turns it on (a feed's `awards`, default true).
    pub awards: bool,
}

impl Default for DoffinSettings {
    fn default() -> Self {
        Self {
            base_url: "https://api.doffin.no/public/v2".to_owned(),
            api_key: None,
            api_key_env: "DOFFIN_API_KEY".to_owned(),
            search_strings: Vec::new(),
            cpv_codes: Vec::new(),
            page_size: 100,
            awards: false,
        }
    }
}

impl std::fmt::Debug for DoffinSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DoffinSettings")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<hidden>"))
            .field("api_key_env", &self.api_key_env)
            .field("search_strings", &self.search_strings)
            .field("cpv_codes", &self.cpv_codes)
            .field("page_size", &self.page_size)
            .field("awards", &self.awards)
            .finish()
    }
}

/// The Doffin public API v2 adapter (`GET` with a key header, page-number pagination).
#[derive(Debug, Clone)]
pub struct DoffinAdapter {
    settings: DoffinSettings,
}

impl DoffinAdapter {
    /// An adapter searching with `settings`.
    pub fn new(settings: DoffinSettings) -> Self {
        Self { settings }
    }

    /// The settings this adapter searches with.
    pub fn settings(&self) -> &DoffinSettings {
        &self.settings
    }

    /// The key, if one is configured and not blank.
    fn key(&self) -> Option<&str> {
        self.settings
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
    }

    /// The `numHitsPerPage` sent: the configured size within Doffin's window, and at least 1.
    fn page_size(&self) -> u32 {
        self.settings.page_size.clamp(1, MAX_ACCESSIBLE as u32)
    }
}

pub mod awards;
mod window;

impl FeedAdapter for DoffinAdapter {
    fn kind(&self) -> &str {
        "doffin"
    }

    fn readiness(&self) -> Result<(), String> {
        match self.key() {
            Some(_) => Ok(()),
            None => Err(format!(
                "no API key — set {}; free key from Doffin's API portal",
                self.settings.api_key_env
            )),
        }
    }

    /// `issueDateFrom` is `since`'s UTC date less ten days (publication lags the issue date); Doffin's
    /// own timestamps are UTC. A cursor that names a window (see `window`) adds its `issueDateTo`.
    fn request(&self, since: Timestamp, cursor: Option<&str>) -> HttpRequest {
        self.search_request(since, cursor, None)
    }

    fn parse(&self, body: &[u8]) -> Result<Page, ParseError> {
        self.parse_response(None, body)
    }

    /// The next cursor depends on which page was asked for, which Doffin's answer does not repeat.
    /// Without the poll's start date an open window cannot be split, so it is paged up to the cap.
    fn parse_response(&self, cursor: Option<&str>, body: &[u8]) -> Result<Page, ParseError> {
        self.parse_plan(None, cursor, body)
    }

    /// As [`FeedAdapter::parse_response`], and a window over the 1,000-hit cap is split by
    /// `issueDate` (see `window`): the next cursor then names the halves.
    fn parse_window(&self, since: Timestamp, cursor: Option<&str>, body: &[u8]) -> Result<Page, ParseError> {
        self.parse_plan(Some(since), cursor, body)
    }

    /// The `RESULT` search (see `awards`), when the settings ask for awards.
    fn award_request(&self, since: Timestamp, cursor: Option<&str>) -> Option<HttpRequest> {
        self.settings
            .awards
            .then(|| self.search_request(since, cursor, Some("RESULT")))
    }

    fn parse_awards(&self, since: Timestamp, cursor: Option<&str>, body: &[u8]) -> Result<AwardPage, ParseError> {
        self.parse_award_page(since, cursor, body)
    }

    fn award_value_request(&self, native_id: &str) -> Option<HttpRequest> {
        self.settings.awards.then(|| self.notice_xml_request(native_id))
    }

    /// The XML's rows under the Doffin id asked for: an eForms-native notice's own `cbc:ID` is a
    /// UUID, not the Doffin id its search hit has, and the rows must replace the hit's.
    fn parse_award_value(&self, native_id: &str, body: &[u8]) -> Result<Vec<crate::model::Award>, ParseError> {
        let mut rows = super::awards::eforms::parse(body)?;
        for row in &mut rows {
            row.notice_id = crate::model::NoticeId::new(self.kind(), native_id);
            row.url = format!("https://doffin.no/notices/{}", encode(native_id));
        }
        Ok(rows)
    }

    fn request_gap(&self) -> Duration {
        REQUEST_GAP
    }
}

/// Doffin's gateway answers 429 after about 30 requests in 10 s (FEEDS.md): award requests (and
/// notice downloads) are spaced so a poll stays well under that with the competition pages.
const REQUEST_GAP: Duration = Duration::from_millis(400);

impl DoffinAdapter {
    /// The search from `since` (its windows and page in `cursor`), restricted to a group of notice
    /// types (`RESULT`) when given.
    fn search_request(&self, since: Timestamp, cursor: Option<&str>, group: Option<&str>) -> HttpRequest {
        let plan = Plan::parse(cursor);
        let window = plan.current(start_date(since));
        let mut pairs = vec![
            ("numHitsPerPage", self.page_size().to_string()),
            ("page", plan.page.to_string()),
            ("issueDateFrom", window.from.to_string()),
        ];
        if let Some(to) = window.to {
            pairs.push(("issueDateTo", to.to_string()));
        }
        if let Some(group) = group {
            pairs.push(("type", group.to_owned()));
        }
        pairs.push(("sortBy", "PUBLICATION_DATE_DESC".to_owned()));
        // Doffin silently ignores what it does not understand and then returns the whole database,
        // so only well-formed codes are sent.
        let mut sent = HashSet::new();
        for code in self.settings.cpv_codes.iter().map(|c| c.trim()) {
            if code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()) && sent.insert(code) {
                pairs.push(("cpvCode", code.to_owned()));
            }
        }
        let search: Vec<&str> = self
            .settings
            .search_strings
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if !search.is_empty() {
            pairs.push(("searchString", search.join(" ")));
        }
        HttpRequest {
            method: Method::Get,
            url: url_with_query(&self.settings.base_url, "search", &pairs),
            headers: self
                .key()
                .map(|key| vec![(KEY_HEADER.to_owned(), key.to_owned())])
                .unwrap_or_default(),
            body: None,
        }
    }
}

/// The first `issueDateFrom` of a poll from `since`: its UTC date less the publication lag.
fn start_date(since: Timestamp) -> jiff::civil::Date {
    utc_date(since.checked_sub(PUBLICATION_LAG).unwrap_or(Timestamp::MIN))
}

impl DoffinAdapter {
    /// Parses one answer to the request built for `cursor`; `since` (when known) dates the open window.
    fn parse_plan(&self, since: Option<Timestamp>, cursor: Option<&str>, body: &[u8]) -> Result<Page, ParseError> {
        let root = parse_repaired(body)?;
        let Value::Object(root) = root else {
            return Err(ParseError::Shape(format!(
                "expected a JSON object, got {}",
                type_name(&root)
            )));
        };
        let hits = match root.get("hits") {
            Some(Value::Array(hits)) => hits.as_slice(),
            Some(Value::Null) => &[],
            Some(other) => return Err(ParseError::Shape(format!("`hits` is {}, not a list", type_name(other)))),
            None => return Err(ParseError::Shape(missing_hits(&root))),
        };
        let total = root.get("numHitsTotal").and_then(count);
        let accessible = root
            .get("numHitsAccessible")
            .and_then(count)
            .or(total.map(|t| t.min(MAX_ACCESSIBLE)))
            .unwrap_or(0);
        let plan = Plan::parse(cursor);
        let window = match since {
            Some(since) => Some(plan.current(start_date(since))),
            None => plan.windows.first().copied(),
        };
        let verdict = match (window, total) {
            (Some(window), Some(total)) if plan.page == 1 => judge(window, total, MAX_ACCESSIBLE, newest_date(hits)),
            _ => Verdict::Read,
        };
        let page = u64::from(plan.page);
        let size = u64::from(self.page_size());
        let full = hits.len() as u64 >= size;
        let more = full && page * size < accessible && (page + 1) * size <= MAX_ACCESSIBLE;
        let later = plan.windows.get(1..).unwrap_or_default();
        let mut warnings = Vec::new();
        let split = matches!(verdict, Verdict::Split(..));
        let next = match verdict {
            Verdict::Split(first, second) => Some(Plan {
                page: 1,
                windows: [first, second].into_iter().chain(later.iter().copied()).collect(),
            }),
            Verdict::Read | Verdict::Truncated(_) | Verdict::Implausible(_) => {
                if let Verdict::Truncated(why) | Verdict::Implausible(why) = verdict {
                    warnings.push(why);
                }
                if more {
                    Some(Plan {
                        page: plan.page + 1,
                        windows: plan.windows.clone(),
                    })
                } else if later.is_empty() {
                    None
                } else {
                    Some(Plan {
                        page: 1,
                        windows: later.to_vec(),
                    })
                }
            }
        };
        let mut seen = HashSet::new();
        let notices = hits
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|hit| decode_hit(self.kind(), hit))
            .filter(|n| seen.insert(n.id.clone()))
            .collect();
        Ok(Page {
            notices,
            next: next.map(|plan| plan.cursor()),
            total,
            // A window that is split is read in full through its halves.
            partial: !split && total.is_some_and(|t| t > accessible),
            warnings,
        })
    }
}

/// Explains a JSON answer without `hits`, quoting the gateway's `message` or the API's `reason`.
fn missing_hits(root: &Map<String, Value>) -> String {
    match ["message", "reason"].iter().find_map(|k| text(root.get(*k))) {
        Some(said) => format!("no `hits` list; the server said: {said}"),
        None => "no `hits` list in the response".to_owned(),
    }
}

/// Decodes one hit; `None` without an id, which a notice cannot be stored or linked without.
/// Every other field may be null or missing.
fn decode_hit(kind: &str, hit: &Map<String, Value>) -> Option<Notice> {
    let native_id = text(hit.get("id"))?;
    let lots: Vec<&Map<String, Value>> = match hit.get("lots") {
        Some(Value::Array(lots)) => lots.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    };
    let from_lots = |name: &str| lots.iter().find_map(|lot| text(lot.get(name)));
    let heading = text(hit.get("heading")).or_else(|| from_lots("heading"));
    let (value, currency) = match hit.get("estimatedValue") {
        Some(Value::Object(v)) => match v.get("amount").and_then(number) {
            // A zero estimate is how buyers leave the value undisclosed.
            Some(amount) if amount > 0.0 => (
                Some(amount),
                text(v.get("currencyCode")).map(|c| c.to_ascii_uppercase()),
            ),
            _ => (None, None),
        },
        _ => (None, None),
    };
    Some(Notice {
        id: NoticeId::new(kind, &native_id),
        source: kind.to_owned(),
        title: heading.clone().unwrap_or_else(|| format!("Doffin notice {native_id}")),
        titles: heading
            .map(|h| BTreeMap::from([("und".to_owned(), h)]))
            .unwrap_or_default()
            .into(),
        description: text(hit.get("description"))
            .or_else(|| from_lots("description"))
            .unwrap_or_default(),
        buyer: buyer_names(hit.get("buyer")).join("; "),
        // Doffin is Norway's national portal; buyers abroad are rare and not marked as such.
        country: Some("NO".into()),
        cpv: cpv_codes(hit.get("cpvCodes")).into(),
        published: ["issueDate", "publicationDate"]
            .iter()
            .find_map(|k| text(hit.get(*k)).and_then(|s| parse_instant(&s))),
        deadline: text(hit.get("deadline")).and_then(|s| parse_instant(&s)),
        value,
        currency: currency.map(Into::into),
        questions_deadline: None,
        buyer_id: buyer_id(hit.get("buyer")).map(Into::into),
        nuts: match hit.get("locationId") {
            Some(v) => nuts_codes(raw_strings(v).iter().map(AsRef::as_ref)),
            None => Vec::new(),
        },
        notice_type: text(hit.get("type")).map(Into::into),
        url: format!("https://doffin.no/notices/{}", encode(&native_id)),
        native_id,
    })
}

/// The first buyer's Norwegian organisation number as an org-id.guide identifier (`NO-BRC-…`,
/// the Brønnøysund Register Centre), so it compares with other sources' scheme-prefixed ids.
/// Doffin's own `buyer[].id` is an internal hash and says nothing across sources.
fn buyer_id(v: Option<&Value>) -> Option<String> {
    let buyers: Vec<&Value> = match v {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(single) => vec![single],
        None => Vec::new(),
    };
    buyers
        .into_iter()
        .filter_map(Value::as_object)
        .find_map(|b| text(b.get("organizationId")))
        .map(|number| format!("NO-BRC-{}", number.replace(' ', "")))
}

/// The buyers' names, de-duplicated in order; `buyer` is a list of `{name}` objects, but a single
/// object or a bare name is read too.
fn buyer_names(v: Option<&Value>) -> Vec<String> {
    // Borrowed until de-duplicated: only the names kept are copied.
    fn one(b: &Value) -> Option<std::borrow::Cow<'_, str>> {
        match b {
            Value::Object(b) => text_ref(b.get("name")),
            other => text_ref(Some(other)),
        }
    }
    let names = match v {
        Some(Value::Array(list)) => distinct(list.iter().filter_map(one)),
        Some(single) => one(single).into_iter().collect(),
        None => Vec::new(),
    };
    names.into_iter().map(std::borrow::Cow::into_owned).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests;
