//! Conditional GET: the validators (`ETag`, `Last-Modified`) a server sent for a URL, sent back as `If-None-Match` / `If-Modified-Since`, so an unchanged feed costs the
//! server a 304 instead of the whole body.
//!
//! The fetcher keeps no validators: the caller passes the ones to send. The poller owns them (one
//! writer): a poll's validators become the ones sent only once the store has saved the notices they
//! vouch for, since a validator kept for notices that were then lost would make the next poll's 304
//! skip them for good.

use reqwest::header::{ETAG, HeaderMap, LAST_MODIFIED};

use crate::model::UrlValidators;

/// A server's cache validators for one URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Validators {
    /// The validators in a response's headers, if it sent any.
    pub(super) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let read = |name| {
            headers
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let validators = Self {
            etag: read(ETAG),
            last_modified: read(LAST_MODIFIED),
        };
        (validators.etag.is_some() || validators.last_modified.is_some()).then_some(validators)
    }
}

/// What a successful `GET` or `POST` brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// A 2xx answer: the body, and the validators to remember once the poll has succeeded.
    Body {
        /// The response body.
        body: Vec<u8>,
        /// `ETag` / `Last-Modified` of this answer, if the server sent them.
        validators: Option<Validators>,
    },
    /// 304: nothing changed since the validators we sent.
    NotModified,
}

/// The validators saved for `url` among `saved` (a feed's last saved poll), if the server sent any.
pub fn saved_for(saved: &[UrlValidators], url: &str) -> Option<Validators> {
    saved
        .iter()
        .find(|entry| entry.url == url && (entry.etag.is_some() || entry.last_modified.is_some()))
        .map(|entry| Validators {
            etag: entry.etag.clone(),
            last_modified: entry.last_modified.clone(),
        })
}
