//! Fetching tender feeds: sans-IO adapters per API, one HTTP fetcher, and the polling task.
//!
//! Depends on `model`, reqwest and tokio only; never on `app`, `ui` or `store`. Scoring is injected
//! into the poller as a function so that this module does not depend on `matching` either.

pub mod awards;
mod charset;
mod dates;
pub(crate) mod distinct;
pub mod doffin;
mod hint;
pub mod http;
mod json;
mod nuts;
pub mod ocds;
pub mod poller;
mod query;
mod schedule;
pub mod syndication;
pub mod ted;

use std::time::Duration;

use jiff::Timestamp;

use self::awards::{AwardPage, FoundAwards};
use crate::model::{FeedState, Notice, Relevance};

/// HTTP method of a feed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST` with a JSON body.
    Post,
}

/// A request an adapter wants sent; built without I/O so it can be asserted in tests.
///
/// Its `Debug` output hides header values, which may hold an API key.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL including the query string.
    pub url: String,
    /// Extra headers (name, value).
    pub headers: Vec<(String, String)>,
    /// JSON body for `POST`.
    pub body: Option<Vec<u8>>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers (values hidden)", &header_names)
            .field("body", &self.body.as_ref().map(|b| String::from_utf8_lossy(b)))
            .finish()
    }
}

/// One page of a feed's response, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The notices on this page, normalised and sanitised.
    pub notices: Vec<Notice>,
    /// Opaque cursor for the next page (TED `iterationNextToken`, Doffin's next page number, OCDS
    /// `links.next`), `None` on the last page.
    pub next: Option<String>,
    /// Total number of results the server reports, if it does.
    pub total: Option<u64>,
    /// The server said the result is partial (TED `timedOut: true`, Doffin's 1,000-hit window).
    pub partial: bool,
    /// Plain-language warnings about a page that still parsed (e.g. a total so large the server must
    /// have ignored a filter); carried to [`FeedEvent::Fetched`].
    pub warnings: Vec<String>,
}

/// Why a response body could not be turned into notices. Messages say where it went wrong.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The body is not valid JSON (includes line and column).
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's explanation.
        message: String,
    },
    /// The body looks like an HTML page (an error page from a proxy or gateway), not the API.
    #[error("got an HTML page instead of JSON (starts with {snippet:?})")]
    Html {
        /// The first characters of the page.
        snippet: String,
    },
    /// The body is not well-formed XML (RSS and Atom feeds; includes line and column).
    #[error("invalid XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// quick-xml's explanation.
        message: String,
    },
    /// JSON (or XML), but not the shape the API documents.
    #[error("unexpected response shape: {0}")]
    Shape(String),
}

/// Why a fetch failed. Shown to the user on the status line, so messages are for people.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// Could not connect (DNS, refused, TLS, no network).
    #[error("cannot connect to {host}: {message}")]
    Connect {
        /// Host part of the URL.
        host: String,
        /// What failed.
        message: String,
    },
    /// No complete response in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The server asks us to slow down (429, or 503 with `Retry-After`).
    #[error("rate limited (HTTP {status}){}", retry_after.map(|d| format!(", server asks to wait {}s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// 429 or 503.
        status: u16,
        /// Parsed `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// Any other non-success status; `detail` is the server's message or the start of the body.
    #[error("HTTP {status}: {detail}")]
    Status {
        /// Status code.
        status: u16,
        /// What the server said.
        detail: String,
    },
    /// The body exceeded the configured cap.
    #[error("response larger than {limit} bytes, gave up")]
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The body arrived but could not be parsed.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// The connection broke off mid-exchange (reset by the server, closed before the answer ended).
    #[error("the connection to {host} broke off: {message}")]
    Dropped {
        /// Host part of the URL.
        host: String,
        /// What the transport said.
        message: String,
    },
    /// Anything else (a client that cannot be set up, a feed that is not ready, …).
    #[error("{0}")]
    Other(String),
}

impl FeedError {
    /// How long the server asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A sans-IO adapter for one tender API: builds requests and parses responses, nothing else.
pub trait FeedAdapter: Send + Sync {
    /// The source kind (`ted`, `doffin`, `fts`, …), used in notice ids.
    fn kind(&self) -> &str;
    /// Whether the feed can run at all; `Err` says why not and how to fix it (e.g. a missing API
    /// key). The poller never polls a feed that is not ready and reports it as inactive instead.
    ///
    /// # Errors
    /// The reason, for people.
    fn readiness(&self) -> Result<(), String> {
        Ok(())
    }
    /// The request for the first page (`cursor = None`) or the page after `cursor`.
    fn request(&self, since: Timestamp, cursor: Option<&str>) -> HttpRequest;
    /// Parses one response body.
    ///
    /// # Errors
    /// [`ParseError`] when the body is not the API's documented shape.
    fn parse(&self, body: &[u8]) -> Result<Page, ParseError>;
    /// Parses the response to the request built for `cursor`. Adapters whose next cursor depends on
    /// the request (Doffin's page number, which its answer does not repeat) override this.
    ///
    /// # Errors
    /// As [`FeedAdapter::parse`].
    fn parse_response(&self, cursor: Option<&str>, body: &[u8]) -> Result<Page, ParseError> {
        let _ = cursor;
        self.parse(body)
    }
    /// Parses the response to the request built for `since` and `cursor`; the poller always calls
    /// this. Adapters whose API cannot filter by date (RSS and Atom feeds) override it to drop
    /// what is older than `since`; the others already asked the server for that window.
    ///
    /// # Errors
    /// As [`FeedAdapter::parse`].
    fn parse_window(&self, since: Timestamp, cursor: Option<&str>, body: &[u8]) -> Result<Page, ParseError> {
        let _ = since;
        self.parse_response(cursor, body)
    }
    /// Whether one request returns the whole feed as it is now (RSS and Atom) rather than what was
    /// published in a window. Such a feed is read over the whole lookback on every poll, not from
    /// the high-water mark: an item edited in place keeps its date, and must still be seen again
    /// (the store tells the unchanged items from the changed ones).
    fn reads_whole_feed(&self) -> bool {
        false
    }
    /// A cursor that reads the poll's window again from its first page, but only what was published
    /// on or before `until`: used when a saved cursor is refused (an expired TED token), so a
    /// window cut short by `max_pages` continues below the oldest notice read instead of starting
    /// over from the newest. `None` when the API cannot bound a query (the window is read again).
    fn restart_cursor(&self, until: Timestamp) -> Option<String> {
        let _ = until;
        None
    }
    /// The request for one page of the feed's award search (result notices published since
    /// `since`, see `poller::awards`), or `None` when the feed has none beside its competitions
    /// (the default, and an adapter whose settings leave awards off).
    fn award_request(&self, since: Timestamp, cursor: Option<&str>) -> Option<HttpRequest> {
        let _ = (since, cursor);
        None
    }
    /// Parses one page of the award search built for `since` and `cursor`.
    ///
    /// # Errors
    /// [`ParseError`] when the body is not the API's documented shape.
    fn parse_awards(&self, since: Timestamp, cursor: Option<&str>, body: &[u8]) -> Result<AwardPage, ParseError> {
        let _ = (since, cursor, body);
        Err(ParseError::Shape(format!(
            "the {} feed has no award search",
            self.kind()
        )))
    }
    /// Awards carried by a page of the competition search itself (OCDS releases hold `awards[]`),
    /// and what its competition notices say for linking; nothing by default.
    ///
    /// # Errors
    /// [`ParseError`] when the awards in a page that parsed as notices cannot be read.
    fn awards_in_page(&self, body: &[u8]) -> Result<FoundAwards, ParseError> {
        let _ = body;
        Ok(FoundAwards::default())
    }
    /// The request for the full notice `native_id` whose award value the search hit lacks (Doffin's
    /// eForms XML, `/download/{id}`), or `None` when the feed has no such thing.
    fn award_value_request(&self, native_id: &str) -> Option<HttpRequest> {
        let _ = native_id;
        None
    }
    /// Parses notice `native_id` fetched with [`FeedAdapter::award_value_request`] into award rows,
    /// keyed as the search hit's rows of that notice, which they replace.
    ///
    /// # Errors
    /// [`ParseError`] when the body is not the notice format.
    fn parse_award_value(&self, native_id: &str, body: &[u8]) -> Result<Vec<crate::model::Award>, ParseError> {
        let _ = (native_id, body);
        Err(ParseError::Shape(format!(
            "the {} feed has no award notices to read",
            self.kind()
        )))
    }
    /// The pause before each award request, for an API that limits requests per second (Doffin:
    /// about 30 in 10 s, then 429); none by default.
    fn request_gap(&self) -> Duration {
        Duration::ZERO
    }
}

/// A notice scored at ingest.
pub type Scored = (Notice, Relevance);

/// What the poller reports. Past-tense facts, consumed by the app core.
#[derive(Debug, Clone)]
pub enum FeedEvent {
    /// A poll of `feed` began.
    Started {
        /// Feed name from the config.
        feed: String,
        /// When.
        at: Timestamp,
    },
    /// A poll finished; every notice is scored.
    Fetched {
        /// Feed name from the config.
        feed: String,
        /// All notices from all pages, de-duplicated.
        notices: Vec<Scored>,
        /// When it finished.
        at: Timestamp,
        /// When the next poll is due.
        next_at: Timestamp,
        /// Plain-language warnings from a poll that still succeeded (a filter the server seems to
        /// have ignored, a window cut at the server's hit limit), for the source-health view.
        warnings: Vec<String>,
        /// The feed's sync state after this poll, to be saved with `notices` in one transaction.
        state: FeedState,
    },
    /// A poll failed; the feed retries at `retry_at`.
    Failed {
        /// Feed name from the config.
        feed: String,
        /// The error, for people.
        message: String,
        /// When it failed.
        at: Timestamp,
        /// When the next attempt is due.
        retry_at: Timestamp,
    },
    /// The award side of a poll reported just before as [`FeedEvent::Fetched`]: rows to save after
    /// its notices, so awards link to the competitions of the same poll. Sent only when something
    /// was found; a failed award search is a warning of that `Fetched` instead.
    AwardsFetched {
        /// Feed name from the config.
        feed: String,
        /// Award rows and competition keys.
        found: FoundAwards,
        /// When they were fetched.
        at: Timestamp,
    },
    /// A feed that cannot run (e.g. a missing API key); it will not be polled.
    Inactive {
        /// Feed name.
        feed: String,
        /// Why, and how to fix it.
        message: String,
    },
}
