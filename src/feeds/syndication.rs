//! Sans-IO adapter for RSS 2.0 and Atom feeds, for portals that publish nothing else (Spain's
//! PLACSP Atom, municipal RSS feeds): one `GET` of the configured URL, one page, no pagination.
//!
//! Depends on quick-xml and `model` only; no HTTP client, no clock. The XML is read as a stream of
//! events rather than into a fixed schema, because real feeds mix namespaces freely (`dc:date`,
//! `content:encoded`, PLACSP's UBL `cac:`/`cbc:` elements) and one odd item must never cost the page.

mod entry;
mod text;

use jiff::Timestamp;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use self::entry::{Entry, Path};
use self::text::decode_body;
use super::{FeedAdapter, HttpRequest, Method, Page, ParseError};
use crate::model::text::sanitize;

/// What to read and how its notices are labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RssSettings {
    /// The full feed URL, query included; tests and the demo point it at 127.0.0.1.
    pub url: String,
    /// The source kind in notice ids and the source column (`rss` → `rss:{guid}`).
    pub source: String,
}

impl Default for RssSettings {
    fn default() -> Self {
        Self {
            url: String::new(),
            source: "rss".to_owned(),
        }
    }
}

/// An RSS 2.0 / Atom adapter (anonymous `GET`, a single page).
#[derive(Debug, Clone)]
pub struct RssAdapter {
    settings: RssSettings,
}

impl RssAdapter {
    /// An adapter reading the feed described by `settings`.
    pub fn new(settings: RssSettings) -> Self {
        Self { settings }
    }

    /// The settings this adapter reads with.
    pub fn settings(&self) -> &RssSettings {
        &self.settings
    }
}

impl FeedAdapter for RssAdapter {
    fn kind(&self) -> &str {
        &self.settings.source
    }

    fn readiness(&self) -> Result<(), String> {
        let url = self.settings.url.trim().to_ascii_lowercase();
        if url.starts_with("http://") || url.starts_with("https://") {
            Ok(())
        } else {
            Err("RSS feed: no feed URL — set base_url to the full http(s) address of the feed".to_owned())
        }
    }

    /// The feed URL as configured: RSS and Atom feeds take no query, so `since` is applied when
    /// parsing; `cursor` is never set because [`Page::next`] is always `None`.
    fn request(&self, _since: Timestamp, _cursor: Option<&str>) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            url: self.settings.url.clone(),
            headers: vec![(
                "Accept".to_owned(),
                "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8".to_owned(),
            )],
            body: None,
        }
    }

    fn parse(&self, body: &[u8]) -> Result<Page, ParseError> {
        self.page(read_entries(body)?)
    }

    /// One `GET` brings the whole feed; `since` only bounds how far back its items are kept.
    fn reads_whole_feed(&self) -> bool {
        true
    }

    /// Keeps the entries published or updated at or after `since`; undated entries are kept, since
    /// a feed without dates still lists what is current.
    fn parse_window(&self, since: Timestamp, _cursor: Option<&str>, body: &[u8]) -> Result<Page, ParseError> {
        let mut entries = read_entries(body)?;
        entries.retain(|e| e.latest().is_none_or(|latest| latest >= since));
        self.page(entries)
    }
}

impl RssAdapter {
    fn page(&self, entries: Vec<Entry>) -> Result<Page, ParseError> {
        let mut seen = std::collections::HashSet::new();
        let notices = entries
            .into_iter()
            .filter_map(|e| e.into_notice(&self.settings.source))
            .filter(|n| seen.insert(n.id.clone()))
            .collect();
        Ok(Page {
            notices,
            next: None,
            total: None,
            partial: false,
            warnings: Vec::new(),
        })
    }
}

/// The `<item>`s of an RSS (or RSS 1.0 / RDF) document or the `<entry>`s of an Atom one.
fn read_entries(body: &[u8]) -> Result<Vec<Entry>, ParseError> {
    let text = decode_body(body);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if looks_like_html(trimmed) {
        let snippet: String = sanitize(&trimmed.chars().take(200).collect::<String>())
            .chars()
            .take(60)
            .collect();
        return Err(ParseError::Html { snippet });
    }
    let mut reader = Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut root: Option<String> = None;
    let mut entries = Vec::new();
    // The entry being read and the path of element names below it (its own name first).
    let mut current: Option<(Entry, Path)> = None;
    // Elements open right now: a cut-off transfer ends with some still open, which quick-xml
    // accepts as a clean end of input but which must not pass for a complete feed.
    let mut open: Vec<String> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            let position = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            xml_error(&text, position, &e.to_string())
        })?;
        match event {
            Event::Start(start) => {
                let name = local(&start);
                open.push(name.clone());
                if root.is_none() {
                    root = Some(name.clone());
                    check_root(&name)?;
                }
                match &mut current {
                    Some((entry, path)) => {
                        path.push(name);
                        entry.open(path, &start);
                    }
                    None if is_entry(&name) => current = Some((Entry::default(), Path::new(name))),
                    None => {}
                }
            }
            Event::Empty(start) => {
                let name = local(&start);
                if root.is_none() {
                    check_root(&name)?;
                    root = Some(name);
                    continue;
                }
                if let Some((entry, path)) = &mut current {
                    path.push(name);
                    entry.open(path, &start);
                    entry.close(path);
                    path.pop();
                }
            }
            Event::End(_) => {
                open.pop();
                if let Some((entry, path)) = &mut current {
                    entry.close(path);
                    path.pop();
                    if path.is_empty()
                        && let Some((entry, _)) = current.take()
                    {
                        entries.push(entry);
                    }
                }
            }
            Event::Text(t) => push_text(&mut current, &t.xml10_content()),
            Event::CData(t) => push_text(&mut current, &t.xml10_content()),
            Event::GeneralRef(r) => push_text(&mut current, &reference_text(&r)),
            Event::Eof => {
                ends_closed(&text, &open)?;
                break;
            }
            _ => {}
        }
    }
    match root {
        Some(_) => Ok(entries),
        None => Err(ParseError::Shape(
            "the response is empty, not an RSS or Atom feed".to_owned(),
        )),
    }
}

fn push_text(current: &mut Option<(Entry, Path)>, text: &str) {
    if let Some((entry, path)) = current {
        entry.text(path, text);
    }
}

/// At the end of the document: an element still open means the body was cut off.
pub(super) fn ends_closed(text: &str, open: &[String]) -> Result<(), ParseError> {
    match open.last() {
        Some(unclosed) => {
            let message = format!("the document ends inside <{unclosed}> (cut off?)");
            Err(xml_error(text, text.len(), &message))
        }
        None => Ok(()),
    }
}

/// A character or entity reference as text (`&#230;`, `&amp;`, `&nbsp;`, …); shared with the
/// award notices' XML reader.
pub(super) fn reference_text(r: &quick_xml::events::BytesRef<'_>) -> String {
    match r.resolve_char_ref() {
        Ok(Some(c)) => c.to_string(),
        _ => text::entity(&r.xml10_content()),
    }
}

/// The element's name without its namespace prefix (`dc:date` → `date`).
pub(super) fn local(start: &BytesStart<'_>) -> String {
    start.local_name().into_inner().to_owned()
}

fn is_entry(name: &str) -> bool {
    name == "item" || name == "entry"
}

/// RSS 2.0 (`rss`), RSS 1.0 (`RDF`) and Atom (`feed`) are accepted; anything else is not a feed.
fn check_root(name: &str) -> Result<(), ParseError> {
    if matches!(name, "rss" | "feed" | "RDF") {
        return Ok(());
    }
    if name.eq_ignore_ascii_case("html") {
        return Err(ParseError::Html {
            snippet: format!("<{name}>"),
        });
    }
    Err(ParseError::Shape(format!(
        "expected an RSS or Atom feed, got a <{}> document",
        sanitize(name)
    )))
}

/// A gateway's error page: a doctype or `<html>` before any feed element.
pub(super) fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(15).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// An XML syntax error at byte `position`, reported as line and column (people cannot use a byte
/// offset) with quick-xml's explanation.
pub(super) fn xml_error(text: &str, position: usize, message: &str) -> ParseError {
    let before = text.get(..position.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    ParseError::Xml {
        line,
        column,
        message: sanitize(message),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "<rss>\n  <channel>\n  <ø";
        let err = xml_error(text, text.len(), "boom");
        assert!(matches!(err, ParseError::Xml { line: 3, column: 5, .. }), "{err}");
    }

    #[test]
    fn non_feeds_are_refused() {
        assert!(matches!(
            read_entries(b"<html><body>x</body></html>"),
            Err(ParseError::Html { .. })
        ));
        assert!(matches!(
            read_entries(b"<?xml version=\"1.0\"?><note/>"),
            Err(ParseError::Shape(_))
        ));
        assert!(matches!(read_entries(b"   "), Err(ParseError::Shape(_))));
    }
}
