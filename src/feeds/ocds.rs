//! Sans-IO adapter for OCDS release packages (UK Find a Tender by default; Contracts Finder and other
//! OCDS publishers answer in the same shape): builds the request and parses the package.
//!
//! Depends on `model` and `serde_json` only; no HTTP client, no clock. The verified facts about the
//! APIs are in `shared/FEEDS.md`; the mapping of one release to a notice lives in `release`.

mod release;

use std::borrow::Cow;
use std::collections::HashSet;

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::awards::FoundAwards;
use super::json::{parse_repaired, text, type_name};
use super::query::url_with_query;
use super::{FeedAdapter, HttpRequest, Method, Page, ParseError};
use crate::model::NoticeId;

/// Find a Tender rejects a `limit` above 100.
const MAX_PAGE_SIZE: u32 = 100;

/// Contracts Finder's OCDS search path. A feed configured with this `path` is asked Contracts
/// Finder style, by publication date (`publishedFrom`); every other path Find a Tender style, by
/// update date (`updatedFrom`), the parameter each API documents (FEEDS.md).
pub const CONTRACTS_FINDER_PATH: &str = "/Published/Notices/OCDS/Search";

/// The query parameter that asks `path` for releases since the last poll.
pub fn since_parameter(path: &str) -> &'static str {
    let path = path.split('?').next().unwrap_or_default().trim_end_matches('/');
    if path
        .to_ascii_lowercase()
        .ends_with(&CONTRACTS_FINDER_PATH.to_ascii_lowercase())
    {
        "publishedFrom"
    } else {
        "updatedFrom"
    }
}

/// Where an OCDS feed lives and how its notices are labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcdsSettings {
    /// Scheme and host, without a trailing slash; tests and the demo point it at 127.0.0.1.
    pub base_url: String,
    /// Path of the release-package search.
    pub path: String,
    /// Releases per page (at most 100).
    pub page_size: u32,
    /// The source kind in notice ids and the source column (`fts` → `fts:051000-2026`).
    pub source: String,
    /// The public page of a notice, with `{id}` (the release id) or `{ocid}` filled in; without
    /// it, the notice page a release links in its documents, if any.
    pub notice_url_template: Option<String>,
    /// Whether the `awards[]` of the releases read are kept as award rows (see
    /// [`FeedAdapter::awards_in_page`]). Off for an adapter built in code; the config turns it on
    /// (a feed's `awards`, default true).
    pub awards: bool,
}

impl Default for OcdsSettings {
    fn default() -> Self {
        Self {
            base_url: "https://www.find-tender.service.gov.uk".to_owned(),
            path: "/api/1.0/ocdsReleasePackages".to_owned(),
            page_size: 100,
            source: "fts".to_owned(),
            notice_url_template: Some("https://www.find-tender.service.gov.uk/Notice/{id}".to_owned()),
            awards: false,
        }
    }
}

/// An OCDS release-package adapter (anonymous `GET`, pagination by following `links.next`).
#[derive(Debug, Clone)]
pub struct OcdsAdapter {
    settings: OcdsSettings,
}

impl OcdsAdapter {
    /// An adapter reading the feed described by `settings`.
    pub fn new(settings: OcdsSettings) -> Self {
        Self { settings }
    }

    /// The settings this adapter reads with.
    pub fn settings(&self) -> &OcdsSettings {
        &self.settings
    }

    /// `links.next` as a URL to request: absolute web links as they are, a path (`/api/…?cursor=…`)
    /// resolved against the base URL's origin, anything else (another scheme) ignored, which ends
    /// the poll rather than letting a feed make us fetch something that is not a web page.
    fn next_url(&self, link: &str) -> Option<String> {
        let lower = link.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            return Some(link.to_owned());
        }
        if link.starts_with('/') && !link.starts_with("//") {
            return Some(format!("{}{link}", origin(&self.settings.base_url)));
        }
        None
    }
}

/// `scheme://host[:port]` of `url`, without path.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

impl FeedAdapter for OcdsAdapter {
    fn kind(&self) -> &str {
        &self.settings.source
    }

    /// The first page asks for releases updated (Contracts Finder: published) since `since` (UTC, to
    /// the second) at the tender stage; later pages follow the server's `links.next`, which already
    /// carries every parameter.
    fn request(&self, since: Timestamp, cursor: Option<&str>) -> HttpRequest {
        let url = match cursor {
            Some(next) => next.to_owned(),
            None => {
                let limit = self.settings.page_size.clamp(1, MAX_PAGE_SIZE);
                let pairs = [
                    ("limit", limit.to_string()),
                    (
                        since_parameter(&self.settings.path),
                        since.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    ),
                    ("stages", "tender".to_owned()),
                ];
                url_with_query(&self.settings.base_url, &self.settings.path, &pairs)
            }
        };
        HttpRequest {
            method: Method::Get,
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    fn parse(&self, body: &[u8]) -> Result<Page, ParseError> {
        let text_body = decode_text(body);
        let root = parse_repaired(&text_body)?;
        let Value::Object(root) = root else {
            return Err(ParseError::Shape(format!(
                "expected a JSON object, got {}",
                type_name(&root)
            )));
        };
        let releases = releases(&root)?;
        let mut seen = HashSet::new();
        let notices = releases
            .into_iter()
            .filter_map(|r| release::decode(&self.settings, r))
            .filter(|n| seen.insert(n.id.clone()))
            .collect();
        let next = root
            .get("links")
            .and_then(|links| text(links.get("next")))
            .and_then(|link| self.next_url(&link));
        Ok(Page {
            notices,
            next,
            total: None,
            partial: false,
            warnings: Vec::new(),
        })
    }

    /// The `awards[]` of the page's releases (the latest release per ocid and award), and the ocid
    /// and planned length of its tender releases, keyed by the ids this feed stores them under.
    /// A second parse of the page: the notices' reader keeps none of this.
    fn awards_in_page(&self, body: &[u8]) -> Result<FoundAwards, ParseError> {
        if !self.settings.awards {
            return Ok(FoundAwards::default());
        }
        let body = decode_text(body);
        let (awards, mut keys) = crate::feeds::awards::ocds::parse_with_keys(&body)?;
        for key in &mut keys {
            // Keyed by the publisher's kind (`cf`, `fts`); the feed stores its notices under its own.
            if let Some((_, native)) = key.notice_id.as_str().split_once(':') {
                key.notice_id = NoticeId::new(&self.settings.source, native);
            }
        }
        Ok(FoundAwards { awards, keys })
    }
}

/// The releases of a release package, or the compiled releases of a record package.
fn releases(root: &Map<String, Value>) -> Result<Vec<&Map<String, Value>>, ParseError> {
    match (root.get("releases"), root.get("records")) {
        (Some(Value::Array(list)), _) => Ok(list.iter().filter_map(Value::as_object).collect()),
        (Some(Value::Null), _) => Ok(Vec::new()),
        (None, Some(Value::Array(records))) => Ok(records
            .iter()
            .filter_map(|r| r.get("compiledRelease")?.as_object())
            .collect()),
        (Some(other), _) => Err(ParseError::Shape(format!(
            "`releases` is {}, not a list",
            type_name(other)
        ))),
        (None, _) => {
            // FTS errors are `{timestamp, status, error, message, path}`.
            let said = ["message", "error"].iter().find_map(|k| text(root.get(*k)));
            Err(ParseError::Shape(match said {
                Some(said) => format!("no `releases` list; the server said: {said}"),
                None => "no `releases` list in the response".to_owned(),
            }))
        }
    }
}

/// The body as UTF-8 bytes (Contracts Finder serves ISO-8859-1; see [`super::charset`]).
fn decode_text(body: &[u8]) -> Cow<'_, [u8]> {
    match super::charset::decode_text(body) {
        Cow::Borrowed(_) => Cow::Borrowed(body),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests;
