//! Lenient decoding of a TED search response into [`Notice`]s.
//!
//! TED's field values are irregular (see `shared/FEEDS.md`): a field may be a string, a list, a
//! language→string map or a language→list map; numbers arrive as strings; dates carry an offset
//! but no time; lists repeat values; older payloads use alias names (`ND`, `PD`). Every helper here
//! accepts all of those shapes and treats a missing or unreadable field as absent rather than as an
//! error, so one odd notice never costs the user the whole page. Pure: no I/O, no clock.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::dates::{combine, parse_instant};
use crate::feeds::{Page, ParseError};
use crate::model::text::sanitize;
use crate::model::{Notice, NoticeId, preferred_text};

/// Parses one search response body into a page of notices, de-duplicated by id in source order.
pub(super) fn parse_page(kind: &str, body: &[u8]) -> Result<Page, ParseError> {
    let root = parse_json(body)?;
    let Value::Object(root) = root else {
        return Err(ParseError::Shape(format!(
            "expected a JSON object, got {}",
            type_name(&root)
        )));
    };
    let notices = match root.get("notices") {
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(ParseError::Shape(format!(
                "`notices` is {}, not a list",
                type_name(other)
            )));
        }
        None => return Err(ParseError::Shape(missing_notices(&root))),
    };
    let mut seen = HashSet::new();
    let mut page = Page {
        notices: Vec::with_capacity(notices.len()),
        next: root.get("iterationNextToken").and_then(first_text),
        total: root.get("totalNoticeCount").and_then(count),
        partial: root.get("timedOut").and_then(Value::as_bool).unwrap_or(false),
    };
    for notice in notices.iter().filter_map(Value::as_object) {
        // A notice without a number cannot be stored or linked; skipping it keeps the rest.
        if let Some(notice) = decode_notice(kind, notice)
            && seen.insert(notice.id.clone())
        {
            page.notices.push(notice);
        }
    }
    Ok(page)
}

/// Turns the body into JSON, recognising gateway HTML pages and reporting syntax errors with a position.
fn parse_json(body: &[u8]) -> Result<Value, ParseError> {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    if body.get(start) == Some(&b'<') {
        let head = String::from_utf8_lossy(&body[start..body.len().min(start + 200)]);
        let snippet: String = sanitize(&head).chars().take(60).collect();
        return Err(ParseError::Html { snippet });
    }
    serde_json::from_slice(body).map_err(|e| {
        let text = e.to_string();
        // serde_json appends " at line L column C"; ParseError prints the position itself.
        let message = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(m, _)| m)
            .to_owned();
        ParseError::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}

/// Explains a JSON answer without `notices`, quoting the server's own message if it sent one.
fn missing_notices(root: &Map<String, Value>) -> String {
    let said = ["message", "type", "error"]
        .iter()
        .find_map(|k| root.get(*k).and_then(first_text));
    match said {
        Some(said) => format!("no `notices` list; the server said: {said}"),
        None => "no `notices` list in the response".to_owned(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Decodes one notice object; `None` when it has no publication number.
fn decode_notice(kind: &str, obj: &Map<String, Value>) -> Option<Notice> {
    let native_id = field(obj, &["publication-number", "ND"]).and_then(first_text)?;
    // TED's `notice-title` is "Country – CPV label – real title" in 24 languages; `title-proc` is the
    // buyer's own title, so it wins whenever it is present.
    let titles = [&["title-proc"][..], &["notice-title", "TI"]]
        .iter()
        .map(|names| field(obj, names).map(|v| by_language(v, " ")).unwrap_or_default())
        .find(|map| !map.is_empty())
        .unwrap_or_default();
    let description = ["description-proc", "description-lot"]
        .iter()
        .map(|name| field(obj, &[name]).map(|v| by_language(v, " ")).unwrap_or_default())
        .find_map(|map| preferred_text(&map).map(str::to_owned))
        .unwrap_or_default();
    let buyers = field(obj, &["buyer-name"])
        .map(|v| by_language(v, "; "))
        .unwrap_or_default();
    let (value, currency) = value_and_currency(obj);
    Some(Notice {
        id: NoticeId::new(kind, &native_id),
        source: kind.to_owned(),
        title: preferred_text(&titles).unwrap_or_default().to_owned(),
        titles,
        description,
        buyer: preferred_text(&buyers).unwrap_or_default().to_owned(),
        country: field(obj, &["buyer-country", "CY"])
            .and_then(first_text)
            .map(|c| c.to_ascii_uppercase()),
        cpv: cpv_codes(field(obj, &["classification-cpv"])),
        published: field(obj, &["publication-date", "PD"])
            .and_then(first_text)
            .and_then(|s| parse_instant(&s)),
        deadline: deadline(obj),
        value,
        currency,
        notice_type: field(obj, &["notice-type"]).and_then(first_text),
        url: notice_url(obj.get("links"), &native_id),
        native_id,
    })
}

/// The first of `names` that is present and not null (aliases of one field).
fn field<'a>(obj: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|n| obj.get(*n).filter(|v| !v.is_null()))
}

/// Every string or number inside `v`, flattening lists; language maps contribute all their values.
fn raw_strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(raw_strings).collect(),
        Value::Object(map) => map.values().flat_map(raw_strings).collect(),
        Value::Null | Value::Bool(_) => Vec::new(),
    }
}

/// Cleaned, non-empty, de-duplicated texts inside `v`, in source order.
fn texts(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in raw_strings(v).iter().map(|s| clean(s)) {
        if !text.is_empty() && !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

/// The first non-empty cleaned text inside `v`.
fn first_text(v: &Value) -> Option<String> {
    texts(v).into_iter().next()
}

/// A language→text map from a language→string or language→list map (list entries joined with
/// `join`); a bare string or list has no language and is filed under `und` (ISO 639 "undetermined").
fn by_language(v: &Value, join: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    match v {
        Value::Object(langs) => {
            for (lang, text) in langs {
                let text = texts(text).join(join);
                if !text.is_empty() {
                    map.insert(clean(lang).to_lowercase(), text);
                }
            }
        }
        other => {
            let text = texts(other).join(join);
            if !text.is_empty() {
                map.insert("und".to_owned(), text);
            }
        }
    }
    map
}

/// Decodes the HTML entities TED leaves in some names (`Energi &amp;`), then sanitises.
/// One pass only, so `&amp;lt;` becomes `&lt;` and is not decoded twice.
fn clean(s: &str) -> String {
    sanitize(&decode_entities(s))
}

fn decode_entities(s: &str) -> Cow<'_, str> {
    const ENTITIES: [(&str, &str); 6] = [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
    ];
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match ENTITIES.iter().find(|(entity, _)| rest.starts_with(entity)) {
            Some((entity, plain)) => {
                out.push_str(plain);
                rest = &rest[entity.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A number, or a string holding one (`"1200000.00"`, `"600 000"`); only finite, non-negative values.
fn number(v: &Value) -> Option<f64> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => {
            let digits: String = s.chars().filter(|c| !c.is_whitespace() && *c != '_').collect();
            digits.parse().ok()?
        }
        Value::Array(items) => return items.iter().find_map(number),
        _ => return None,
    };
    (n.is_finite() && n >= 0.0).then_some(n)
}

/// A count, as a JSON integer or a string holding one.
fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// 8-digit CPV codes without the check digit (`33100000-1` → `33100000`), de-duplicated in order.
fn cpv_codes(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in v.map(raw_strings).unwrap_or_default() {
        let digits: String = raw.trim().chars().take_while(char::is_ascii_digit).collect();
        // A code sent as a JSON number loses its leading zeros (03000000 → 3000000).
        let code = match digits.len() {
            8 => digits,
            1..=7 if raw.trim().len() == digits.len() => format!("{digits:0>8}"),
            _ => continue,
        };
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// The procedure's estimated value, else the sum of the lots' when they share one currency.
/// A zero estimate is how buyers leave the value undisclosed, so it reads as "no value".
fn value_and_currency(obj: &Map<String, Value>) -> (Option<f64>, Option<String>) {
    let currencies = |name: &str| {
        let mut codes: Vec<String> = Vec::new();
        for code in field(obj, &[name]).map(texts).unwrap_or_default() {
            let code = code.to_ascii_uppercase();
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    };
    let procedure = field(obj, &["estimated-value-proc"]).and_then(number);
    let (value, currency) = match procedure {
        Some(v) => (Some(v), currencies("estimated-value-cur-proc").into_iter().next()),
        None => {
            let lots: Vec<f64> = match field(obj, &["estimated-value-lot"]) {
                Some(Value::Array(items)) => items.iter().filter_map(number).collect(),
                Some(single) => number(single).into_iter().collect(),
                None => Vec::new(),
            };
            let lot_currencies = currencies("estimated-value-cur-lot");
            match (lots.first(), lot_currencies.len()) {
                (None, _) => (None, None),
                (Some(_), 0 | 1) => (Some(lots.iter().sum()), lot_currencies.into_iter().next()),
                // Different currencies cannot be added; the first lot is still informative.
                (Some(first), _) => (Some(*first), lot_currencies.into_iter().next()),
            }
        }
    };
    match value {
        Some(v) if v > 0.0 => (Some(v), currency),
        _ => (None, None),
    }
}

/// The earliest lot deadline, combining TED's separate date and time lists index by index.
///
/// A date without a time counts from the start of that day in the date's offset: the real
/// deadline is never earlier than that, so a countdown shown to the user never runs long.
fn deadline(obj: &Map<String, Value>) -> Option<Timestamp> {
    let dates = field(obj, &["deadline-receipt-tender-date-lot"])
        .map(raw_strings)
        .unwrap_or_default();
    let times = field(obj, &["deadline-receipt-tender-time-lot"])
        .map(raw_strings)
        .unwrap_or_default();
    dates
        .iter()
        .enumerate()
        .filter_map(|(i, date)| {
            // One time for several lot dates applies to all of them.
            let time = times.get(i).or(if times.len() == 1 { times.first() } else { None });
            combine(date, time.map(String::as_str))
        })
        .min()
}

/// The English notice page from `links` (`html`, then `htmlDirect`), else TED's detail page.
/// The detail page comes first because it is the portal page with the documents and the
/// other languages; only web links are accepted, so a feed cannot plant another scheme.
fn notice_url(links: Option<&Value>, native_id: &str) -> String {
    let web = |s: String| (s.starts_with("https://") || s.starts_with("http://")).then_some(s);
    let from_links = match links {
        Some(Value::Object(kinds)) => ["html", "htmlDirect"].iter().find_map(|kind| {
            let by_lang = kinds.get(*kind)?.as_object()?;
            let (_, url) = by_lang.iter().find(|(lang, _)| lang.eq_ignore_ascii_case("eng"))?;
            first_text(url).and_then(web)
        }),
        Some(other) => texts(other).into_iter().find_map(web),
        None => None,
    };
    from_links.unwrap_or_else(|| format!("https://ted.europa.eu/en/notice/-/detail/{native_id}"))
}

#[cfg(test)]
mod tests;
