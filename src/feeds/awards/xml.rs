//! One streaming pass over an XML award notice, handing each element's path and text to a visitor.
//!
//! The award formats are read by path (`AWARDED_CONTRACT/VALUES/VAL_TOTAL`), never by searching the
//! document again, so a notice costs one pass whatever its size. Syntax errors and documents cut off
//! inside an element are errors with a line and column, as for RSS (`feeds::syndication`).

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::feeds::ParseError;
use crate::feeds::syndication::{ends_closed, local, looks_like_html, reference_text, xml_error};

/// Real notices nest about 15 elements deep; a document nested deeper is refused, which also keeps
/// every path test (`within`, `ends_with`) bounded, so hostile nesting cannot make a pass quadratic.
const MAX_DEPTH: usize = 200;

/// An element's attributes, read on demand.
pub(super) struct Attrs<'a, 'b>(&'a BytesStart<'b>);

impl Attrs<'_, '_> {
    /// The attribute's value, unescaped; `None` when absent or malformed.
    pub(super) fn get(&self, name: &str) -> Option<String> {
        self.0.try_get_attribute(name).ok().flatten().and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(std::borrow::Cow::into_owned)
        })
    }
}

/// What the visitor hears about the element at the end of `path`.
pub(super) enum Item<'t, 'a, 'b> {
    /// The element opened (self-closing ones too, followed at once by their `Close`).
    Open(Attrs<'a, 'b>),
    /// The element closed; its own text (after its last child element), whitespace-trimmed.
    Close(&'t str),
}

/// Walks the whole document; `visit` gets the path of local names (namespace prefixes dropped,
/// root first) and the [`Item`].
///
/// # Errors
/// [`ParseError::Xml`] with line and column for malformed or cut-off XML, [`ParseError::Html`]
/// for an HTML page, [`ParseError::Shape`] for an empty document.
pub(super) fn walk(body: &[u8], mut visit: impl FnMut(&[String], Item<'_, '_, '_>)) -> Result<(), ParseError> {
    let text = String::from_utf8_lossy(body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body));
    if looks_like_html(text.trim_start()) {
        let snippet: String = crate::model::text::sanitize(&text.chars().take(200).collect::<String>())
            .chars()
            .take(60)
            .collect();
        return Err(ParseError::Html { snippet });
    }
    let mut reader = Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut path: Vec<String> = Vec::new();
    let mut own_text = String::new();
    let mut saw_root = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            let position = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            xml_error(&text, position, &e.to_string())
        })?;
        match event {
            Event::Start(start) => {
                saw_root = true;
                if path.len() >= MAX_DEPTH {
                    let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
                    let message = format!("elements nested more than {MAX_DEPTH} deep: not a notice");
                    return Err(xml_error(&text, position, &message));
                }
                path.push(local(&start));
                own_text.clear();
                visit(&path, Item::Open(Attrs(&start)));
            }
            Event::Empty(start) => {
                saw_root = true;
                path.push(local(&start));
                visit(&path, Item::Open(Attrs(&start)));
                visit(&path, Item::Close(""));
                path.pop();
                own_text.clear();
            }
            Event::End(_) => {
                visit(&path, Item::Close(own_text.trim()));
                path.pop();
                own_text.clear();
            }
            Event::Text(t) => own_text.push_str(&t.xml10_content()),
            Event::CData(t) => own_text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => own_text.push_str(&reference_text(&r)),
            Event::Eof => {
                ends_closed(&text, &path)?;
                break;
            }
            _ => {}
        }
    }
    if saw_root {
        Ok(())
    } else {
        Err(ParseError::Shape("the document is empty".to_owned()))
    }
}

/// Whether `path` ends with the names in `tail`.
pub(super) fn ends_with(path: &[String], tail: &[&str]) -> bool {
    path.len() >= tail.len() && path[path.len() - tail.len()..].iter().zip(tail).all(|(a, b)| a == b)
}

/// Whether any element of `path` is `name`.
pub(super) fn within(path: &[String], name: &str) -> bool {
    path.iter().any(|p| p == name)
}
