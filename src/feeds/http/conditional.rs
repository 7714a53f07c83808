//! Conditional GET: the validators (`ETag`, `Last-Modified`) a server sent for a URL, remembered in
//! memory and sent back as `If-None-Match` / `If-Modified-Since`, so an unchanged feed costs the
//! server a 304 instead of the whole body.
//!
//! Validators are only remembered once the poll that fetched them succeeded (see
//! [`super::HttpFetcher::remember`]): a validator saved for notices that were then lost would make
//! the next poll's 304 skip them for good.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::header::{ETAG, HeaderMap, LAST_MODIFIED};

/// Most URLs remembered; feeds whose URL carries a moving date window (TED, Doffin, OCDS) would
/// otherwise grow the map by one entry per poll for as long as the app runs.
const MAX_REMEMBERED: usize = 256;

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

/// The validators per request URL, shared by every clone of the fetcher.
#[derive(Debug, Clone, Default)]
pub(super) struct ValidatorCache {
    // A lock, not a channel: tiny critical sections, never held across an await.
    by_url: Arc<Mutex<HashMap<String, Validators>>>,
}

impl ValidatorCache {
    pub(super) fn get(&self, url: &str) -> Option<Validators> {
        self.by_url
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(url)
            .cloned()
    }

    pub(super) fn insert(&self, url: &str, validators: Validators) {
        let mut map = self.by_url.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_REMEMBERED && !map.contains_key(url) {
            // Crude but bounded: forgetting costs one full download, never a missed notice.
            map.clear();
        }
        map.insert(url.to_owned(), validators);
    }
}
