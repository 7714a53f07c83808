//! One configured feed: what every feed has (name, address, pacing) and, by kind, what only that
//! kind of feed has (`FeedSettings`). A TED feed has no API key and an RSS feed no countries, so
//! neither can carry one by mistake.

use std::time::Duration;

use super::FeedKind;

/// One configured feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    /// Name shown on the status line and in `poll` summaries.
    pub name: String,
    /// Scheme, host and optional path prefix, without a trailing slash (RSS: the whole feed URL).
    pub base_url: String,
    /// Poll interval for this feed.
    pub interval: Duration,
    /// Results per page.
    pub page_size: u32,
    /// Upper bound on pages per poll, so one poll cannot run away.
    pub max_pages: usize,
    /// Whether each poll also reads award notices (TED's result search, Doffin's `RESULT` search,
    /// the `awards[]` of OCDS releases); `awards = false` in the config turns it off. RSS has none.
    pub awards: bool,
    /// What only this kind of feed has; its variant is the feed's kind.
    pub settings: FeedSettings,
}

/// The settings of one kind of feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedSettings {
    /// TED Search API v3.
    Ted {
        /// Path of the search endpoint, when it differs from the adapter's default.
        path: Option<String>,
        /// Buyer countries to ask the server for (ISO 3166 alpha-3).
        countries: Vec<String>,
    },
    /// Doffin public API v2.
    Doffin {
        /// The environment variable holding the API key (default `DOFFIN_API_KEY`).
        api_key_env: Option<String>,
        /// A key given directly (the demo's stand-in key). Files cannot set it: keys belong in the
        /// environment, never in a config that may be shared or committed.
        api_key: Option<String>,
    },
    /// An OCDS release-package endpoint.
    Ocds {
        /// Path of the endpoint, when it differs from the adapter's default.
        path: Option<String>,
        /// The label used as source in ids and lists (default `ocds`, `fts` for Find a Tender).
        source: Option<String>,
        /// The public notice page, with `{id}` or `{ocid}` filled in.
        notice_url: Option<String>,
    },
    /// An RSS 2.0 or Atom feed.
    Rss {
        /// The label used as source in ids and lists (default `rss`).
        source: Option<String>,
    },
}

impl FeedSettings {
    /// A kind's settings with nothing set.
    pub fn empty(kind: FeedKind) -> Self {
        match kind {
            FeedKind::Ted => FeedSettings::Ted {
                path: None,
                countries: Vec::new(),
            },
            FeedKind::Doffin => FeedSettings::Doffin {
                api_key_env: None,
                api_key: None,
            },
            FeedKind::Ocds => FeedSettings::Ocds {
                path: None,
                source: None,
                notice_url: None,
            },
            FeedKind::Rss => FeedSettings::Rss { source: None },
        }
    }

    /// The kind of feed these settings are for.
    pub fn kind(&self) -> FeedKind {
        match self {
            FeedSettings::Ted { .. } => FeedKind::Ted,
            FeedSettings::Doffin { .. } => FeedKind::Doffin,
            FeedSettings::Ocds { .. } => FeedKind::Ocds,
            FeedSettings::Rss { .. } => FeedKind::Rss,
        }
    }
}

impl FeedConfig {
    /// A feed with default interval and paging and its kind's settings unset.
    pub fn new(name: &str, kind: FeedKind, base_url: &str) -> Self {
        Self::with(name, base_url, FeedSettings::empty(kind))
    }

    /// A feed with default interval and paging and these settings.
    pub fn with(name: &str, base_url: &str, settings: FeedSettings) -> Self {
        Self {
            name: name.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            interval: Duration::from_secs(15 * 60),
            page_size: 100,
            max_pages: 20,
            awards: true,
            settings,
        }
    }

    /// Which adapter speaks to it.
    pub fn kind(&self) -> FeedKind {
        self.settings.kind()
    }
}
