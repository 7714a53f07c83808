//! What to do about a failed fetch, in plain words, per feed kind: the second half of every
//! message the sources panel shows ("HTTP 401 … — the API key was refused: check DOFFIN_API_KEY").
//!
//! Pure; never echoes anything from the request, so no key or URL can leak through a hint.

use super::{FeedError, ParseError};

/// A feed kind as people know it (`doffin` → `Doffin`), for messages.
fn label(kind: &str) -> String {
    match kind {
        "ted" => "TED".to_owned(),
        "doffin" => "Doffin".to_owned(),
        "rss" => "the RSS feed".to_owned(),
        "fts" => "Find a Tender".to_owned(),
        "ocds" => "the OCDS publisher".to_owned(),
        other => format!("the {other} feed"),
    }
}

impl FeedError {
    /// How to fix this error (or that anbud will retry by itself), for a feed of kind `feed_kind`
    /// (`ted`, `doffin`, `fts`, `rss`, …); `None` when there is nothing useful to add.
    pub fn hint(&self, feed_kind: &str) -> Option<String> {
        let who = label(feed_kind);
        Some(match self {
            Self::Status { status: 401 | 403, .. } if feed_kind == "doffin" => {
                "the API key was refused: check DOFFIN_API_KEY (a free key comes from Doffin's API portal)".to_owned()
            }
            Self::Status { status: 401 | 403, .. } => {
                format!("{who} refused access: the feed may need a key, or its address is wrong")
            }
            Self::Status { status: 404 | 410, .. } => {
                format!("{who} has nothing at that address: check the feed's base_url and path in the config")
            }
            Self::Status { status: 400 | 422, .. } => {
                format!("{who} rejected the query: check the feed's settings; anbud retries with backoff")
            }
            Self::Status { status: 503, .. } => {
                format!("{who} is unavailable (maintenance or overload); anbud retries with backoff")
            }
            Self::Status { status: 500..=599, .. } => {
                format!("a server error at {who}, usually temporary; anbud retries with backoff")
            }
            Self::Status { .. } => return None,
            Self::RateLimited {
                retry_after: Some(_), ..
            } => {
                format!("{who} asked anbud to slow down; it waits as asked before the next try")
            }
            Self::RateLimited { retry_after: None, .. } => {
                format!("{who} asked anbud to slow down; it retries with backoff (a longer interval helps)")
            }
            Self::Timeout(_) => {
                format!("{who} did not answer in time (slow or stalled); anbud retries with backoff")
            }
            Self::Dropped { .. } => {
                format!("{who} closed the connection before answering in full; anbud retries with backoff")
            }
            Self::Connect { .. } => "check the network connection and the feed's base_url".to_owned(),
            Self::TooLarge { .. } => {
                "narrow the query (fewer CPV codes, a shorter lookback) or raise the body limit".to_owned()
            }
            Self::Parse(ParseError::Html { .. }) => format!(
                "a web page came back instead of {who}'s data: a proxy, login or maintenance page, or a wrong base_url"
            ),
            Self::Parse(ParseError::Json { .. } | ParseError::Xml { .. }) => {
                format!("{who} sent a broken answer, usually a cut-off transfer; anbud retries with backoff")
            }
            Self::Parse(ParseError::Shape(_)) => {
                format!("{who}'s answer is not in the expected format: check base_url, or the API has changed")
            }
            Self::Other(_) => return None,
        })
    }

    /// The message for people: what happened in short, what to do about it, then the server's or
    /// the transport's own words in `[…]`. That order matters on a narrow status line: the raw
    /// detail can be long ("error sending request … dns error … Name or service not known") and
    /// is what gets cut, never the fix.
    pub fn user_message(&self, feed_kind: &str) -> String {
        let Some(hint) = self.hint(feed_kind) else {
            return self.to_string();
        };
        match self.summary_and_detail() {
            (summary, Some(detail)) if !detail.trim().is_empty() => format!("{summary} — {hint} [{detail}]"),
            (summary, _) => format!("{summary} — {hint}"),
        }
    }

    /// What happened in a few words, and the raw detail that came with it, if any.
    fn summary_and_detail(&self) -> (String, Option<String>) {
        let (summary, detail): (String, Option<&String>) = match self {
            Self::Connect { host, message } => (format!("cannot connect to {host}"), Some(message)),
            Self::Status { status, detail } => (format!("HTTP {status}"), Some(detail)),
            Self::Dropped { host, message } => (format!("the connection to {host} broke off"), Some(message)),
            Self::Parse(ParseError::Json { line, column, message }) => {
                (format!("invalid JSON at line {line}, column {column}"), Some(message))
            }
            Self::Parse(ParseError::Xml { line, column, message }) => {
                (format!("invalid XML at line {line}, column {column}"), Some(message))
            }
            Self::Parse(ParseError::Shape(what)) => ("unexpected response shape".to_owned(), Some(what)),
            Self::Parse(ParseError::Html { snippet }) => {
                return (
                    "got an HTML page instead of JSON".to_owned(),
                    Some(format!("starts with {snippet:?}")),
                );
            }
            _ => (self.to_string(), None),
        };
        (summary, detail.cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doffin_401_names_the_variable_and_other_kinds_do_not() {
        let err = FeedError::Status {
            status: 401,
            detail: "Access denied due to invalid subscription key.".to_owned(),
        };
        assert_eq!(
            err.user_message("doffin"),
            "HTTP 401 — the API key was refused: check DOFFIN_API_KEY (a free key comes from Doffin's \
             API portal) [Access denied due to invalid subscription key.]",
            "the fix first, the server's words last"
        );
        let ted = err.user_message("ted");
        assert!(ted.contains("TED refused access") && !ted.contains("DOFFIN"), "{ted}");
    }

    #[test]
    fn unexplained_errors_stay_as_they_are() {
        let err = FeedError::Other("scoring was cancelled".to_owned());
        assert_eq!(err.user_message("ted"), "scoring was cancelled");
        assert_eq!(
            FeedError::Status {
                status: 302,
                detail: "Found".into()
            }
            .hint("ted"),
            None
        );
    }
}
