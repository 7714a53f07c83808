//! Per-feed sync state: how far a feed has been read and the cache validators its URLs answered
//! with. Persisted in the same transaction as the notices it produced, so after a restart a poll
//! resumes where the last saved one ended, and a 304 can never hide notices that were not saved.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A server's cache validators for one request URL (`ETag`, `Last-Modified`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlValidators {
    /// The request URL they belong to (query included; it may hold no secret, adapters send keys in headers).
    pub url: String,
    /// `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// What one feed's last successful poll left behind for the next one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedState {
    /// High-water mark: everything the feed published before this instant has been read (the start
    /// of the last poll that read its whole window). The next poll reads from here, less a safety
    /// overlap. It does not move while a window is only partly read (see `resume`).
    pub high_water: Option<Timestamp>,
    /// When that poll finished.
    pub last_success: Option<Timestamp>,
    /// Validators per URL from that poll; they only become effective once the notices are saved.
    pub validators: Vec<UrlValidators>,
    /// A poll that stopped at `max_pages` with more to read: where the next poll continues.
    pub resume: Option<Resume>,
}

/// Where a window cut short by `max_pages` continues. Saved with the notices of the pages read, so
/// a first sync or a laptop back from a holiday reads the rest on the next polls instead of
/// skipping it (pages come newest first, so the unread ones are the oldest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    /// The window start the first poll of this window asked for; every continuation asks the same.
    pub since: Timestamp,
    /// The adapter's cursor for the first page not read yet (TED `iterationNextToken`, Doffin's
    /// page and windows, OCDS `links.next`).
    pub cursor: String,
    /// The oldest publication date read so far in this window: when a cursor is refused (a TED
    /// token expires), the window is read again down from this date rather than skipped.
    pub low: Option<Timestamp>,
    /// When the first poll of this window started: the high-water mark once the window is read.
    pub started: Timestamp,
}
