//! The one HTTP client every feed shares: timeouts, user agent, body cap, and status → [`FeedError`].
//!
//! Depends on reqwest and `model::text` only; adapters never see reqwest types. Error messages name
//! the host but never the full URL or any header, so an API key in either cannot reach the screen.

mod conditional;

use std::error::Error as _;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, RETRY_AFTER};

pub use self::conditional::{Fetched, Validators, saved_for};
use super::{FeedError, HttpRequest, Method};
use crate::model::UrlValidators;
use crate::model::text::sanitize;

/// How the fetcher talks to servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Limit for establishing the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Limit for the whole exchange, body included.
    pub request_timeout: Duration,
    /// Largest body accepted (after decompression); larger answers fail with [`FeedError::TooLarge`].
    pub max_body_bytes: u64,
    /// `User-Agent` header, naming the app so API operators can tell who is calling.
    pub user_agent: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_body_bytes: 50 * 1024 * 1024,
            user_agent: concat!("anbud/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Sends [`HttpRequest`]s built by adapters; cheap to clone (one shared connection pool). Keeps no
/// state between requests: the validators to send come from the caller (see [`HttpFetcher::fetch`]).
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    client: reqwest::Client,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body_bytes: u64,
}

/// How much of an error body is read to find the server's explanation.
const ERROR_BODY_BYTES: usize = 64 * 1024;

/// How many characters of an unexplained error body are shown.
const DETAIL_CHARS: usize = 120;

impl HttpFetcher {
    /// Builds the client.
    ///
    /// # Errors
    /// [`FeedError::Other`] when the TLS backend cannot be initialised or the user agent is not a
    /// valid header value.
    pub fn new(settings: HttpSettings) -> Result<Self, FeedError> {
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(settings.user_agent)
            .gzip(true)
            .build()
            .map_err(|e| FeedError::Other(format!("cannot set up the HTTP client: {}", root_cause(&e))))?;
        Ok(Self {
            client,
            connect_timeout: settings.connect_timeout,
            request_timeout: settings.request_timeout,
            max_body_bytes: settings.max_body_bytes,
        })
    }

    /// `validators` as the entry for `url` that a [`crate::model::FeedState`] and the store take.
    pub fn for_url(url: &str, validators: Validators) -> UrlValidators {
        UrlValidators {
            url: url.to_owned(),
            etag: validators.etag,
            last_modified: validators.last_modified,
        }
    }

    /// Sends `req` and returns the body of a 2xx answer.
    ///
    /// # Errors
    /// [`FeedError::Connect`], [`FeedError::Timeout`], [`FeedError::RateLimited`] (429, or 503 with
    /// `Retry-After`), [`FeedError::Status`] for other non-2xx answers, [`FeedError::TooLarge`] when
    /// the body passes the cap, and [`FeedError::Other`] for anything else the transport reports.
    pub async fn execute(&self, req: &HttpRequest) -> Result<Vec<u8>, FeedError> {
        match self.fetch(req, None).await? {
            Fetched::Body { body, .. } => Ok(body),
            // Nothing conditional was sent; a server answering 304 anyway has nothing to give.
            Fetched::NotModified => Ok(Vec::new()),
        }
    }

    /// Sends `req`, conditionally for a `GET` when `known` holds validators for its URL, and returns
    /// the body with the validators to keep, or [`Fetched::NotModified`] on a 304.
    ///
    /// # Errors
    /// As [`HttpFetcher::execute`].
    pub async fn fetch(&self, req: &HttpRequest, known: Option<&Validators>) -> Result<Fetched, FeedError> {
        let host = host_of(&req.url);
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut builder = self.client.request(method, &req.url);
        // JSON unless the adapter asks for something else (RSS and Atom feeds want XML).
        if !req.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept")) {
            builder = builder.header(ACCEPT, "application/json");
        }
        if req.method == Method::Post {
            builder = builder.header(CONTENT_TYPE, "application/json");
        }
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        if req.method == Method::Get
            && let Some(known) = known
        {
            if let Some(etag) = &known.etag {
                builder = builder.header(IF_NONE_MATCH, etag);
            }
            if let Some(date) = &known.last_modified {
                builder = builder.header(IF_MODIFIED_SINCE, date);
            }
        }
        let mut response = builder.send().await.map_err(|e| self.transport_error(&e, &host))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if status.is_success() {
            let validators = Validators::from_headers(response.headers());
            let body = self.read_body(&mut response, &host).await?;
            return Ok(Fetched::Body { body, validators });
        }
        let retry_after = retry_after(response.headers());
        if status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::SERVICE_UNAVAILABLE && response.headers().contains_key(RETRY_AFTER))
        {
            return Err(FeedError::RateLimited {
                status: status.as_u16(),
                retry_after,
            });
        }
        let body = read_error_body(&mut response).await;
        Err(FeedError::Status {
            status: status.as_u16(),
            detail: scrub(status_detail(status, &body), req),
        })
    }

    /// Reads the body chunk by chunk, giving up as soon as it passes the cap.
    async fn read_body(&self, response: &mut reqwest::Response, host: &str) -> Result<Vec<u8>, FeedError> {
        let limit = self.max_body_bytes;
        // The declared length lets us refuse before reading anything; it can be absent or wrong
        // (chunked, compressed), so the running count below is what actually enforces the cap.
        let declared = response.content_length().or_else(|| {
            let header = response.headers().get(CONTENT_LENGTH)?;
            header.to_str().ok()?.trim().parse().ok()
        });
        let too_large = FeedError::TooLarge { limit };
        if declared.is_some_and(|len| len > limit) {
            return Err(too_large);
        }
        // Sized for the declared length (a TED page is ~2 MB): growing from 1 MB copied each page
        // again. A false length is bounded by the cap, and pages of an allocation that are never
        // written do not become resident.
        let capacity = declared.unwrap_or(0).min(limit);
        let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport_error(&e, host))? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Maps a reqwest error to a message for people, without the URL reqwest would include.
    fn transport_error(&self, err: &reqwest::Error, host: &str) -> FeedError {
        if err.is_timeout() {
            let limit = if err.is_connect() {
                self.connect_timeout
            } else {
                self.request_timeout
            };
            return FeedError::Timeout(limit);
        }
        if err.is_connect() {
            return FeedError::Connect {
                host: host.to_owned(),
                message: root_cause(err),
            };
        }
        if err.is_builder() {
            return FeedError::Other(format!("cannot send the request to {host}: {}", root_cause(err)));
        }
        // What is left are failures after the connection was made: a reset, an early close, a
        // malformed answer. People need to know it broke off, not reqwest's category for it.
        FeedError::Dropped {
            host: host.to_owned(),
            message: root_cause(err),
        }
    }
}

/// The start of an error body, enough to find the server's explanation. Best effort: a body that
/// fails to arrive still leaves the status to report.
async fn read_error_body(response: &mut reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= ERROR_BODY_BYTES {
            body.truncate(ERROR_BODY_BYTES);
            break;
        }
    }
    body
}

/// `detail` with every secret the request carried blanked out: gateways echo what they were sent
/// ("invalid key 'abc123…'"), and header values and query values may hold an API key.
fn scrub(mut detail: String, req: &HttpRequest) -> String {
    let query = req.url.split_once('?').map_or("", |(_, q)| q);
    let query_values = query.split('&').filter_map(|pair| pair.split_once('=').map(|(_, v)| v));
    let header_values = req.headers.iter().map(|(_, v)| v.as_str());
    // Short values ("1", "true", a page number) are not secrets and would blank ordinary words.
    for secret in header_values.chain(query_values).filter(|v| v.trim().len() >= 8) {
        detail = detail.replace(secret.trim(), "[hidden]");
    }
    detail
}

/// The innermost error message: the useful part ("Connection refused"), never reqwest's own
/// wrapper text, which embeds the full URL.
fn root_cause(err: &reqwest::Error) -> String {
    let mut innermost = None;
    let mut cause = err.source();
    while let Some(inner) = cause {
        innermost = Some(inner);
        cause = inner.source();
    }
    match innermost {
        Some(inner) => sanitize(&inner.to_string()),
        None if err.is_builder() => "the request could not be built".to_owned(),
        None if err.is_redirect() => "too many redirects".to_owned(),
        None if err.is_decode() => "the body could not be decoded".to_owned(),
        None => "the request failed".to_owned(),
    }
}

/// `host[:port]` of `url`, for messages; never the path or query, which may hold a key.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| u.port().map_or(h.to_owned(), |p| format!("{h}:{p}")))
        })
        .unwrap_or_else(|| "the server".to_owned())
}

/// The `Retry-After` header as a duration from now.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, Timestamp::now())
}

/// Parses a `Retry-After` value: delay seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2026 07:28:00 GMT`), the latter relative to `now`; a past date means zero.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(value).ok()?;
    let wait = now.duration_until(at);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// What to show for a failed request: the JSON `message`/`reason`/`error`/`type` field, an HTML
/// page's `<title>`, or the start of the body; the status's reason phrase if the body is empty.
fn status_detail(status: StatusCode, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let from_json = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|json| {
        ["message", "reason", "error", "type"]
            .iter()
            .find_map(|key| match json.get(*key)? {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                serde_json::Value::Object(inner) => inner.get("message")?.as_str().map(str::to_owned),
                _ => None,
            })
    });
    let from_html = || {
        let lower = text.to_ascii_lowercase();
        let start = lower.find("<title>")? + "<title>".len();
        let end = start + lower[start..].find("</title>")?;
        text.get(start..end).map(str::to_owned)
    };
    let detail = from_json.or_else(from_html).unwrap_or_else(|| text.into_owned());
    let mut detail: String = sanitize(&detail).chars().take(DETAIL_CHARS).collect();
    if detail.is_empty() {
        detail = status.canonical_reason().unwrap_or("no explanation").to_owned();
    }
    detail
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now: Timestamp = "2026-10-21T07:27:00Z".parse().unwrap();
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2026 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn status_detail_prefers_server_message() {
        let s = StatusCode::INTERNAL_SERVER_ERROR;
        assert_eq!(status_detail(s, br#"{"message":"boom","error":"Internal"}"#), "boom");
        assert_eq!(status_detail(s, br#"{"reason":"bad sortBy"}"#), "bad sortBy");
        assert_eq!(status_detail(s, br#"{"error":{"message":"nested"}}"#), "nested");
        assert_eq!(
            status_detail(s, b"<html><TITLE>502 Bad Gateway</TITLE></html>"),
            "502 Bad Gateway"
        );
        assert_eq!(status_detail(s, b""), "Internal Server Error");
        let long = "x\u{1b}[2J".repeat(200);
        let d = status_detail(s, long.as_bytes());
        assert_eq!(d.chars().count(), DETAIL_CHARS);
        assert!(!d.contains('\u{1b}'));
    }

    #[test]
    fn host_never_includes_path_or_query() {
        assert_eq!(
            host_of("https://api.example.org/v2/search?key=secret"),
            "api.example.org"
        );
        assert_eq!(host_of("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_eq!(host_of("not a url"), "the server");
    }
}
