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

use crate::feeds::dates::{combine, parse_instant};
use crate::feeds::json::{count, cpv_codes, number, parse_json, raw_strings, repair_json, type_name};
use crate::feeds::nuts::nuts_codes;
use crate::feeds::{Page, ParseError};
use crate::model::text::sanitize;
use crate::model::{Notice, NoticeId, preferred_text};

/// Parses one search response body into a page of notices, de-duplicated by id in source order.
pub(super) fn parse_page(kind: &str, body: &[u8]) -> Result<Page, ParseError> {
    // Same repairs as the other JSON feeds: a stray control character or an overflowing number in
    // one notice must not cost the page.
    let root = parse_json(&repair_json(body))?;
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
        warnings: Vec::new(),
    };
    for notice in notices.iter().filter_map(Value::as_object) {
        // A notice without a number cannot be stored or linked; skipping it keeps the rest.
        if let Some(notice) = decode_notice(kind, notice)
            && seen.insert(notice.id.clone())
        {
            page.notices.push(notice);
        }
    }
    if page.partial {
        page.warnings.push(
            "TED's search timed out and answered with part of the results; the rest comes with a later poll".to_owned(),
        );
    }
    Ok(page)
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

/// Decodes one notice object; `None` when it has no publication number.
fn decode_notice(kind: &str, obj: &Map<String, Value>) -> Option<Notice> {
    let native_id = field(obj, &["publication-number", "ND"]).and_then(first_text)?;
    // `title-proc` is the buyer's own title; TED's generated `notice-title` only stands in for it.
    let own = field(obj, &["title-proc"])
        .map(|v| by_language(v, " "))
        .unwrap_or_default();
    let (titles, title) = if own.is_empty() {
        let generated = field(obj, &["notice-title", "TI"])
            .map(|v| by_language(v, " "))
            .unwrap_or_default();
        let title = preferred_text(&generated).map(strip_generated_prefix);
        (generated, title)
    } else {
        let title = preferred_text(&own).map(str::to_owned);
        (own, title)
    };
    // A list row must never be blank: an untitled notice still shows which notice it is.
    let title = title
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("{} notice {native_id}", kind.to_ascii_uppercase()));
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
        title,
        titles: titles.into(),
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
        questions_deadline: None,
        // TED's search fields documented in FEEDS.md carry no buyer identifier.
        buyer_id: None,
        nuts: field(obj, &["place-of-performance"])
            .map(|v| nuts_codes(raw_strings(v).iter().map(String::as_str)))
            .unwrap_or_default(),
        notice_type: field(obj, &["notice-type"]).and_then(first_text),
        url: notice_url(obj.get("links"), &native_id),
        native_id,
    })
}

/// The real title inside TED's generated `notice-title`, "Country – CPV label – real title": the
/// first two segments repeat the country and CPV columns, so they are dropped when there are at
/// least three; the title itself may contain " – ", so everything after the second one is kept.
fn strip_generated_prefix(generated: &str) -> String {
    let mut parts = generated.splitn(3, " \u{2013} ");
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(_), Some(rest)) if !rest.trim().is_empty() => rest.trim().to_owned(),
        _ => generated.to_owned(),
    }
}

/// The first of `names` that is present and not null (aliases of one field).
fn field<'a>(obj: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|n| obj.get(*n).filter(|v| !v.is_null()))
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
