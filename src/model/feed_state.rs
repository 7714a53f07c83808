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
    /// of the last successful poll). The next poll reads from here, less a safety overlap.
    pub high_water: Option<Timestamp>,
    /// When that poll finished.
    pub last_success: Option<Timestamp>,
    /// Validators per URL from that poll; they only become effective once the notices are saved.
    pub validators: Vec<UrlValidators>,
}
