//! Building URLs for `GET` feeds: percent-encoding and query strings.
//!
//! Hand-written rather than taken from reqwest so that adapters stay free of the HTTP client; only
//! what the adapters need. Pure.

/// Percent-encodes everything except RFC 3986 unreserved characters, so a configured search string
/// or an id can never add a parameter or a path segment.
pub(super) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `base/path?name=value&…` with every name and value encoded; no `?` when there are no pairs.
pub(super) fn url_with_query(base: &str, path: &str, pairs: &[(&str, String)]) -> String {
    let base = base.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect();
    if query.is_empty() {
        format!("{base}/{path}")
    } else {
        format!("{base}/{path}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode("EPJ & røntgen=1"), "EPJ%20%26%20r%C3%B8ntgen%3D1");
        assert_eq!(encode("2026-05-01T08:00:00Z"), "2026-05-01T08%3A00%3A00Z");
        assert_eq!(encode("a/b?c#d"), "a%2Fb%3Fc%23d");
    }

    #[test]
    fn joins_base_path_and_pairs() {
        assert_eq!(
            url_with_query("http://h/x/", "/search", &[("a", "1".into()), ("b", "x y".into())]),
            "http://h/x/search?a=1&b=x%20y"
        );
        assert_eq!(url_with_query("http://h", "p", &[]), "http://h/p");
    }
}
